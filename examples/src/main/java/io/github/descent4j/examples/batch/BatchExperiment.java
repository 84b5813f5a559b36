package io.github.descent4j.examples.batch;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * The adaptive-batch-size experiment behind {@code ./descent4j batch}: AdaGrad-Norm (descent4j) and AdaGrad
 * (Tribuo) in descent4j's {@link LinearClassificationTrainer} with {@link LogMulticlass}, each with a constant
 * batch b0, the norm test and the augmented test (Lau, Liu, Kolar 2024), all with the same example budget
 * (a fixed number of epochs). Accuracy is measured after every step on the evaluation set.
 * <p>
 * With a {@link Grid}, every optimiser &times; schedule first has its learning rate (and the test's parameters)
 * chosen on a separate tuning problem, by {@link Selection#select}, and is then trained once on the evaluation problem.
 */
final class BatchExperiment {
    /** Learning rates of the untuned run, fixed per optimiser (every schedule gets the same one). */
    static final double ADAGRAD_NORM_LR = 1.0;
    static final double ADAGRAD_LR = 0.1;
    static final List<String> OPTIMISERS = List.of("AdaGradNorm", "AdaGrad");

    enum Schedule {
        CONSTANT("constant"), NORM("norm test"), AUGMENTED("augmented test");

        final String label;

        Schedule(String label) {
            this.label = label;
        }
    }

    /** @param maxBatch b_max; runs on a smaller training set are capped at its size */
    record Settings(int b0, int maxBatch, int epochs, double target, double eta, double theta, double nu, long seed,
                    int threads) {}

    /** Candidate values tried when tuning; the augmented test tries every (θ, ν) pair. */
    record Grid(double[] adaGradNormRates, double[] adaGradRates, double[] etas, double[] thetas, double[] nus) {
        double[] rates(String optimiser) {
            return optimiser.equals("AdaGradNorm") ? adaGradNormRates : adaGradRates;
        }
    }

    /** What one run trains with; test parameters its schedule does not use are NaN. */
    record Config(String optimiser, Schedule schedule, double learningRate, double eta, double theta, double nu) {
        String name() {
            return optimiser + " / " + schedule.label;
        }

        /** Learning rate and the test's parameters, e.g. {@code lr 2, θ 0.5, ν 1}. */
        String parameters() {
            return switch (schedule) {
                case CONSTANT -> "lr " + number(learningRate);
                case NORM -> "lr " + number(learningRate) + ", η " + number(eta);
                case AUGMENTED -> "lr " + number(learningRate) + ", θ " + number(theta) + ", ν " + number(nu);
            };
        }
    }

    /** A grid value as typed: whole numbers without ".0". */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v) : Double.toString(v);
    }

    /** The six configurations of the untuned run: one learning rate per optimiser, the settings' η, θ, ν. */
    static List<Config> fixedConfigs(Settings s) {
        List<Config> configs = new ArrayList<>();
        for (String optimiser : OPTIMISERS) {
            double lr = optimiser.equals("AdaGradNorm") ? ADAGRAD_NORM_LR : ADAGRAD_LR;
            configs.add(new Config(optimiser, Schedule.CONSTANT, lr, Double.NaN, Double.NaN, Double.NaN));
            configs.add(new Config(optimiser, Schedule.NORM, lr, s.eta(), Double.NaN, Double.NaN));
            configs.add(new Config(optimiser, Schedule.AUGMENTED, lr, Double.NaN, s.theta(), s.nu()));
        }
        return configs;
    }

    /** Every configuration of the grid, grouped by optimiser and schedule in {@link #fixedConfigs} order. */
    static List<Config> gridConfigs(Grid g) {
        List<Config> configs = new ArrayList<>();
        for (String optimiser : OPTIMISERS) {
            for (double lr : g.rates(optimiser)) {
                configs.add(new Config(optimiser, Schedule.CONSTANT, lr, Double.NaN, Double.NaN, Double.NaN));
            }
            for (double lr : g.rates(optimiser)) {
                for (double eta : g.etas()) {
                    configs.add(new Config(optimiser, Schedule.NORM, lr, eta, Double.NaN, Double.NaN));
                }
            }
            for (double lr : g.rates(optimiser)) {
                for (double theta : g.thetas()) {
                    for (double nu : g.nus()) {
                        configs.add(new Config(optimiser, Schedule.AUGMENTED, lr, Double.NaN, theta, nu));
                    }
                }
            }
        }
        return configs;
    }

    /** The data of one run: trained on {@code train}, accuracy measured on {@code eval}. */
    record Problem(LabelledData train, LabelledData eval) {}

    /**
     * One run: steps / examples until the evaluated accuracy first reached the target (-1 if never); final
     * accuracy and mean cross-entropy loss on the evaluation set.
     */
    record Run(Config config, long seed, String description, long steps, long examples, long stepsToTarget,
               long examplesToTarget, double finalAccuracy, double finalLoss, double bestAccuracy, int finalBatchSize,
               List<int[]> batchChanges, double seconds) {
        String optimiser() {
            return config.optimiser();
        }

        Schedule schedule() {
            return config.schedule();
        }

        String name() {
            return config.name();
        }
    }

    /** The runs of one seed: the tuning grid on the tuning problem (empty when untuned) and the chosen runs. */
    record SeedResult(long seed, List<Run> tuning, List<Run> runs) {}

    record Result(String dataset, String accuracyOn, int trainSize, int evalSize, int features, int classes,
                  Settings settings, Grid grid, Selection selection, double tolerance, List<SeedResult> seeds,
                  double seconds) {
        /** The chosen runs of the first seed. */
        List<Run> runs() {
            return seeds.get(0).runs();
        }
    }

    /**
     * One optimiser &times; schedule over all seeds: means of the per-seed numbers, and the comparison with the
     * same optimiser's constant batch that the seed's target is stated in.
     *
     * @param stepsToTarget mean over the seeds that reached the target (NaN if none did)
     * @param reachedTarget how many seeds reached the target
     * @param accuracySd sample standard deviation of the final accuracy over seeds (0 for one seed)
     * @param stepRatio the constant batch's mean steps over this schedule's
     * @param accuracyDeltaPoints this schedule's mean accuracy minus the constant batch's, in points
     * @param parameters the configuration, or each seed's joined by " | " in seed order if they differ
     */
    record Mean(String name, Schedule schedule, double steps, double examples, double stepsToTarget,
                double examplesToTarget, int reachedTarget, double accuracy, double accuracySd, double finalBatchSize,
                double stepRatio, double accuracyDeltaPoints, String parameters) {
        /** The seed's target: enough fewer steps at little enough accuracy lost (never for the constant batch). */
        boolean meetsTarget(double stepRatioTarget, double maxLossPoints) {
            return schedule != Schedule.CONSTANT && stepRatio >= stepRatioTarget && accuracyDeltaPoints >= -maxLossPoints;
        }
    }

    /** The means over seeds of every optimiser &times; schedule, in the order of each seed's runs. */
    static List<Mean> means(Result result) {
        List<Mean> means = new ArrayList<>();
        Mean constant = null;
        int n = result.seeds().size();
        for (int i = 0; i < result.runs().size(); i++) {
            double steps = 0;
            double examples = 0;
            double toTarget = 0;
            double examplesToTarget = 0;
            int reached = 0;
            double accuracy = 0;
            double batch = 0;
            List<String> parameters = new ArrayList<>();
            for (SeedResult seed : result.seeds()) {
                Run r = seed.runs().get(i);
                steps += r.steps() / (double) n;
                examples += r.examples() / (double) n;
                accuracy += r.finalAccuracy() / n;
                batch += r.finalBatchSize() / (double) n;
                if (r.stepsToTarget() >= 0) {
                    reached++;
                    toTarget += r.stepsToTarget();
                    examplesToTarget += r.examplesToTarget();
                }
                parameters.add(r.config().parameters());
            }
            double sumSquares = 0;
            for (SeedResult seed : result.seeds()) {
                double d = seed.runs().get(i).finalAccuracy() - accuracy;
                sumSquares += d * d;
            }
            Run run = result.runs().get(i);
            boolean isConstant = run.schedule() == Schedule.CONSTANT;
            Mean m = new Mean(run.name(), run.schedule(), steps, examples, reached == 0 ? Double.NaN : toTarget / reached,
                    reached == 0 ? Double.NaN : examplesToTarget / reached, reached, accuracy,
                    n > 1 ? Math.sqrt(sumSquares / (n - 1)) : 0, batch, isConstant ? 1 : constant.steps() / steps,
                    isConstant ? 0 : 100 * (accuracy - constant.accuracy()),
                    parameters.stream().distinct().count() == 1 ? parameters.get(0) : String.join(" | ", parameters));
            if (isConstant) {
                constant = m;
            }
            means.add(m);
        }
        return means;
    }

    private BatchExperiment() {}

    /**
     * Runs the experiment for every seed: for a seed, {@code reported} gives the problem the reported runs train
     * and are evaluated on, {@code tuning} (used only with a grid) the problem the grid is judged on, which must
     * not contain the reported evaluation set.
     *
     * @param grid null for the six fixed configurations
     * @param selection how {@link Selection#select} chooses from the grid
     * @param tolerance accuracy (a fraction) an adaptive schedule may lose against the constant batch in {@link Selection#select}
     * @param stepRatio how many times fewer steps than the constant batch an adaptive schedule needs in {@link Selection#select}
     */
    static Result run(String dataset, String accuracyOn, List<Long> seeds, LongFunction<Problem> reported,
                      LongFunction<Problem> tuning, Settings s, Grid grid, Selection selection, double tolerance,
                      double stepRatio, PrintStream progress) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, s.threads()));
        try {
            List<SeedResult> results = new ArrayList<>();
            Problem first = null;
            for (long seed : seeds) {
                Problem problem = reported.apply(seed);
                first = first == null ? problem : first;
                Settings seeded = withSeed(s, seed);
                List<Run> tuningRuns = List.of();
                List<Config> configs = fixedConfigs(seeded);
                if (grid != null) {
                    long tuneStart = System.nanoTime();
                    Problem tuningProblem = tuning.apply(seed);
                    tuningRuns = trainAll(pool, gridConfigs(grid), tuningProblem, seeded, false, null);
                    configs = Selection.select(tuningRuns, selection, tolerance, stepRatio);
                    synchronized (progress) {
                        progress.printf(Locale.ROOT, "seed %d: tuned %d runs on %d examples (%.1f s); chose%n", seed,
                                tuningRuns.size(), tuningProblem.train().size(), (System.nanoTime() - tuneStart) / 1e9);
                        for (Config c : configs) {
                            Run r = tuningRuns.stream().filter(t -> t.config().equals(c)).findFirst().orElseThrow();
                            progress.printf(Locale.ROOT, "  %-28s %-24s tuning accuracy %.4f, %d steps%n", c.name(),
                                    c.parameters(), r.finalAccuracy(), r.steps());
                        }
                    }
                }
                results.add(new SeedResult(seed, tuningRuns, trainAll(pool, configs, problem, seeded, true, progress)));
            }
            return new Result(dataset, accuracyOn, first.train().size(), first.eval().size(), first.train().dimension(),
                    first.train().classCount(), s, grid, selection, tolerance, results, (System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Settings withSeed(Settings s, long seed) {
        return new Settings(s.b0(), s.maxBatch(), s.epochs(), s.target(), s.eta(), s.theta(), s.nu(), seed, s.threads());
    }

    /** Trains every configuration on the pool, in order; {@code everyStep} measures accuracy after each step. */
    private static List<Run> trainAll(ExecutorService pool, List<Config> configs, Problem problem, Settings s,
                                      boolean everyStep, PrintStream progress) {
        MutableDataset<Label> trainSet = TribuoDatasets.classification(problem.train(), "batch", false);
        AtomicInteger done = new AtomicInteger();
        List<Future<Run>> futures = new ArrayList<>();
        for (Config config : configs) {
            futures.add(pool.submit(() -> {
                Run r = train(config, trainSet, problem.eval(), s, everyStep);
                if (progress != null) {
                    synchronized (progress) {
                        progress.printf(Locale.ROOT, "[%d/%d] %-30s %6d steps, final batch %5d, accuracy %.3f  (%.1f s)%n",
                                done.incrementAndGet(), configs.size(), r.name(), r.steps(), r.finalBatchSize(),
                                r.finalAccuracy(), r.seconds());
                    }
                }
                return r;
            }));
        }
        List<Run> runs = new ArrayList<>();
        try {
            for (Future<Run> f : futures) {
                runs.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return runs;
    }

    static StochasticGradientOptimiser optimiser(String name, double learningRate) {
        return name.equals("AdaGradNorm") ? new AdaGradNorm(learningRate) : new AdaGrad(learningRate);
    }

    private static Run train(Config c, MutableDataset<Label> trainSet, LabelledData eval, Settings s, boolean everyStep) {
        long start = System.nanoTime();
        StochasticGradientOptimiser optimiser = optimiser(c.optimiser(), c.learningRate());
        int cap = Math.min(s.maxBatch(), trainSet.size());
        LinearClassificationTrainer trainer = switch (c.schedule()) {
            case CONSTANT -> new LinearClassificationTrainer(new LogMulticlass(), optimiser, s.epochs(), -1, s.b0(), false, -1,
                    s.seed());
            case NORM -> new LinearClassificationTrainer(new LogMulticlass(), optimiser, s.epochs(), -1,
                    AdaptiveBatchSizes.norm(c.eta(), s.b0(), cap), -1, s.seed());
            case AUGMENTED -> new LinearClassificationTrainer(new LogMulticlass(), optimiser, s.epochs(), -1,
                    AdaptiveBatchSizes.augmented(c.theta(), c.nu(), s.b0(), cap), -1, s.seed());
        };
        AccuracyListener listener = new AccuracyListener(eval, s.target(), c.schedule() == Schedule.CONSTANT ? s.b0() : 0,
                everyStep);
        trainer.addListener(listener);
        trainer.train(trainSet);
        return new Run(c, s.seed(), optimiser.toString(), listener.steps, listener.examples, listener.stepsToTarget,
                listener.examplesToTarget, listener.accuracy, listener.loss, listener.best, listener.finalBatch, listener.changes,
                (System.nanoTime() - start) / 1e9);
    }
}
