package io.github.descent4j.examples.imbalance;

import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;
import io.github.descent4j.datasets.HeavyTailedSynthetic;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.NextWordDataset;
import io.github.descent4j.datasets.SparseLabelledData;
import io.github.descent4j.core.imbalance.ClassWeighting;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.imbalance.ClassWeightedExamples;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code ./descent4j imbalance}: the heavy-tailed class-imbalance showcase (Kunstner et al. 2024) on the
 * synthetic problem or on next-word prediction from a text file.
 */
public final class ImbalanceCommand {
    static final int DEFAULT_M = 6;
    /** Short enough that gradient descent's best rate is inside the grid, long enough for Adam to fit every group. */
    static final int DEFAULT_SYNTHETIC_STEPS = 50;
    static final int DEFAULT_TEXT_STEPS = 1000;
    static final int DEFAULT_TEXT_BATCH = 512;
    /** With fewer words, {@code <unk>} holds over 20% of tokens and 10 equal-mass groups cannot all be non-empty. */
    static final int DEFAULT_VOCAB = 1000;
    static final int DEFAULT_CONTEXT = 1;
    static final int DEFAULT_TEXT_GROUPS = 10;
    static final int DEFAULT_EVAL_EXAMPLES = 10000;
    /** Loss checkpoints per run; each costs a pass over the evaluated examples. */
    static final int CHECKPOINTS_SYNTHETIC = 50;
    static final int CHECKPOINTS_TEXT = 25;

    private ImbalanceCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j imbalance [--synthetic M | --text FILE] [--vocab V] [--context K] [--optimizers LIST]",
                "                             [--steps T] [--batch B|full] [--groups G] [--out DIR] [options]",
                "",
                "  Trains a linear softmax model (Tribuo, descent4j's mean-gradient loop) with each optimizer, picks each",
                "  optimizer's learning rate from a small log grid by lowest final training loss (diverged runs score as",
                "  the initial loss), and tracks the training loss of each class-frequency group (Kunstner et al. 2024).",
                "  Writes DIR/summary.json, DIR/group-loss.png and DIR/overall-loss.png and prints a table.",
                "",
                "  --synthetic M     heavy-tailed synthetic data: 2^i classes with 2^(M-i) examples for i < M",
                "                    (default, M = " + DEFAULT_M + ": " + DEFAULT_M * (1 << DEFAULT_M) + " examples, "
                        + ((1 << DEFAULT_M) - 1) + " classes, full batch, " + DEFAULT_SYNTHETIC_STEPS + " steps, M groups)",
                "  --text FILE       next-word prediction from a text file: the V most frequent words plus <unk> are the",
                "                    classes, the previous K words the features (default " + DEFAULT_TEXT_STEPS + " steps, batch "
                        + DEFAULT_TEXT_BATCH + ", " + DEFAULT_TEXT_GROUPS + " groups)",
                "  --vocab V         vocabulary size for --text, >= 2 (default " + DEFAULT_VOCAB + ")",
                "  --context K       previous words used as features for --text, >= 1 (default " + DEFAULT_CONTEXT + ")",
                "  --max-examples N  use only the first N next-word examples of --text",
                "  --eval-examples N group losses are measured on a seeded sample of N training examples (--text;",
                "                    default " + DEFAULT_EVAL_EXAMPLES + "; synthetic data is always measured in full)",
                "  --eval-every N    record group losses every N steps (default: 50 checkpoints synthetic, 25 text)",
                "  --optimizers LIST comma-separated (default " + String.join(",", OptimiserCatalog.DEFAULT) + ");",
                "                    known: " + String.join(", ", OptimiserCatalog.names()),
                "  --steps T         optimizer steps per run",
                "  --batch B|full    examples per step, or full batch",
                "  --groups G        class-frequency groups, 1 <= G <= classes",
                "  --lr-grid LIST    comma-separated learning rates tried for every optimizer (default: synthetic, the",
                "                    decades 1e-4..10 for all; text, 4 decades per family: sign methods and Lion",
                "                    1e-4..1e-1, Adam 1e-3..1, NormalizedSGD 1e-2..10, SGD and AdaGradNorm 1e-1..100)",
                "  --class-weights W none, inverse (1/pi_k) or inverse-sqrt (1/sqrt(pi_k)) example weights (default none)",
                "  --seed S          data and shuffling seed (default 1)",
                "  --threads N       runs trained in parallel (default: available processors)",
                "  --out DIR         output directory (default descent4j-out/imbalance)",
                "");
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Integer m = null;
        Path text = null;
        int vocab = DEFAULT_VOCAB;
        int context = DEFAULT_CONTEXT;
        Integer maxExamples = null;
        int evalExamples = DEFAULT_EVAL_EXAMPLES;
        Integer evalEvery = null;
        List<OptimiserCatalog.Entry> optimizers = null;
        Integer steps = null;
        Integer batch = null;
        Integer groups = null;
        double[] grid = null;
        ClassWeighting weighting = ClassWeighting.NONE;
        long seed = 1;
        int threads = Runtime.getRuntime().availableProcessors();
        Path outDir = Paths.get("descent4j-out", "imbalance");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--synthetic" -> m = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--text" -> text = Paths.get(Cli.value(args, ++i, option));
                case "--vocab" -> vocab = Cli.intAtLeast(Cli.value(args, ++i, option), option, 2);
                case "--context" -> context = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--max-examples" -> maxExamples = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--eval-examples" -> evalExamples = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--eval-every" -> evalEvery = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--optimizers" -> optimizers = OptimiserCatalog.parse(Cli.value(args, ++i, option));
                case "--steps" -> steps = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--batch" -> {
                    String v = Cli.value(args, ++i, option);
                    batch = v.equalsIgnoreCase("full") ? 0 : Cli.intAtLeast(v, option, 1);
                }
                case "--groups" -> groups = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--lr-grid" -> grid = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                case "--class-weights" -> {
                    try {
                        weighting = ClassWeighting.parse(Cli.value(args, ++i, option));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--class-weights: " + e.getMessage());
                    }
                }
                case "--seed" -> seed = Cli.parseLong(Cli.value(args, ++i, option), option);
                case "--threads" -> threads = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j imbalance --help");
            }
        }
        if (m != null && text != null) {
            throw new UsageException("--synthetic and --text are alternatives; give one");
        }
        String description;
        MutableDataset<Label> train;
        MutableDataset<Label> evaluated;
        if (text == null) {
            int size = m == null ? DEFAULT_M : m;
            if (size > HeavyTailedSynthetic.MAX_SIZE) {
                throw new UsageException("--synthetic must be an integer in [1, " + HeavyTailedSynthetic.MAX_SIZE + "], got " + size);
            }
            LabelledData data = HeavyTailedSynthetic.generate(size, seed);
            description = "synthetic heavy-tailed (m=" + size + ")";
            train = TribuoDatasets.classification(data, description, false);
            evaluated = train;
            steps = steps == null ? DEFAULT_SYNTHETIC_STEPS : steps;
            batch = batch == null ? 0 : batch;
            groups = groups == null ? size : groups;
            grid = grid == null ? OptimiserCatalog.WIDE_GRID : grid;
            evalEvery = evalEvery == null ? Math.max(1, steps / CHECKPOINTS_SYNTHETIC) : evalEvery;
        } else {
            SparseLabelledData data = readText(text, vocab, context, maxExamples);
            description = text.getFileName() + " next word (V=" + vocab + ", k=" + context + ")";
            train = TribuoDatasets.classification(data, description);
            evaluated = data.size() <= evalExamples ? train
                    : TribuoDatasets.classification(data.select(sample(data.size(), evalExamples, seed)), description + " sample");
            steps = steps == null ? DEFAULT_TEXT_STEPS : steps;
            batch = batch == null ? DEFAULT_TEXT_BATCH : batch;
            groups = groups == null ? DEFAULT_TEXT_GROUPS : groups;
            evalEvery = evalEvery == null ? Math.max(1, steps / CHECKPOINTS_TEXT) : evalEvery;
        }
        if (weighting != ClassWeighting.NONE) {
            ClassWeightedExamples.apply(train, weighting);
        }
        int classes = train.getOutputInfo().size();
        if (groups > classes) {
            throw new UsageException("--groups must be at most the number of classes (" + classes + "), got " + groups);
        }
        checkNoEmptyGroup(train, groups);
        optimizers = optimizers == null ? OptimiserCatalog.parse(String.join(",", OptimiserCatalog.DEFAULT)) : optimizers;
        var settings = new ImbalanceExperiment.Settings(steps, batch, groups, optimizers, grid, seed, threads, evalEvery);
        out.printf(Locale.ROOT, "imbalance: %s: %d examples, %d classes, %d features; %d steps, batch %s, %d groups%s%n",
                description, train.size(), classes, train.getFeatureMap().size(), steps, batch == 0 ? "full" : batch.toString(),
                groups, weighting == ClassWeighting.NONE ? "" : ", class weights " + weighting);
        ImbalanceExperiment.Result result = ImbalanceExperiment.run(description, train, evaluated, settings, out);
        out.println();
        ImbalanceReport.printTable(result, out);
        ReportFiles.write(outDir, dir -> ImbalanceReport.write(result, dir));
        out.printf(Locale.ROOT, "%nwrote %s, %s and %s in %s (%.0f s)%n", ImbalanceReport.SUMMARY, ImbalanceReport.GROUP_PLOT,
                ImbalanceReport.OVERALL_PLOT, outDir, result.seconds());
        return 0;
    }

    /**
     * The frequency grouping follows Kunstner et al.'s {@code split_classes_by_frequency}, which leaves a group
     * without any class when one class holds more than 1/G of the examples; a group loss needs a class in every
     * group, so such a G is refused here with the largest one that works.
     */
    private static void checkNoEmptyGroup(MutableDataset<Label> train, int groups) {
        List<Integer> empty;
        try {
            empty = emptyGroups(ImbalanceExperiment.groupsOf(train, groups));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--groups: " + e.getMessage());
        }
        if (!empty.isEmpty()) {
            int largest = groups - 1;
            while (largest > 1 && !emptyGroups(ImbalanceExperiment.groupsOf(train, largest)).isEmpty()) {
                largest--;
            }
            throw new UsageException("--groups " + groups + " leaves frequency group(s) " + empty + " without any class (a class"
                    + " holds more than 1/" + groups + " of the training examples), so their loss cannot be tracked;"
                    + " the largest --groups that leaves none empty is " + largest);
        }
    }

    private static List<Integer> emptyGroups(int[][] grouping) {
        List<Integer> empty = new ArrayList<>();
        for (int g = 0; g < grouping.length; g++) {
            if (grouping[g].length == 0) {
                empty.add(g);
            }
        }
        return empty;
    }

    private static SparseLabelledData readText(Path text, int vocab, int context, Integer maxExamples) {
        if (!Files.isRegularFile(text)) {
            throw new UsageException("text file " + text + " does not exist");
        }
        try {
            NextWordDataset dataset = maxExamples == null ? NextWordDataset.fromFile(text, vocab, context)
                    : NextWordDataset.fromFile(text, vocab, context, maxExamples);
            return dataset.data();
        } catch (NoSuchFileException e) {
            throw new UsageException("text file " + text + " does not exist");
        } catch (IOException e) {
            throw new UsageException("cannot read " + text + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException(text + ": " + e.getMessage());
        }
    }

    private static int[] sample(int n, int k, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] rows = java.util.Arrays.copyOf(order, k);
        java.util.Arrays.sort(rows);
        return rows;
    }
}
