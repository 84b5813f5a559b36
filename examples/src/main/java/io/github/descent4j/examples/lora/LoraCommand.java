package io.github.descent4j.examples.lora;

import io.github.descent4j.core.sharpness.toy.BalancednessExperiment;
import io.github.descent4j.core.sharpness.toy.BalancednessTrajectory;
import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./descent4j lora}: the showcase of issue 13. Today only its {@code --toy} part exists: SGD and SAM on the
 * scale-invariant toy problems of Li, Zhang and He (NeurIPS 2024, Appendix A.4), run by
 * {@link BalancednessExperiment#runPaperGrid()}, with the balancedness B = ½(‖x‖² − ‖y‖²) as a table, a plot and
 * {@code summary.json} ({@link ToyReport}). The LoRA fine-tuning comparison is not implemented yet; without
 * {@code --toy} the command refuses with a {@link UsageException}.
 */
public final class LoraCommand {
    /** The seed of {@code docs/sharpness-toy.md}'s measured table. */
    static final long DEFAULT_SEED = 20241;
    /** Number of recorded points when {@code --every} is not given: B every T/100 steps. */
    static final int DEFAULT_POINTS = 100;

    private LoraCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j lora --toy [--steps T] [--seed S] [--every K] [--out DIR]",
                "",
                "  --toy: the toy problems of Li, Zhang and He (NeurIPS 2024), Appendix A.4: NOP f = E|x y^T - (A + alpha N)|^2",
                "  and OP f = E(x^T y - (0.5 + alpha n))^2, x, y in R^3, x0 = (0.2, -0.1, 0.3), y0 = -3 x0, learning rate "
                        + BalancednessExperiment.PAPER_LEARNING_RATE + ",",
                "  SGD and SAM (rho " + BalancednessExperiment.PAPER_RHO_NOP + " on NOP, " + BalancednessExperiment.PAPER_RHO_OP
                        + " on OP) at alpha in " + Arrays.toString(BalancednessExperiment.PAPER_ALPHAS)
                        + "; tracks B = (|x|^2 - |y|^2)/2.",
                "  Prints the table, writes DIR/summary.json and DIR/" + ToyReport.PLOT + " (|B| over the steps of every run).",
                "  The fine-tuning comparison (full vs LoRA vs LoRA+SAM/nBAR/oBAR on the digits) is not implemented yet.",
                "",
                "  --toy          run the toy problems (required for now)",
                "  --steps T      steps per run, >= 1 (default " + BalancednessExperiment.PAPER_STEPS + ", the paper's)",
                "  --seed S       seed of the noise sequence, shared by every run (default " + DEFAULT_SEED + ")",
                "  --every K      record B every K steps, >= 1 (default T/" + DEFAULT_POINTS + ", at least 1)",
                "  --out DIR      output directory (default descent4j-out/lora)",
                "  --help         this text",
                "");
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean toy = false;
        long steps = BalancednessExperiment.PAPER_STEPS;
        long seed = DEFAULT_SEED;
        Integer every = null;
        Path outDir = Paths.get("descent4j-out", "lora");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--toy" -> toy = true;
                case "--steps" -> steps = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seed" -> seed = Cli.parseLong(Cli.value(args, ++i, option), option);
                case "--every" -> every = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j lora --help");
            }
        }
        if (!toy) {
            throw new UsageException("lora: the LoRA fine-tuning comparison is not implemented yet; "
                    + "use ./descent4j lora --toy for SGD vs SAM on the paper's toy problems");
        }
        int recordEvery = every != null ? every : (int) Math.max(1, steps / DEFAULT_POINTS);
        var experiment = new BalancednessExperiment(BalancednessExperiment.PAPER_LEARNING_RATE, steps, recordEvery, seed,
                BalancednessExperiment.paperX0(), BalancednessExperiment.paperY0());
        out.printf(Locale.ROOT, "lora --toy: NOP and OP (Li, Zhang, He 2024, A.4), SGD and SAM, alpha in %s; lr %s, "
                        + "%d steps, seed %d, B recorded every %d steps%n", Arrays.toString(BalancednessExperiment.PAPER_ALPHAS),
                BalancednessExperiment.PAPER_LEARNING_RATE, steps, seed, recordEvery);
        long start = System.nanoTime();
        List<BalancednessTrajectory> runs = experiment.runPaperGrid();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        ToyReport.printTable(runs, out);
        var settings = new ToyReport.Settings(steps, seed, recordEvery, seconds);
        ReportFiles.write(outDir, dir -> ToyReport.write(runs, settings, dir));
        out.printf(Locale.ROOT, "%nwrote %s and %s in %s (%.1f s)%n", ToyReport.SUMMARY, ToyReport.PLOT, outDir, seconds);
        return 0;
    }
}
