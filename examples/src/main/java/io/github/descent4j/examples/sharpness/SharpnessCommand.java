package io.github.descent4j.examples.sharpness;

import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * {@code ./descent4j sharpness}: SAM and ASAM against their base optimiser under label noise, and nBAR / oBAR
 * against SGD and SAM on a scale-invariant low-rank layer, in DL4J on the digits ({@link SharpnessExperiment}).
 */
public final class SharpnessCommand {
    static final int DEFAULT_EPOCHS = 20;
    static final int DEFAULT_SEEDS = 3;
    static final double DEFAULT_NOISE = 0.2;
    static final double DEFAULT_RHO = 0.05;
    static final double DEFAULT_ASAM_RHO = 0.5;
    static final double DEFAULT_ASAM_ETA = 0.01;
    static final double DEFAULT_ALPHA = 0.1;
    static final AlphaScheduleConfig.Kind DEFAULT_ALPHA_SCHEDULE = AlphaScheduleConfig.Kind.CONSTANT;
    static final int DEFAULT_RANK = 8;
    static final double DEFAULT_INIT_SCALE = 3.0;
    static final double[] DEFAULT_RADII = {2.0, 5.0};
    static final int DEFAULT_DIRECTIONS = 10;
    static final int DEFAULT_EVERY = 10;

    private SharpnessCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j sharpness [--epochs E] [--seeds N] [--noise F] [--rho R] [--asam-rho R] [--alpha A]",
                "                             [--out DIR] [options]",
                "",
                "  On the embedded digits (70/30 split per seed) with a fraction F of the TRAINING labels flipped to a",
                "  different class (test labels clean):",
                "  1. an MLP 64-" + SharpnessExperiment.HIDDEN + "-" + SharpnessExperiment.HIDDEN + "-10 (ReLU, softmax) trained with SGD + Nesterov momentum "
                        + SharpnessExperiment.MOMENTUM + " (lr " + SharpnessExperiment.NOISE_LR + ")",
                "     alone, with SAM and with ASAM; reports clean test accuracy, accuracy on the noisy training labels,",
                "     the share of flipped examples predicted as their wrong label, and a sharpness proxy: the mean",
                "     increase of the training loss when all weights move by a random Gaussian direction of norm r;",
                "  2. a low-rank MLP 64-r-" + SharpnessExperiment.FACTOR_HIDDEN + "-10 whose first two weight matrices (x, y) form a scale-invariant",
                "     pair (identity activation, no bias between them), initialised unbalanced (x times s, y divided by s),",
                "     trained with plain SGD (lr " + SharpnessExperiment.FACTOR_LR + "), SAM, nBAR and oBAR; records B = (|x|^2 - |y|^2)/2.",
                "  Every method of a seed starts from the same weights and sees the same minibatches ("
                        + SharpnessExperiment.BATCH + ").",
                "  Writes DIR/summary.json, DIR/noise.png, DIR/sharpness.png and DIR/balancedness.png and prints tables.",
                "",
                "  --epochs E          passes over the training data, every run, >= 1 (default " + DEFAULT_EPOCHS + ")",
                "  --seeds N           seeds 1..N (split, flips, initialisation, order), >= 1 (default " + DEFAULT_SEEDS + ")",
                "  --noise F           fraction of training labels flipped, in [0, 1) (default " + DEFAULT_NOISE + ")",
                "  --rho R             SAM radius, > 0 (default " + DEFAULT_RHO + ")",
                "  --asam-rho R        ASAM radius, > 0 (default " + DEFAULT_ASAM_RHO + ")",
                "  --asam-eta H        ASAM offset eta, >= 0 (default " + DEFAULT_ASAM_ETA + ")",
                "  --alpha A           BAR alpha_0, >= 0 (default " + DEFAULT_ALPHA + ")",
                "  --alpha-schedule S  constant|linear|cosine over all iterations (default "
                        + DEFAULT_ALPHA_SCHEDULE.name().toLowerCase(Locale.ROOT) + ")",
                "  --rank R            rank r of the factorised layer, in [1, 64] (default " + DEFAULT_RANK + ")",
                "  --init-scale S      initial imbalance factor s, >= 1 (default " + DEFAULT_INIT_SCALE + ")",
                "  --radius r[,r...]   norms of the sharpness proxy's weight perturbation, each > 0 (default "
                        + radii(DEFAULT_RADII) + ")",
                "  --directions K      random directions averaged by the proxy, >= 1 (default " + DEFAULT_DIRECTIONS + ")",
                "  --every K           record B every K iterations, >= 1 (default " + DEFAULT_EVERY + ")",
                "  --out DIR           output directory (default descent4j-out/sharpness)",
                "");
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int epochs = DEFAULT_EPOCHS;
        int seeds = DEFAULT_SEEDS;
        double noise = DEFAULT_NOISE;
        double rho = DEFAULT_RHO;
        double asamRho = DEFAULT_ASAM_RHO;
        double asamEta = DEFAULT_ASAM_ETA;
        double alpha = DEFAULT_ALPHA;
        AlphaScheduleConfig.Kind schedule = DEFAULT_ALPHA_SCHEDULE;
        int rank = DEFAULT_RANK;
        double initScale = DEFAULT_INIT_SCALE;
        double[] radii = DEFAULT_RADII;
        int directions = DEFAULT_DIRECTIONS;
        int every = DEFAULT_EVERY;
        Path outDir = Paths.get("descent4j-out", "sharpness");
        double inf = Double.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seeds" -> seeds = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--noise" -> noise = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, 1, false);
                case "--rho" -> rho = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, inf, false);
                case "--asam-rho" -> asamRho = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, inf, false);
                case "--asam-eta" -> asamEta = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, inf, false);
                case "--alpha" -> alpha = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, inf, false);
                case "--alpha-schedule" -> schedule = alphaSchedule(Cli.value(args, ++i, option));
                case "--rank" -> {
                    rank = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                    if (rank > 64) {
                        throw new UsageException("--rank must be an integer in [1, 64], got " + rank);
                    }
                }
                case "--init-scale" -> initScale = Cli.doubleIn(Cli.value(args, ++i, option), option, 1, true, inf, false);
                case "--radius" -> radii = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                case "--directions" -> directions = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--every" -> every = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j sharpness --help");
            }
        }
        var settings = new SharpnessExperiment.Settings(epochs, seeds, noise, rho, asamRho, asamEta, alpha, schedule, rank,
                initScale, radii, directions, every);
        out.printf(Locale.ROOT, "sharpness: UCI digits (embedded), 70/30 split, %.0f%% of training labels flipped; %d epochs, "
                + "minibatch %d, %d seeds%n", 100 * noise, epochs, SharpnessExperiment.BATCH, seeds);
        SharpnessExperiment.Result result = SharpnessExperiment.run(EmbeddedData.digits(), settings, out);
        out.println();
        SharpnessReport.printTables(result, out);
        ReportFiles.write(outDir, dir -> SharpnessReport.write(result, dir));
        out.printf(Locale.ROOT, "%nwrote %s, %s, %s and %s in %s (%.0f s)%n", SharpnessReport.SUMMARY,
                SharpnessReport.NOISE_PLOT, SharpnessReport.SHARPNESS_PLOT, SharpnessReport.BALANCEDNESS_PLOT, outDir, result.seconds());
        return 0;
    }

    private static AlphaScheduleConfig.Kind alphaSchedule(String text) {
        for (AlphaScheduleConfig.Kind k : AlphaScheduleConfig.Kind.values()) {
            if (k.name().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new UsageException("--alpha-schedule must be constant, linear or cosine, got '" + text + "'");
    }

    private static String radii(double[] radii) {
        StringBuilder b = new StringBuilder();
        for (double r : radii) {
            b.append(b.length() == 0 ? "" : ",").append(r);
        }
        return b.toString();
    }
}
