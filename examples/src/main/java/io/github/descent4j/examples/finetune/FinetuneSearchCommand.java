package io.github.descent4j.examples.finetune;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import io.github.descent4j.core.layerwise.search.LogMultiplierSpace;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;
import io.github.descent4j.examples.report.SeedStatistics;

import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.github.descent4j.examples.report.SeedStatistics.mean;

/**
 * {@code ./descent4j finetune --search}: the layer-wise learning-rate search of Kenneweg et al. (2024) on
 * digit task pairs, the combination of what it finds by geometric mean, and the comparison on a pair no
 * search used ({@link FinetuneSearchExperiment}). Writes {@code summary.json}, {@code distributions.png},
 * {@code forgetting.png}, the found distributions and the search states.
 */
final class FinetuneSearchCommand {
    static final String SUMMARY = "summary.json";
    static final String DISTRIBUTIONS_PLOT = "distributions.png";
    static final String METHODS_PLOT = "forgetting.png";
        static final String DEFAULT_PAIRS = "0,1,2,3,4/5,6,7,8,9;5,6,7,8,9/0,1,2,3,4";
    static final String DEFAULT_EVAL = "0,2,4,6,8/1,3,5,7,9";

    private FinetuneSearchCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j finetune --search [--search-pairs P1;P2] [--eval-pair OLD/NEW] [--trials N] [--seeds S]",
                "                                    [--resume FILE] [--out DIR] [options]",
                "",
                "  For each search pair OLD/NEW: pre-trains the MLP on OLD, then searches one learning-rate multiplier per",
                "  layer by Bayesian optimisation: maximise the old-task validation accuracy while the new task stays within",
                "  --tolerance of the flat rate. Tunes EWC's lambda on the same pairs. Then, on the evaluation pair, compares",
                "  flat, layer-wise decay, each found distribution, their geometric mean, EWC and SPD over several seeds.",
                "  Writes DIR/summary.json, DIR/distributions.png, DIR/forgetting.png, DIR/distributions/*.json (load them with",
                "  FoundDistribution.read) and the search states DIR/search/*.json with the index DIR/search-index.json.",
                "",
                "  --search-pairs P;P   pairs OLD/NEW of comma-separated digits (default " + DEFAULT_PAIRS + ")",
                "  --eval-pair OLD/NEW  the pair to evaluate on, used by no search (default " + DEFAULT_EVAL + ")",
                "  --trials N           search trials per pair after the flat baseline (default 20)",
                "  --initial-design N   initial design size, <= trials (default 6): the flat run + N-1 Latin-hypercube",
                "                       trials when 1 lies within --bounds, else N Latin-hypercube trials",
                "  --seeds S            evaluation seeds (default 3)",
                "  --search-seed N      seed of the searches' split, pre-training and optimiser (default 1)",
                "  --bounds LO,HI       multiplier bounds around the base rate, 0 < LO < HI (default 0.001,10)",
                "  --tolerance T        new-task accuracy the search may give up against the flat rate, in [0, 1] (default 0.02)",
                "  --penalty W          objective penalty per unit of new-task shortfall, >= 0 (default 10)",
                "  --ewc-lambdas L,...  EWC strengths to tune over (default 100,1000,10000,100000)",
                "  --decay D            layer-wise decay factor in (0, 1] (default 0.5)",
                "  --spd-lambda L       SPD strength >= 0 (default 10)",
                "  --target ACC         fine-tune until the new task's training accuracy reaches ACC (default 0.97)",
                "  --lr R               fine-tuning learning rate of Adam (default 1e-3)",
                "  --pretrain-epochs N  epochs on the old task (default 30)",
                "  --max-epochs N       cap on fine-tuning epochs (default 30)",
                "  --resume FILE        continue the searches recorded by FILE (the search-index.json of an earlier run with",
                "                       the same search settings; --trials may be larger); their states are updated in",
                "                       place, everything else is written to --out",
                "  --data FILE          digits CSV without header (default: the embedded UCI digits)",
                "  --out DIR            output directory (default descent4j-out/finetune-search)",
                "");
    }

    static int run(String[] args, PrintStream out) {
        Path data = null;
        String pairs = DEFAULT_PAIRS;
        String eval = DEFAULT_EVAL;
        int trials = 20;
        int initialDesign = 6;
        int seeds = 3;
        long searchSeed = 1;
        double[] bounds = {LogMultiplierSpace.DEFAULT_LOWER, LogMultiplierSpace.DEFAULT_UPPER};
        double tolerance = ForgettingObjective.DEFAULT.tolerance();
        double penalty = ForgettingObjective.DEFAULT.penalty();
        List<Double> ewcLambdas = List.of(100.0, 1000.0, 10000.0, 100000.0);
        double decay = 0.5;
        double spdLambda = 10.0;
        double target = 0.97;
        double lr = 1e-3;
        int pretrainEpochs = 30;
        int maxEpochs = 30;
        Path resume = null;
        Path outDir = Paths.get("descent4j-out", "finetune-search");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--search" -> { }
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--search-pairs" -> pairs = Cli.value(args, ++i, option);
                case "--eval-pair" -> eval = Cli.value(args, ++i, option);
                case "--trials" -> trials = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--initial-design" -> initialDesign = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seeds" -> seeds = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--search-seed" -> searchSeed = Cli.parseLong(Cli.value(args, ++i, option), option);
                case "--bounds" -> bounds = bounds(Cli.value(args, ++i, option), option);
                case "--tolerance" -> tolerance = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, 1, true);
                case "--penalty" -> penalty = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, Double.MAX_VALUE, true);
                case "--ewc-lambdas" -> ewcLambdas = lambdas(Cli.value(args, ++i, option), option);
                case "--decay" -> decay = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, true);
                case "--spd-lambda" -> spdLambda = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, Double.MAX_VALUE, true);
                case "--target" -> target = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, true);
                case "--lr" -> lr = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, true);
                case "--pretrain-epochs" -> pretrainEpochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--max-epochs" -> maxEpochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--resume" -> resume = Paths.get(Cli.value(args, ++i, option));
                case "--data" -> data = Paths.get(Cli.value(args, ++i, option));
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j finetune --search --help");
            }
        }
        if (trials < initialDesign) {
            throw new UsageException("--trials must be >= --initial-design (" + initialDesign + "), got " + trials);
        }
        List<TaskPair> searchPairs = TaskPair.parseList(pairs, "--search-pairs");
        TaskPair evalPair = TaskPair.parse(eval, "--eval-pair");
        if (searchPairs.contains(evalPair)) {
            throw new UsageException("--eval-pair " + evalPair + " is also a search pair; evaluate on a pair no search used");
        }
        var settings = new FinetuneSearchExperiment.Settings(searchPairs, evalPair, trials, initialDesign, seeds, searchSeed,
                pretrainEpochs, maxEpochs, target, lr, decay, spdLambda, ewcLambdas,
                new ForgettingObjective(tolerance, penalty), bounds[0], bounds[1]);
        Map<String, String> searchSettings = SearchIndex.searchSettings(settings,
                data == null ? "embedded" : data.toAbsolutePath().normalize().toString());
        Path stateDir = resume == null ? outDir : SearchIndex.checkResume(resume, searchPairs, searchSettings);
        LabelledData digits = FinetuneCommand.load(data);
        out.printf(Locale.ROOT, "finetune --search: %s; search pairs %s, evaluation pair %s; %d trials per pair (initial"
                        + " design %d), multipliers in [%s, %s]; constraint new >= flat - %s; %d evaluation seeds%n",
                data == null ? "UCI digits (embedded)" : data, pairs, evalPair, trials, initialDesign, number(bounds[0]),
                number(bounds[1]), number(tolerance), seeds);
        SearchIndex.write(stateDir, searchPairs, searchSettings);
        long started = System.nanoTime();
        FinetuneSearchExperiment.Result result;
        try {
            result = FinetuneSearchExperiment.run(digits, settings, stateDir, outDir, resume != null, out);
        } catch (InvalidHyperparameterException | UncheckedIOException e) {
            // A state file that does not fit (edited, or another network) or a file that cannot be written.
            throw new UsageException(e.getMessage());
        }
        out.println();
        printTable(result, out);
        ReportFiles.write(outDir, dir -> {
            ReportFiles.writeJson(dir, SUMMARY, FinetuneSearchReport.summary(result));
            ReportFiles.writePng(dir, DISTRIBUTIONS_PLOT, FinetuneSearchReport.distributionsChart(result));
            ReportFiles.writePng(dir, METHODS_PLOT, FinetuneSearchReport.methodsChart(result));
        });
        out.printf(Locale.ROOT, "%nwrote %s, %s, %s and distributions/ in %s (%.0f s)%n", SUMMARY, DISTRIBUTIONS_PLOT,
                METHODS_PLOT, outDir, (System.nanoTime() - started) / 1e9);
        return 0;
    }

    private static double[] bounds(String text, String option) {
        double[] b = Cli.positiveDoubles(text, option);
        if (b.length != 2) {
            throw new UsageException(option + " must be two numbers LO,HI with 0 < LO < HI, got '" + text + "'");
        }
        if (!(b[0] < b[1])) {
            throw new UsageException(option + " must have LO < HI (0 < LO < HI), got " + text);
        }
        return b;
    }

    private static List<Double> lambdas(String text, String option) {
        List<Double> values = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            values.add(Cli.doubleIn(part, option, 0, true, Double.MAX_VALUE, true));
        }
        return values;
    }

    static void printTable(FinetuneSearchExperiment.Result result, PrintStream out) {
        out.printf(Locale.ROOT, "found multipliers per layer (input side first):%n");
        for (FinetuneSearchExperiment.PairSearch p : result.searches()) {
            out.printf(Locale.ROOT, "  %-16s %s%n", p.pair(), format(p.result().bestMultipliers()));
        }
        out.printf(Locale.ROOT, "  %-16s %s%n", "geometric mean", format(result.combined()));
        out.printf(Locale.ROOT, "%nevaluation pair %s (test split; task-aware accuracy), pre-trained old %s%n",
                result.settings().evalPair(), SeedStatistics.meanSd(result.pretrainedOldAccuracy(), 3));
        out.printf(Locale.ROOT, "%-30s %7s %16s %16s%n", "method", "epochs", "new task", "old task");
        for (FinetuneSearchExperiment.MethodResult m : result.methods()) {
            out.printf(Locale.ROOT, "%-30s %7.1f %16s %16s%n", m.name(), mean(m.epochs()),
                    SeedStatistics.meanSd(m.newAccuracy(), 3), SeedStatistics.meanSd(m.oldAccuracy(), 3));
        }
    }

    static String format(double[] multipliers) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < multipliers.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", multipliers[i]));
        }
        return b.append(']').toString();
    }

    /** A setting as a short number: 100, 0.5, 1e-03. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return String.valueOf((long) v);
        }
        return Math.abs(v) >= 1e-2 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.0e", v);
    }
}
