package io.github.descent4j.examples.batch;

import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;
import io.github.descent4j.datasets.HeavyTailedSynthetic;
import io.github.descent4j.datasets.LabelledData;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

/**
 * {@code ./descent4j batch}: adaptive batch sizes (Lau, Liu, Kolar 2024) against a constant batch, for
 * AdaGrad-Norm and AdaGrad on the UCI digits or the heavy-tailed synthetic softmax problem, with fixed
 * learning rates or ({@code --tune}) each optimiser &times; schedule tuned on data the reported accuracy never sees.
 */
public final class BatchCommand {
    static final int DEFAULT_B0 = 4;
    static final int DEFAULT_EPOCHS = 10;
    static final double DEFAULT_TARGET_DIGITS = 0.95;
    static final double DEFAULT_TARGET_SYNTHETIC = 0.9;
    static final int DEFAULT_SYNTHETIC_M = 6;
    static final double DEFAULT_ETA = 1.0;
    static final double DEFAULT_THETA = 1.0;
    static final double DEFAULT_NU = 1.0;
    static final double[] DEFAULT_ADAGRAD_NORM_RATES = {0.25, 0.5, 1, 2, 4, 8};
    static final double[] DEFAULT_ADAGRAD_RATES = {0.025, 0.05, 0.1, 0.2, 0.4, 0.8};
    static final double[] DEFAULT_ETAS = {0.5, 0.75, 1, 1.25, 1.5};
    static final double[] DEFAULT_THETAS = {0.5, 1, 1.5};
    static final double[] DEFAULT_NUS = {0.75, 1, 1.25};
    static final double DEFAULT_VALIDATION = 0.25;
    static final double DEFAULT_TOLERANCE_POINTS = 0.5;
    /** The synthetic problem's tuning instance is generated with the seed plus this, so it is independent. */
    static final long SYNTHETIC_TUNING_SEED_OFFSET = 1000;
    /** The seed's target: at least this many times fewer steps than the constant batch ... */
    static final double TARGET_STEP_RATIO = 10;
    /** ... at most this many accuracy points lower. */
    static final double TARGET_ACCURACY_LOSS_POINTS = 0.5;

    private BatchCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j batch [--data digits|synthetic] [--b0 B] [--max-batch N] [--epochs E] [--target ACC]",
                "                         [--eta η] [--theta θ] [--nu ν] [--seeds K] [--out DIR] [--seed S]",
                "                         [--tune [--validation F] [--select accuracy|steps] [--tolerance P] [--adagradnorm-lrs LIST]",
                "                                 [--adagrad-lrs LIST] [--eta-grid LIST] [--theta-grid LIST] [--nu-grid LIST]]",
                "",
                "  Trains a linear softmax model (descent4j's LinearClassificationTrainer, LogMulticlass) with AdaGrad-Norm",
                "  (descent4j, lr " + BatchExperiment.ADAGRAD_NORM_LR + ") and AdaGrad (Tribuo, lr " + BatchExperiment.ADAGRAD_LR
                        + "), each with a constant batch b0, the norm test and",
                "  the augmented test (adaptive batch sizes, Lau, Liu, Kolar 2024), all for the same number of epochs.",
                "  Reports optimiser steps and examples processed until the accuracy first reaches the target, final",
                "  accuracy and batch size, and whether each test meets the seed's target (>= " + (int) TARGET_STEP_RATIO
                        + "x fewer steps than the",
                "  constant batch at <= " + TARGET_ACCURACY_LOSS_POINTS + " points lower accuracy). Writes DIR/summary.json and "
                        + "DIR/batch-size.png and prints a table.",
                "",
                "  --data digits|synthetic  the embedded UCI digits (1797 x 64, 10 classes; 70/30 split, standardised,",
                "                    accuracy on the test part; default) or the heavy-tailed synthetic problem",
                "                    (m = " + DEFAULT_SYNTHETIC_M + ", " + (DEFAULT_SYNTHETIC_M << DEFAULT_SYNTHETIC_M)
                        + " examples, random features: accuracy on the training data)",
                "  --b0 B            initial (and constant) batch size, >= 1 (default " + DEFAULT_B0 + ")",
                "  --max-batch N     largest adaptive batch size, >= b0 (default: the training set size)",
                "  --epochs E        passes over the training data, the same for every run (default " + DEFAULT_EPOCHS + ")",
                "  --target ACC      accuracy target in (0, 1] (default " + DEFAULT_TARGET_DIGITS + " digits, "
                        + DEFAULT_TARGET_SYNTHETIC + " synthetic)",
                "  --eta η           norm-test parameter, > 0 (default " + DEFAULT_ETA + ")",
                "  --theta θ         augmented test: inner-product parameter, > 0 (default " + DEFAULT_THETA + ")",
                "  --nu ν            augmented test: orthogonality parameter, > 0 (default " + DEFAULT_NU + ")",
                "  --seeds K         repeat for seeds S, S+1, ..., S+K-1 and report means, >= 1 (default 1)",
                "  --seed S          split, data and shuffling seed (default 1)",
                "  --threads N       runs trained in parallel (default: available processors)",
                "  --out DIR         output directory (default descent4j-out/batch)",
                "",
                "  --tune            choose every optimiser x schedule's learning rate (and the test's parameters) from the",
                "                    grids below, on tuning data only, then train the choice and report it. digits: a",
                "                    stratified validation part of the training data (standardised on the rest); synthetic:",
                "                    an independent instance (seed + " + SYNTHETIC_TUNING_SEED_OFFSET + "). A constant batch takes its most"
                        + " accurate rate",
                "                    (accuracy ties: the lower cross-entropy loss)",
                "  --select accuracy|steps  tuning: a test keeps the runs at most P points less accurate than that constant",
                "                    batch and takes the fewest steps (accuracy, default), or keeps the runs with >= "
                        + BatchExperiment.number(TARGET_STEP_RATIO) + "x fewer",
                "                    steps and takes the most accurate (steps); if none qualifies, the best by the kept criterion",
                "  --validation F    tuning: validation fraction of the training data, in (0, 1) (default " + DEFAULT_VALIDATION + ")",
                "  --tolerance P     tuning: accuracy points a test may lose with --select accuracy, in [0, 100] (default "
                        + DEFAULT_TOLERANCE_POINTS + ")",
                "  --adagradnorm-lrs LIST  tuning: AdaGrad-Norm learning rates (default " + list(DEFAULT_ADAGRAD_NORM_RATES) + ")",
                "  --adagrad-lrs LIST      tuning: AdaGrad learning rates (default " + list(DEFAULT_ADAGRAD_RATES) + ")",
                "  --eta-grid LIST         tuning: norm-test η values (default " + list(DEFAULT_ETAS) + ")",
                "  --theta-grid LIST       tuning: augmented-test θ values (default " + list(DEFAULT_THETAS) + ")",
                "  --nu-grid LIST          tuning: augmented-test ν values, every (θ, ν) pair is tried (default "
                        + list(DEFAULT_NUS) + ")",
                "");
    }

    private static String list(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : ",").append(BatchExperiment.number(v));
        }
        return b.toString();
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String data = "digits";
        int b0 = DEFAULT_B0;
        Integer maxBatch = null;
        int epochs = DEFAULT_EPOCHS;
        Double target = null;
        double eta = DEFAULT_ETA;
        double theta = DEFAULT_THETA;
        double nu = DEFAULT_NU;
        long seed = 1;
        int seedCount = 1;
        Integer synthetic = null;
        int threads = Runtime.getRuntime().availableProcessors();
        Path outDir = Paths.get("descent4j-out", "batch");
        boolean tune = false;
        String tuningOption = null;
        double validation = DEFAULT_VALIDATION;
        double tolerancePoints = DEFAULT_TOLERANCE_POINTS;
        Selection selection = Selection.ACCURACY;
        double[] adaGradNormRates = DEFAULT_ADAGRAD_NORM_RATES;
        double[] adaGradRates = DEFAULT_ADAGRAD_RATES;
        double[] etas = DEFAULT_ETAS;
        double[] thetas = DEFAULT_THETAS;
        double[] nus = DEFAULT_NUS;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--data" -> {
                    data = Cli.value(args, ++i, option);
                    if (!data.equals("digits") && !data.equals("synthetic")) {
                        throw new UsageException("--data must be digits or synthetic, got '" + data + "'");
                    }
                }
                case "--synthetic-size" -> synthetic = Cli.intAtLeast(Cli.value(args, ++i, option), option, 2);
                case "--b0" -> b0 = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--max-batch" -> maxBatch = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--target" -> target = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, true);
                case "--eta" -> eta = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, false);
                case "--theta" -> theta = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, false);
                case "--nu" -> nu = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, false);
                case "--seed" -> seed = Cli.parseLong(Cli.value(args, ++i, option), option);
                case "--seeds" -> seedCount = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--threads" -> threads = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                case "--tune" -> tune = true;
                case "--validation" -> {
                    validation = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, false);
                    tuningOption = option;
                }
                case "--select" -> {
                    String v = Cli.value(args, ++i, option);
                    selection = switch (v) {
                        case "accuracy" -> Selection.ACCURACY;
                        case "steps" -> Selection.STEPS;
                        default -> throw new UsageException("--select must be accuracy or steps, got '" + v + "'");
                    };
                    tuningOption = option;
                }
                case "--tolerance" -> {
                    tolerancePoints = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, 100, true);
                    tuningOption = option;
                }
                case "--adagradnorm-lrs" -> {
                    adaGradNormRates = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                    tuningOption = option;
                }
                case "--adagrad-lrs" -> {
                    adaGradRates = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                    tuningOption = option;
                }
                case "--eta-grid" -> {
                    etas = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                    tuningOption = option;
                }
                case "--theta-grid" -> {
                    thetas = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                    tuningOption = option;
                }
                case "--nu-grid" -> {
                    nus = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                    tuningOption = option;
                }
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j batch --help");
            }
        }
        if (tuningOption != null && !tune) {
            throw new UsageException(tuningOption + " only applies with --tune");
        }
        String description;
        String accuracyOn;
        LongFunction<BatchExperiment.Problem> reported;
        LongFunction<BatchExperiment.Problem> tuning;
        if (data.equals("digits")) {
            double validationFraction = validation;
            reported = s -> {
                LabelledData[] split = EmbeddedData.digits().split(0.7, s);
                return standardised(split[0], split[1]);
            };
            // The validation part comes out of the training part only, so the test part never informs a choice.
            tuning = s -> {
                LabelledData[] split = EmbeddedData.digits().split(0.7, s)[0].split(1 - validationFraction, s);
                return standardised(split[0], split[1]);
            };
            description = "UCI digits (standardised, 70/30 split)";
            accuracyOn = "test";
        } else {
            int m = synthetic == null ? DEFAULT_SYNTHETIC_M : synthetic;
            if (m > HeavyTailedSynthetic.MAX_SIZE) {
                throw new UsageException("--synthetic-size must be an integer in [2, " + HeavyTailedSynthetic.MAX_SIZE + "], got " + m);
            }
            // Training accuracy is the measure (random features), so tuning uses another draw of the problem.
            reported = s -> {
                LabelledData train = HeavyTailedSynthetic.generate(m, s);
                return new BatchExperiment.Problem(train, train);
            };
            tuning = s -> reported.apply(s + SYNTHETIC_TUNING_SEED_OFFSET);
            description = "synthetic heavy-tailed (m=" + m + ")";
            accuracyOn = "train";
        }
        BatchExperiment.Problem first = reported.apply(seed);
        int trainSize = first.train().size();
        int cap = maxBatch == null ? trainSize : maxBatch;
        if (cap < b0) {
            throw new UsageException("--max-batch must be >= --b0 (" + b0 + "), got " + cap);
        }
        int smallest = tune ? Math.min(trainSize, tuning.apply(seed).train().size()) : trainSize;
        if (b0 > smallest) {
            throw new UsageException("--b0 must be at most the " + (smallest < trainSize ? "tuning " : "") + "training set size ("
                    + smallest + "), got " + b0);
        }
        double acc = target == null ? (data.equals("digits") ? DEFAULT_TARGET_DIGITS : DEFAULT_TARGET_SYNTHETIC) : target;
        var settings = new BatchExperiment.Settings(b0, cap, epochs, acc, eta, theta, nu, seed, threads);
        BatchExperiment.Grid grid = tune ? new BatchExperiment.Grid(adaGradNormRates, adaGradRates, etas, thetas, nus) : null;
        List<Long> seeds = LongStream.range(seed, seed + seedCount).boxed().toList();
        out.printf(Locale.ROOT, "batch: %s: train %d / %s accuracy on %d, %d features, %d classes; %d epochs, b0 %d, "
                        + "b_max %d, target %.3f, %s; seeds %s%n", description, trainSize, accuracyOn, first.eval().size(),
                first.train().dimension(), first.train().classCount(), epochs, b0, cap, acc,
                tune ? "tuned on " + (data.equals("digits") ? "a " + validation + " validation part" : "another draw")
                        + (selection == Selection.ACCURACY ? ", fewest steps within " + tolerancePoints + " points"
                        : ", most accurate with >= " + BatchExperiment.number(TARGET_STEP_RATIO) + "x fewer steps")
                        : "eta " + eta + ", theta " + theta + ", nu " + nu, seeds);
        BatchExperiment.Result result = BatchExperiment.run(description, accuracyOn, seeds, reported, tuning, settings, grid,
                selection, tolerancePoints / 100, TARGET_STEP_RATIO, out);
        out.println();
        BatchReport.printTable(result, out);
        ReportFiles.write(outDir, dir -> BatchReport.write(result, dir));
        out.printf(Locale.ROOT, "%nwrote %s and %s in %s (%.0f s)%n", BatchReport.SUMMARY, BatchReport.PLOT, outDir, result.seconds());
        return 0;
    }

    private static BatchExperiment.Problem standardised(LabelledData train, LabelledData eval) {
        LabelledData[] scaled = train.standardise(eval);
        return new BatchExperiment.Problem(scaled[0], scaled[1]);
    }
}
