package io.github.descent4j.dl4j.batch;

import io.github.descent4j.dl4j.internal.TrainableNetwork;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.core.batch.BatchTestKind;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Trains a {@link MultiLayerNetwork} or {@link ComputationGraph} with adaptive batch sizes chosen by the norm,
 * inner-product or augmented test of Lau, Liu and Kolar (2024), "AdAdaGrad: Adaptive Batch Size Schemes for
 * Adaptive Gradient Methods", with whatever updater the network is configured with (descent4j's
 * {@link AdaGradNorm}, DL4J's {@code AdaGrad}, {@code Adam}, ...).
 * <pre>
 *   AdaptiveBatchRun run = AdaptiveBatchTrainer.builder()
 *           .augmentedTest(1.0, 1.0)          // or .normTest(eta), .innerProductTest(theta)
 *           .initialBatchSize(8).maxBatchSize(1024)
 *           .microBatches(4).epochs(10).seed(1)
 *           .build()
 *           .fit(net, trainIterator);
 *   int[] trajectory = run.batchSizes();
 * </pre>
 * <b>Data.</b> The examples of the {@link DataSetIterator} (or {@link DataSet}) are read into memory once and
 * drawn as a stream of shuffled passes (seeded): each step takes exactly the next {@code b} examples,
 * continuing into a freshly shuffled pass when the current one runs out, so the iterator's own batch size
 * does not matter. Training stops after {@code epochs · n} examples (the last step still takes a full
 * {@code b}, so it may reach into the next pass) or after {@code maxSteps} steps, whichever comes first.
 * {@code b_max} defaults to {@code n} and may not exceed it. Listeners get {@code onEpochStart/onEpochEnd}
 * at pass boundaries and {@code onGradientCalculation/iterationDone} once per step; progress is logged
 * through SLF4J (epochs and batch-size changes at INFO, every step at DEBUG).
 * <p>
 * <b>Step and test.</b> While {@code b < b_max}, a step splits its {@code b} examples into {@code m}
 * consecutive micro-batches of near-equal size (the first {@code b mod m} micro-batches hold
 * {@code ⌈b/m⌉} examples, the others {@code ⌊b/m⌋}), computes each micro-batch's gradient with the
 * network's {@code computeGradientAndScore} at the pre-step parameters, and
 * <ul>
 *   <li>estimates the per-example statistics from the micro-batch mean gradients {@code h_k}
 *       ({@link BatchStatistics#ofMicroBatchMeans}: {@code Σ_j Var(g_j) ≈ Σ_k s_k ‖h_k − ḡ‖² / (m − 1)} and
 *       likewise for the inner-product and orthogonal parts; exactly unbiased for {@code tr Σ} when examples
 *       are i.i.d., see there for the other two), runs the test and sets the next batch size
 *       {@code b′ = min(b_max, ⌈max(b, T)⌉)};</li>
 *   <li>takes the optimiser step with the sum of the micro-batch gradients, i.e. the gradient of all
 *       {@code b} examples (the size-weighted mean of the {@code h_k} once DL4J's updater divides by
 *       {@code b}), through the network's own updater, as {@code fit} on the whole batch would: same
 *       regularisation, gradient normalisation, updater state and iteration count.</li>
 * </ul>
 * So the test runs on the same batch, at the same parameters, as the step it decides the successor of,
 * and the statistics cost no extra forward or backward pass: the {@code m} passes cover the {@code b}
 * examples once. The overheads are {@code m} smaller matrix products instead of one, a copy of each
 * micro-batch gradient into a {@code m × d} double buffer ({@code 8·m·d} bytes) and O(m·d) arithmetic.
 * Once {@code b = b_max} the test stops and each step is a plain {@code fit} on the batch.
 * <p>
 * <b>Assumptions and limits.</b> The estimates assume that the gradient of a batch is the sum of
 * per-example gradients at fixed parameters; networks with {@code BatchNormalization} (micro-batch
 * statistics, running averages advanced per micro-batch) or truncated BPTT are rejected. Dropout is drawn
 * independently per micro-batch, as per example. The statistics use the loss gradient before DL4J's
 * regularisation and gradient normalisation (applied by the updater). Per-example independence is
 * approximated by sampling without replacement from {@code n} examples (accurate while {@code b ≪ n}).
 * The trainer is immutable and keeps no per-run state; a network must not be trained by two runs at once.
 */
public final class AdaptiveBatchTrainer {
    private static final Logger log = LoggerFactory.getLogger(AdaptiveBatchTrainer.class);

    /** Default test parameter for η, θ and ν. */
    public static final double DEFAULT_TEST_PARAMETER = 1.0;
    /** Default initial batch size b0. */
    public static final int DEFAULT_INITIAL_BATCH_SIZE = 8;
    /** Default number of micro-batches m. */
    public static final int DEFAULT_MICRO_BATCHES = 4;

    private final BatchTestKind test;
    private final double eta;
    private final double theta;
    private final double nu;
    private final int initialBatchSize;
    private final int maxBatchSize; // 0: the number of training examples
    private final int microBatches;
    private final int epochs; // 0: unlimited (maxSteps must be set)
    private final int maxSteps; // 0: unlimited
    private final long seed;
    private final Consumer<AdaptiveBatchStep> onStep;

    /**
     * @param test which test drives the batch size
     * @param eta norm-test parameter η (finite, &gt; 0; validated even when the test does not use it)
     * @param theta inner-product-test parameter θ (finite, &gt; 0)
     * @param nu orthogonality-test parameter ν (finite, &gt; 0)
     * @param initialBatchSize b0, &gt;= m
     * @param maxBatchSize b_max, &gt;= b0 and at most the number of training examples; 0 for that number
     * @param microBatches m, &gt;= 2 and &lt;= b0
     * @param epochs passes over the data, &gt;= 1
     * @param seed seed of the shuffles
     * @throws InvalidHyperparameterException naming the parameter and its allowed range
     */
    public AdaptiveBatchTrainer(BatchTestKind test, double eta, double theta, double nu, int initialBatchSize,
            int maxBatchSize, int microBatches, int epochs, long seed) {
        this(test, eta, theta, nu, initialBatchSize, maxBatchSize, microBatches, epochs, 0, seed, null);
    }

    private AdaptiveBatchTrainer(BatchTestKind test, double eta, double theta, double nu, int initialBatchSize,
            int maxBatchSize, int microBatches, int epochs, int maxSteps, long seed,
            Consumer<AdaptiveBatchStep> onStep) {
        if (test == null) {
            throw new InvalidHyperparameterException("test", "test must be one of "
                    + Arrays.toString(BatchTestKind.values()) + ", got null");
        }
        this.test = test;
        this.eta = Check.positive("eta", eta);
        this.theta = Check.positive("theta", theta);
        this.nu = Check.positive("nu", nu);
        this.initialBatchSize = Check.atLeast("initialBatchSize", initialBatchSize, 1);
        if (maxBatchSize != 0 && maxBatchSize < initialBatchSize) {
            throw new InvalidHyperparameterException("maxBatchSize", "maxBatchSize must be >= initialBatchSize (= "
                    + initialBatchSize + "), or 0 for the number of training examples, got " + maxBatchSize);
        }
        this.maxBatchSize = maxBatchSize;
        this.microBatches = Check.atLeast("microBatches", microBatches, 2);
        if (microBatches > initialBatchSize) {
            throw new InvalidHyperparameterException("microBatches", "microBatches must be <= initialBatchSize (= "
                    + initialBatchSize + ") so that every micro-batch holds an example, got " + microBatches);
        }
        if (epochs < 0 || epochs == 0 && maxSteps == 0) {
            throw new InvalidHyperparameterException("epochs", "epochs must be >= 1 (or 0 for no limit when "
                    + "maxSteps >= 1), got " + epochs + " with maxSteps = " + maxSteps);
        }
        if (maxSteps < 0) {
            throw new InvalidHyperparameterException("maxSteps", "maxSteps must be >= 1, or 0 for no limit, got "
                    + maxSteps);
        }
        this.epochs = epochs;
        this.maxSteps = maxSteps;
        this.seed = seed;
        this.onStep = onStep;
    }

    /** A builder starting from the norm test, η = θ = ν = 1, b0 = 8, b_max = n, m = 4, 1 epoch, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Trains {@code net} on every example {@code data} yields (the iterator is reset first if it can be). */
    public AdaptiveBatchRun fit(MultiLayerNetwork net, DataSetIterator data) {
        return fit(net, collect(data));
    }

    /** Trains {@code net} on the examples of {@code data}. */
    public AdaptiveBatchRun fit(MultiLayerNetwork net, DataSet data) {
        Objects.requireNonNull(net, "net");
        return run(TrainableNetwork.of(net), data);
    }

    /** Trains a single-input, single-output {@code graph} on every example {@code data} yields. */
    public AdaptiveBatchRun fit(ComputationGraph graph, DataSetIterator data) {
        return fit(graph, collect(data));
    }

    /** Trains a single-input, single-output {@code graph} on the examples of {@code data}. */
    public AdaptiveBatchRun fit(ComputationGraph graph, DataSet data) {
        Objects.requireNonNull(graph, "graph");
        return run(TrainableNetwork.of(graph), data);
    }

    private static DataSet collect(DataSetIterator iterator) {
        Objects.requireNonNull(iterator, "data");
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        List<DataSet> parts = new ArrayList<>();
        while (iterator.hasNext()) {
            parts.add(iterator.next());
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("data: the iterator yielded no examples");
        }
        return parts.size() == 1 ? parts.get(0) : DataSet.merge(parts);
    }

    private AdaptiveBatchRun run(TrainableNetwork net, DataSet data) {
        Objects.requireNonNull(data, "data");
        int n = data.numExamples();
        if (n < initialBatchSize) {
            throw new InvalidHyperparameterException("initialBatchSize", "initialBatchSize (= " + initialBatchSize
                    + ") must be <= the number of training examples, " + n);
        }
        if (maxBatchSize > n) {
            throw new InvalidHyperparameterException("maxBatchSize", "maxBatchSize (= " + maxBatchSize
                    + ") must be <= the number of training examples, " + n);
        }
        int cap = maxBatchSize == 0 ? n : maxBatchSize;
        AdaptiveBatchSize schedule = new AdaptiveBatchSize(test, eta, theta, nu, initialBatchSize, cap);
        ShuffledExamples examples = new ShuffledExamples(data, seed);
        AdaptiveBatchSession session = new AdaptiveBatchSession(net, examples, microBatches);
        log.info("adaptive batch sizes: {} test (eta={}, theta={}, nu={}), b0={}, bMax={}, m={}, n={}, {} parameters",
                test, eta, theta, nu, initialBatchSize, cap, microBatches, n, net.parameterCount());
        List<AdaptiveBatchStep> steps = new ArrayList<>();
        long budget = epochs == 0 ? Long.MAX_VALUE : (long) epochs * n;
        net.epochStart();
        boolean epochOpen = true;
        while ((maxSteps == 0 || steps.size() < maxSteps) && examples.drawn() < budget) {
            long passesBefore = examples.drawn() / n;
            int b = schedule.batchSize();
            AdaptiveBatchStep step = session.step(steps.size(), examples.next(b), schedule);
            steps.add(step);
            if (onStep != null) {
                onStep.accept(step);
            }
            log.debug("step {}: b={}, score={}, T={}, next b={}", step.step(), b, step.score(),
                    step.statistic().isPresent() ? step.statistic().getAsDouble() : "-", step.nextBatchSize());
            if (step.nextBatchSize() != b) {
                log.info("step {}: batch size {} -> {} (T = {})", step.step(), b, step.nextBatchSize(),
                        step.statistic().isPresent() ? step.statistic().getAsDouble() : "-");
            }
            long passesAfter = examples.drawn() / n;
            boolean more = (maxSteps == 0 || steps.size() < maxSteps) && examples.drawn() < budget;
            for (long pass = passesBefore; pass < passesAfter; pass++) {
                net.epochEnd();
                epochOpen = false;
                log.info("epoch {} done: step {}, batch size {}, score {}", pass + 1, steps.size(), b, step.score());
                if (more) {
                    net.epochStart();
                    epochOpen = true;
                }
            }
        }
        if (epochOpen) {
            net.epochEnd();
        }
        AdaptiveBatchRun result = new AdaptiveBatchRun(initialBatchSize, steps);
        log.info("adaptive batch sizes done: {}", result);
        return result;
    }

    @Override
    public String toString() {
        return "AdaptiveBatchTrainer[" + test + ", eta=" + eta + ", theta=" + theta + ", nu=" + nu + ", b0="
                + initialBatchSize + ", bMax=" + (maxBatchSize == 0 ? "n" : maxBatchSize) + ", m=" + microBatches
                + ", epochs=" + (epochs == 0 ? "-" : epochs) + ", maxSteps=" + (maxSteps == 0 ? "-" : maxSteps)
                + ", seed=" + seed + "]";
    }

    /** Builder; every setter validates in {@link #build()}. */
    public static final class Builder {
        private BatchTestKind test = BatchTestKind.NORM;
        private double eta = DEFAULT_TEST_PARAMETER;
        private double theta = DEFAULT_TEST_PARAMETER;
        private double nu = DEFAULT_TEST_PARAMETER;
        private int initialBatchSize = DEFAULT_INITIAL_BATCH_SIZE;
        private int maxBatchSize;
        private int microBatches = DEFAULT_MICRO_BATCHES;
        private int epochs = 1;
        private int maxSteps;
        private long seed = 1;
        private Consumer<AdaptiveBatchStep> onStep;

        private Builder() {}

        /** Which test drives the batch size. */
        public Builder test(BatchTestKind test) {
            this.test = test;
            return this;
        }

        /** Norm-test parameter η (&gt; 0). */
        public Builder eta(double eta) {
            this.eta = eta;
            return this;
        }

        /** Inner-product-test parameter θ (&gt; 0). */
        public Builder theta(double theta) {
            this.theta = theta;
            return this;
        }

        /** Orthogonality-test parameter ν (&gt; 0). */
        public Builder nu(double nu) {
            this.nu = nu;
            return this;
        }

        /** The norm test with parameter η. */
        public Builder normTest(double eta) {
            return test(BatchTestKind.NORM).eta(eta);
        }

        /** The inner-product test with parameter θ. */
        public Builder innerProductTest(double theta) {
            return test(BatchTestKind.INNER_PRODUCT).theta(theta);
        }

        /** The augmented test: max(inner-product test θ, orthogonality test ν). */
        public Builder augmentedTest(double theta, double nu) {
            return test(BatchTestKind.AUGMENTED).theta(theta).nu(nu);
        }

        /** b0 (&gt;= microBatches, &lt;= the number of training examples). */
        public Builder initialBatchSize(int b0) {
            this.initialBatchSize = b0;
            return this;
        }

        /** b_max (&gt;= b0, &lt;= the number of training examples; 0, the default, for that number). */
        public Builder maxBatchSize(int bMax) {
            this.maxBatchSize = bMax;
            return this;
        }

        /** m, the number of micro-batches the variances are estimated from (2 &lt;= m &lt;= b0). */
        public Builder microBatches(int m) {
            this.microBatches = m;
            return this;
        }

        /** Stop after {@code epochs · n} examples (&gt;= 1; 0 for no limit, then set maxSteps). */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Stop after this many steps (&gt;= 1; 0, the default, for no limit). */
        public Builder maxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        /** Seed of the shuffled passes. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Called after every step (on the training thread). */
        public Builder onStep(Consumer<AdaptiveBatchStep> onStep) {
            this.onStep = onStep;
            return this;
        }

        /** @throws InvalidHyperparameterException naming the parameter and its allowed range */
        public AdaptiveBatchTrainer build() {
            return new AdaptiveBatchTrainer(test, eta, theta, nu, initialBatchSize, maxBatchSize, microBatches, epochs,
                    maxSteps, seed, onStep);
        }
    }
}
