package io.github.descent4j.examples.lora;

import io.github.descent4j.core.sharpness.toy.BalancednessExperiment;
import io.github.descent4j.core.sharpness.toy.BalancednessTrajectory;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./descent4j lora}: the showcase of issue 13. Without {@code --toy}: an MLP pre-trained on digits 0–4 is
 * fine-tuned on 5–9 by full fine-tuning, LoRA, LoRA+SAM, LoRA+nBAR and LoRA+oBAR ({@link LoraExperiment}, reported by
 * {@link FinetuneReport}), followed by the toy part unless {@code --no-toy}. With {@code --toy} only the toy part
 * runs: SGD and SAM on the scale-invariant toy problems of Li, Zhang and He (NeurIPS 2024, Appendix A.4), run by
 * {@link BalancednessExperiment#runPaperGrid()}, with the balancedness B = ½(‖x‖² − ‖y‖²) as a table, a plot and
 * {@code summary.json} ({@link ToyReport}).
 */
public final class LoraCommand {
    /** The seed of {@code docs/sharpness-toy.md}'s measured table. */
    static final long DEFAULT_SEED = 20241;
    /** Number of recorded points when {@code --every} is not given: B every T/100 steps. */
    static final int DEFAULT_POINTS = 100;

    private LoraCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j lora [--seeds N] [--epochs N] [--rank R] [options] [--no-toy] [--out DIR]",
                "       ./descent4j lora --toy [--steps T] [--seed S] [--every K] [--out DIR]",
                "",
                "  Fine-tuning (without --toy): an MLP 64-64-64-10 (tanh, Adam) pre-trained on digits 0-4 (embedded UCI digits)",
                "  is fine-tuned on 5-9 by full fine-tuning, LoRA on the three hidden layers (alpha = 2r; the output layer",
                "  trains normally), LoRA+SAM, LoRA+nBAR and LoRA+oBAR; reports 5-9 test accuracy, 0-4 test accuracy",
                "  (among 0-4), ms per step, trainable parameters, adapter file bytes and |B| = |(|A|^2 - |B|^2)/2| per LoRA",
                "  layer; writes DIR/summary.json and DIR/" + FinetuneReport.PLOT + ", then runs the toy part too (unless --no-toy).",
                "",
                "  --seeds N            seeds (splits, initialisations, orders), >= 1 (default " + DEFAULT_SEEDS + ")",
                "  --epochs N           fine-tuning epochs on 5-9, >= 1 (default " + DEFAULT_EPOCHS + ")",
                "  --pretrain-epochs N  epochs on 0-4, >= 1 (default " + DEFAULT_PRETRAIN_EPOCHS + ")",
                "  --rank R             LoRA rank, in [1, 64] (default " + DEFAULT_RANK + ")",
                "  --lr R               Adam's fine-tuning learning rate, > 0 (default " + DEFAULT_LR + ")",
                "  --rho R              SAM's radius, > 0 (default " + DEFAULT_RHO + ")",
                "  --bar-alpha A        BAR's alpha0, > 0, decayed linearly to 0 (default " + DEFAULT_BAR_ALPHA + ")",
                "  --no-toy             skip the toy part (summary.json then has \"toy\": [])",
                "",
                "  --toy: only the toy problems of Li, Zhang and He (NeurIPS 2024), Appendix A.4: NOP f = E|x y^T - (A + alpha N)|^2",
                "  and OP f = E(x^T y - (0.5 + alpha n))^2, x, y in R^3, x0 = (0.2, -0.1, 0.3), y0 = -3 x0, learning rate "
                        + BalancednessExperiment.PAPER_LEARNING_RATE + ",",
                "  SGD and SAM (rho " + BalancednessExperiment.PAPER_RHO_NOP + " on NOP, " + BalancednessExperiment.PAPER_RHO_OP
                        + " on OP) at alpha in " + Arrays.toString(BalancednessExperiment.PAPER_ALPHAS)
                        + "; tracks B = (|x|^2 - |y|^2)/2.",
                "  Prints the table, writes DIR/summary.json and DIR/" + ToyReport.PLOT + " (|B| over the steps of every run).",
                "",
                "  --toy          run only the toy problems (the methods object of summary.json is then empty)",
                "  --steps T      toy steps per run, >= 1 (default " + BalancednessExperiment.PAPER_STEPS + ", the paper's)",
                "  --seed S       seed of the toy noise sequence, shared by every run (default " + DEFAULT_SEED + ")",
                "  --every K      record toy B every K steps, >= 1 (default T/" + DEFAULT_POINTS + ", at least 1)",
                "  --out DIR      output directory (default descent4j-out/lora)",
                "  --help         this text",
                "");
    }

    static final int DEFAULT_SEEDS = 3;
    static final int DEFAULT_EPOCHS = 10;
    static final int DEFAULT_PRETRAIN_EPOCHS = 30;
    static final int DEFAULT_RANK = 8;
    static final double DEFAULT_LR = 1e-3;
    static final double DEFAULT_RHO = 0.05;
    static final double DEFAULT_BAR_ALPHA = 10;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean toy = false;
        boolean noToy = false;
        long steps = BalancednessExperiment.PAPER_STEPS;
        long seed = DEFAULT_SEED;
        Integer every = null;
        int seeds = DEFAULT_SEEDS;
        int epochs = DEFAULT_EPOCHS;
        int pretrainEpochs = DEFAULT_PRETRAIN_EPOCHS;
        int rank = DEFAULT_RANK;
        double lr = DEFAULT_LR;
        double rho = DEFAULT_RHO;
        double barAlpha = DEFAULT_BAR_ALPHA;
        Path outDir = Paths.get("descent4j-out", "lora");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--toy" -> toy = true;
                case "--no-toy" -> noToy = true;
                case "--steps" -> steps = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seed" -> seed = Cli.parseLong(Cli.value(args, ++i, option), option);
                case "--every" -> every = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seeds" -> seeds = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--pretrain-epochs" -> pretrainEpochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--rank" -> {
                    rank = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                    if (rank > 64) {
                        throw new UsageException("--rank must be an integer in [1, 64] (the hidden width), got " + rank);
                    }
                }
                case "--lr" -> lr = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, true);
                case "--rho" -> rho = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, true);
                case "--bar-alpha" -> barAlpha = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, true);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j lora --help");
            }
        }
        if (toy && noToy) {
            throw new UsageException("--toy and --no-toy exclude each other");
        }
        LoraExperiment.Result finetune = null;
        if (!toy) {
            var settings = new LoraExperiment.Settings(seeds, pretrainEpochs, epochs, rank, lr, rho, barAlpha);
            out.printf(Locale.ROOT, "lora: UCI digits (embedded), %d seeds; pre-train on 0-4 for %d epochs, fine-tune on 5-9 "
                            + "for %d epochs with Adam %s; LoRA r %d, alpha %d on layers 0-2; SAM rho %s; BAR alpha0 %s (linear)%n",
                    seeds, pretrainEpochs, epochs, lr, rank, 2 * rank, rho, barAlpha);
            finetune = LoraExperiment.run(EmbeddedData.digits(), settings, out);
            out.println();
            FinetuneReport.printTable(finetune, out);
        }
        List<BalancednessTrajectory> runs = List.of();
        ToyReport.Settings toySettings = null;
        if (!noToy) {
            int recordEvery = every != null ? every : (int) Math.max(1, steps / DEFAULT_POINTS);
            var experiment = new BalancednessExperiment(BalancednessExperiment.PAPER_LEARNING_RATE, steps, recordEvery, seed,
                    BalancednessExperiment.paperX0(), BalancednessExperiment.paperY0());
            out.printf(Locale.ROOT, "%slora --toy: NOP and OP (Li, Zhang, He 2024, A.4), SGD and SAM, alpha in %s; lr %s, "
                            + "%d steps, seed %d, B recorded every %d steps%n", toy ? "" : "\n",
                    Arrays.toString(BalancednessExperiment.PAPER_ALPHAS), BalancednessExperiment.PAPER_LEARNING_RATE, steps,
                    seed, recordEvery);
            long start = System.nanoTime();
            runs = experiment.runPaperGrid();
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println();
            ToyReport.printTable(runs, out);
            toySettings = new ToyReport.Settings(steps, seed, recordEvery, seconds);
        }
        final LoraExperiment.Result fine = finetune;
        final List<BalancednessTrajectory> toyRuns = runs;
        final ToyReport.Settings ts = toySettings;
        ReportFiles.write(outDir, dir -> {
            ObjectNode root = ts != null ? ToyReport.summary(toyRuns, ts) : emptySummary();
            if (fine != null) {
                FinetuneReport.summary(fine, root);
            }
            ReportFiles.writeJson(dir, ToyReport.SUMMARY, root);  // creates dir, so first
            if (fine != null) {
                FinetuneReport.writePlot(fine, dir);
            }
            if (ts != null) {
                ToyReport.writePlot(toyRuns, ts, dir);
            }
        });
        List<String> files = new ArrayList<>(List.of(ToyReport.SUMMARY));
        if (fine != null) {
            files.add(FinetuneReport.PLOT);
        }
        if (ts != null) {
            files.add(ToyReport.PLOT);
        }
        out.printf(Locale.ROOT, "%nwrote %s in %s%s%n", String.join(" and ", files), outDir,
                ts != null ? String.format(Locale.ROOT, " (toy %.1f s)", ts.seconds()) : "");
        return 0;
    }

    private static ObjectNode emptySummary() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", "lora");
        root.putObject("methods");
        root.putArray("toy");
        return root;
    }
}
