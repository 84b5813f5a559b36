package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.Tensors;
import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one training loop behind descent4j's linear trainers (classification, regression, multi-label).
 * Each trainer is a thin subclass of the matching Tribuo trainer that hands this loop its objective, target
 * conversion and model factory through {@link Hooks}.
 * <p>
 * What differs from Tribuo 4.3.2's {@code AbstractSGDTrainer.train}:
 * <ul>
 *   <li>The optimiser receives the weighted <b>mean</b> gradient of the minibatch,
 *       {@code Σ_i w_i ∇ℓ_i / Σ_i w_i}, with weight 1 (Tribuo passes {@code minibatchSize × Σ_i ∇ℓ_i}
 *       and only the mean weight, so example weights barely matter and the step size depends on the
 *       batch size). A minibatch whose weights sum to 0 is skipped.</li>
 *   <li>Full-batch training: one step per epoch over the whole dataset (no shuffling needed).</li>
 *   <li>{@code maxSteps} caps the number of optimiser steps.</li>
 *   <li>Listeners are called after every step and epoch and may stop training.</li>
 *   <li>Each epoch is logged (mean loss, examples per second) through {@code java.util.logging}, Tribuo's
 *       logging framework; {@code loggingInterval} additionally logs every that many steps.</li>
 * </ul>
 * <b>Adaptive batch sizes</b> ({@link Settings#adaptiveBatchSizes()}, replacing {@code minibatchSize}; not
 * with {@code fullBatch}): the batch size starts at {@code b0}; each step takes the next {@code b} examples of
 * the shuffled order (an epoch ends when the order is exhausted, so its last batch may be short). While
 * {@code b < b_max}, the configured test (Lau, Liu, Kolar 2024) runs on the step's own batch at the
 * parameters the step starts from, and sets the next batch size {@code b′ = min(b_max, ⌈max(b, T)⌉)}. The
 * statistics are those of the <b>unweighted</b> per-example gradients {@code g_i = r_i ⊗ x̃_i} of the
 * batch's positive-weight examples ({@code r_i} the loss gradient with respect to the scores, {@code x̃_i}
 * the features with the bias 1), computed in closed form at about the cost of the step:
 * {@code ‖g_i‖² = ‖r_i‖²‖x̃_i‖²}, {@code ⟨g_i, ḡ⟩ = r_iᵀ Ḡ x̃_i} (a second pass over the batch), and
 * {@code ‖ḡ‖² = ‖Ḡ‖_F²} with {@code Ḡ} the unweighted mean gradient: the step's accumulated gradient when
 * the batch's positive weights are equal, a separate accumulation otherwise. Example weights thus select
 * which examples are tested (weight 0: not at all) but do not weight the statistics; the step itself keeps
 * its weighted mean. Once {@code b = b_max} the test stops. The scheduled size of every step is visible
 * through {@link TrainingProgress#batchSizeTrajectory()} and recorded in the model's run provenance under
 * {@value #BATCH_SIZE_TRAJECTORY}, a list of ints.
 * <p>
 * <b>Sharpness-aware training</b> ({@link Settings#sharpnessAware()}: SAM, Foret et al. 2021, or ASAM, Kwon
 * et al. 2021; see {@link SharpnessAwareTraining}): after the step's mean gradient g at θ (and any batch test, which
 * stays at θ), the loop computes the core {@link SharpnessPerturbation} ε of g over the whole weight matrix
 * (bias column included), moves W to θ + ε, takes the mean gradient g′ of the <b>same</b> batch with the same
 * example weights there, writes θ back from a copy (bit-exact, also if the second pass throws), and hands g′
 * to the optimiser, whichever it is. The loss reported to listeners and logs is the one at θ; the loss at
 * θ + ε is {@link TrainingProgress#lastBatchPerturbedLoss()}. Cost: a second gradient pass over the batch,
 * plus copying, perturbing and restoring the entries where g is stored. ε is g scaled elementwise, so it is
 * zero wherever g is: dense batches perturb the whole matrix ({@code outputs × (features + 1)}), sparse
 * batches only the columns of the features active in the batch (plus the bias), as the step itself does.
 * A non-finite g or g′ is rejected ({@link io.github.descent4j.core.NonFiniteGradientException}) with θ in place,
 * before the optimiser sees it.
 * <p>
 * The gradient of a linear model is accumulated directly into one dense (dense data) or dense-sparse
 * (sparse data; only the columns of features active in the batch) matrix instead of one matrix per
 * example, so a step costs one pass over the batch's active entries per output.
 *
 * @param <T> output type
 * @param <U> the objective's target type
 */
public final class LinearTrainingLoop<T extends Output<T>, U> {
    private static final Logger logger = Logger.getLogger(LinearTrainingLoop.class.getName());

    /**
     * What a trainer supplies to the loop, read when a run starts.
     *
     * @param objective the trainer's objective
     * @param target the objective's target for an output, rejecting outputs unknown to the training data
     * @param objectiveReportsNegatedLoss whether the objective's reported value is the negated loss: Tribuo
     *     4.3.2's classification objectives ({@code LogMulticlass} returns log p(y), {@code Hinge} a
     *     non-positive margin) do this; its regression and multi-label objectives report the loss itself
     * @param modelFactory the trainer's {@code createModel}
     * @param modelClassName the class name recorded in the model provenance
     * @param optimiserCopy a fresh copy of the configured optimiser, for one run
     * @param provenance the trainer's provenance, taken when the run starts
     * @param settings the loop settings
     */
    public record Hooks<T extends Output<T>, U, V extends Model<T>>(SGDObjective<U> objective,
                                                             BiFunction<ImmutableOutputInfo<T>, T, U> target,
                                                             boolean objectiveReportsNegatedLoss,
                                                             ModelFactory<T, V> modelFactory,
                                                             String modelClassName,
                                                             Supplier<StochasticGradientOptimiser> optimiserCopy,
                                                             Supplier<TrainerProvenance> provenance,
                                                             Settings settings) {}

    /** A trainer's {@code createModel}. */
    public interface ModelFactory<T extends Output<T>, V extends Model<T>> {
        V create(ModelProvenance provenance, ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo,
                 LinearParameters parameters);
    }

    /**
     * The loop's settings, read from the trainer's configured fields.
     *
     * @param adaptiveBatchSizes adaptive batch sizes, or null for fixed minibatches of {@code minibatchSize}
     *     (or the full batch); when set, {@code minibatchSize} is ignored and {@code fullBatch} must be false
     * @param sharpnessAware SAM/ASAM, or null for plain steps
     */
    public record Settings(long seed, int epochs, int minibatchSize, boolean fullBatch, int maxSteps, int loggingInterval,
                    boolean shuffle, AdaptiveBatchSizes adaptiveBatchSizes, SharpnessAwareTraining sharpnessAware) {
        Settings(long seed, int epochs, int minibatchSize, boolean fullBatch, int maxSteps, int loggingInterval,
                 boolean shuffle) {
            this(seed, epochs, minibatchSize, fullBatch, maxSteps, loggingInterval, shuffle, null, null);
        }

        Settings(long seed, int epochs, int minibatchSize, boolean fullBatch, int maxSteps, int loggingInterval,
                 boolean shuffle, AdaptiveBatchSizes adaptiveBatchSizes) {
            this(seed, epochs, minibatchSize, fullBatch, maxSteps, loggingInterval, shuffle, adaptiveBatchSizes, null);
        }
    }

    private final List<TrainingListener<T>> listeners = new CopyOnWriteArrayList<>();
    private SplittableRandom rng;
    private int invocationCount;

    public void addListener(TrainingListener<T> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public boolean removeListener(TrainingListener<T> listener) {
        return listeners.remove(listener);
    }

    public List<TrainingListener<T>> listeners() {
        return List.copyOf(listeners);
    }

    /** Forgets the RNG so the next run reseeds from the configured seed (after configuration changes). */
    public synchronized void reseed() {
        rng = null;
        invocationCount = 0;
    }

    public synchronized int invocationCount() {
        return invocationCount;
    }

    /** Puts the RNG where it would be after {@code count} runs, as Tribuo's trainers do. */
    public synchronized void setInvocationCount(int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("invocationCount must be >= 0, got " + count);
        }
        rng = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            rng.split();
        }
        invocationCount = count;
    }

    /** Validates the loop settings shared by every trainer. */
    static void validate(int epochs, int minibatchSize, int maxSteps) {
        if (epochs < 1) {
            throw new InvalidHyperparameterException("epochs", "epochs must be >= 1, got " + epochs);
        }
        if (minibatchSize < 1) {
            throw new InvalidHyperparameterException("minibatchSize", "minibatchSize must be >= 1, got " + minibatchSize);
        }
        if (maxSteps < 1 && maxSteps != -1) {
            throw new InvalidHyperparameterException("maxSteps", "maxSteps must be >= 1, or -1 for no limit, got " + maxSteps);
        }
    }

    /**
     * The stored form of a trainer's unlimited {@code maxSteps} (-1): the largest cap, read back as -1 by the
     * trainers' {@code getMaxSteps()}, so the loop itself never sees it. See {@link #canonicalLoggingInterval}.
     */
    public static final int NO_STEP_LIMIT = Integer.MAX_VALUE;

    /**
     * The stored form of a trainer's {@code loggingInterval}: values >= 1 as given; -1 (Tribuo's "no step
     * logging") and 0 as 0, which this loop treats the same (it logs steps only for intervals > 0).
     * <p>
     * Why not keep -1: OLCUT 5.3.1's {@code ConfigurationData.structuralEquals} (behind Tribuo's
     * {@code Helpers.testConfigurableRoundtrip}) compares numeric property values with
     * {@code Util.doubleEquals(a, b)}, i.e. {@code |a - b| <= max(a, b) * ulp(1.0)}, whose tolerance is negative
     * for negative values: a negative value never equals itself, and any trainer configured with -1 (Tribuo's own
     * {@code LinearSGDTrainer} included) fails the comparison. A boxed {@code Integer} left null is no way out
     * either: OLCUT's provenance unboxes it and throws. So the "unset" values are stored non-negative (0 here,
     * {@link #NO_STEP_LIMIT} for {@code maxSteps}), and every valid configuration reads back as an equal one.
     *
     * @throws InvalidHyperparameterException naming {@code loggingInterval} if it is below -1
     */
    public static int canonicalLoggingInterval(int loggingInterval) {
        if (loggingInterval < -1) {
            throw new InvalidHyperparameterException("loggingInterval",
                    "loggingInterval must be >= 1, or -1 (or 0) to log epochs only, got " + loggingInterval);
        }
        return Math.max(0, loggingInterval);
    }

    /**
     * The stored form of a trainer's {@code maxSteps}: values >= 1 as given, -1 (no limit) as
     * {@link #NO_STEP_LIMIT}.
     *
     * @throws InvalidHyperparameterException naming {@code maxSteps} for 0 or values below -1
     */
    public static int canonicalMaxSteps(int maxSteps) {
        validate(1, 1, maxSteps);
        return maxSteps == -1 ? NO_STEP_LIMIT : maxSteps;
    }

    /** {@link #validate(int, int, int)} plus: adaptive batch sizes exclude full-batch training. */
    public static void validate(int epochs, int minibatchSize, boolean fullBatch, int maxSteps, AdaptiveBatchSizes adaptive) {
        validate(epochs, minibatchSize, maxSteps);
        if (adaptive != null && fullBatch) {
            throw new InvalidHyperparameterException("adaptiveBatchSizes",
                    "adaptiveBatchSizes replaces minibatchSize and fullBatch; it cannot be used with fullBatch = true");
        }
    }

    /** The run-provenance key of the adaptive batch-size trajectory (one scheduled batch size per step). */
    public static final String BATCH_SIZE_TRAJECTORY = "batch-size-trajectory";

    public <V extends Model<T>> V train(Dataset<T> examples, Map<String, Provenance> runProvenance, int requestedInvocation,
                                 Hooks<T, U, V> hooks) {
        if (examples.getOutputInfo().getUnknownCount() > 0) {
            throw new IllegalArgumentException("The supplied Dataset contained unknown Outputs, and this Trainer is supervised.");
        }
        if (examples.size() == 0) {
            throw new IllegalArgumentException("The supplied Dataset is empty.");
        }
        Settings settings = hooks.settings();
        validate(settings.epochs(), settings.minibatchSize(), settings.fullBatch(), settings.maxSteps(),
                settings.adaptiveBatchSizes());
        SplittableRandom localRng;
        StochasticGradientOptimiser optimiser;
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            if (requestedInvocation != Trainer.INCREMENT_INVOCATION_COUNT) {
                setInvocationCount(requestedInvocation, settings.seed());
            } else if (rng == null) {
                setInvocationCount(invocationCount, settings.seed());
            }
            localRng = rng.split();
            optimiser = hooks.optimiserCopy().get();
            trainerProvenance = hooks.provenance().get();
            invocationCount++;
        }
        Run<V> run = new Run<>(examples, hooks, settings, optimiser, localRng);
        LinearParameters parameters = run.execute();
        if (run.schedule != null) {
            Map<String, Provenance> withTrajectory = new java.util.LinkedHashMap<>(runProvenance);
            List<com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance> sizes = new ArrayList<>(run.trajectory.size());
            for (int size : run.trajectory) {
                sizes.add(new com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance(BATCH_SIZE_TRAJECTORY, size));
            }
            withTrajectory.put(BATCH_SIZE_TRAJECTORY, new com.oracle.labs.mlrg.olcut.provenance.ListProvenance<>(sizes));
            runProvenance = withTrajectory;
        }
        ModelProvenance provenance = new ModelProvenance(hooks.modelClassName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, runProvenance);
        // The run's own maps: MutableDataset rebuilds them on every call.
        V model = hooks.modelFactory().create(provenance, run.featureMap, run.outputInfo, parameters);
        optimiser.reset();
        return model;
    }

    /** Converts examples into feature vectors (bias appended) and targets, like Tribuo's loop. */
    private static <T extends Output<T>, U> PreparedExamples<T> prepare(Dataset<T> data, ImmutableFeatureMap featureMap,
                                                                        ImmutableOutputInfo<T> outputInfo, Hooks<T, U, ?> hooks) {
        int n = data.size();
        SGDVector[] features = new SGDVector[n];
        Object[] targets = new Object[n];
        List<T> outputs = new ArrayList<>(n);
        double[] weights = new double[n];
        int i = 0;
        for (Example<T> example : data) {
            double w = example.getWeight();
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("example " + i + " has weight " + w
                        + "; example weights must be finite and >= 0");
            }
            weights[i] = w;
            features[i] = example.size() == featureMap.size()
                    ? DenseVector.createDenseVector(example, featureMap, true)
                    : SparseVector.createSparseVector(example, featureMap, true);
            targets[i] = hooks.target().apply(outputInfo, example.getOutput());
            outputs.add(example.getOutput());
            i++;
        }
        return new PreparedExamples<>(featureMap, features, targets, outputs, weights);
    }

    /** One training run: its state is what listeners see. */
    private final class Run<V extends Model<T>> implements TrainingProgress<T> {
        private final Hooks<T, U, V> hooks;
        private final Settings settings;
        private final StochasticGradientOptimiser optimiser;
        private final SplittableRandom rng;
        private final ImmutableFeatureMap featureMap;
        private final ImmutableOutputInfo<T> outputInfo;
        private final SGDObjective<U> objective;
        private final PreparedExamples<T> data;
        private final LinearParameters parameters;
        private final int outputs;
        private final int columns;
        private final int batchSize;
        private final long plannedSteps;
        /** Turns the objective's reported value into the loss (see {@link Hooks#objectiveReportsNegatedLoss}). */
        private final double lossSign;
        /** Feature-major scratch accumulator for sparse batches ({@code [feature][output]}), zeroed after each use. */
        private double[][] sparseScratch;
        private boolean[] touched;
        /** The adaptive batch-size schedule of this run, or null for fixed batches. */
        private final AdaptiveBatchSize schedule;
        /** The scheduled batch size of every step taken (adaptive runs only). */
        private final List<Integer> trajectory = new ArrayList<>();
        /** Statistics of the last batch test (null before the first, and once the schedule reached b_max). */
        private BatchStatistics lastStatistics;
        private double lastTestStatistic = Double.NaN;
        /** Feature-major accumulator of the unweighted test mean for sparse batches with unequal weights. */
        private double[][] testScratch;
        private boolean[] testTouched;
        /** SAM/ASAM's perturbation, or null for plain steps. */
        private final SharpnessPerturbation sharpness;
        /** θ saved while W sits at θ + ε (dense batches; reused across steps). */
        private double[][] savedWeights;
        private double lastPerturbedLoss = Double.NaN;

        private long step;
        private int epoch;
        private long examplesSeen;
        private int lastBatchSize;
        private double lastBatchLoss = Double.NaN;
        private double epochLossSum;
        private double epochWeightSum;
        private boolean stopRequested;

        Run(Dataset<T> examples, Hooks<T, U, V> hooks, Settings settings, StochasticGradientOptimiser optimiser,
            SplittableRandom rng) {
            this.hooks = hooks;
            this.settings = settings;
            this.optimiser = optimiser;
            this.rng = rng;
            this.featureMap = examples.getFeatureIDMap();
            this.outputInfo = examples.getOutputIDInfo();
            this.objective = hooks.objective();
            this.lossSign = hooks.objectiveReportsNegatedLoss() ? -1.0 : 1.0;
            this.data = LinearTrainingLoop.prepare(examples, featureMap, outputInfo, hooks);
            this.outputs = outputInfo.size();
            this.columns = featureMap.size() + 1;
            this.parameters = new LinearParameters(columns, outputs);
            int n = data.size();
            this.schedule = settings.adaptiveBatchSizes() == null ? null : settings.adaptiveBatchSizes().newSchedule();
            this.sharpness = settings.sharpnessAware() == null ? null : settings.sharpnessAware().perturbation();
            this.batchSize = schedule != null ? Math.min(schedule.batchSize(), n)
                    : settings.fullBatch() ? n : Math.min(settings.minibatchSize(), n);
            long stepsPerEpoch = (n + batchSize - 1) / batchSize;
            long planned = stepsPerEpoch * settings.epochs();
            this.plannedSteps = settings.maxSteps() == -1 ? planned : Math.min(planned, settings.maxSteps());
        }

        LinearParameters execute() {
            int n = data.size();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            logger.info(String.format("Training linear model with %d examples, %d features, %d outputs; batch %s, %d planned steps, optimiser %s%s",
                    n, columns - 1, outputs, schedule != null ? "adaptive " + settings.adaptiveBatchSizes()
                            : settings.fullBatch() ? "full (" + n + ")" : Integer.toString(batchSize),
                    plannedSteps, optimiser, sharpness == null ? "" : ", sharpness-aware " + sharpness));
            optimiser.initialise(parameters);
            for (TrainingListener<T> l : listeners) {
                l.onStart(this);
            }
            double intervalLoss = 0;
            int intervalSteps = 0;
            training:
            for (epoch = 0; epoch < settings.epochs(); epoch++) {
                // The whole data in one batch is shuffle-invariant; skipping keeps its summation order fixed.
                if (settings.shuffle() && (schedule != null || batchSize < n)) {
                    shuffle(order);
                }
                long epochStart = System.nanoTime();
                long epochExamples = 0;
                epochLossSum = 0;
                epochWeightSum = 0;
                for (int start = 0, end; start < n; start = end) {
                    int scheduled = schedule != null ? schedule.batchSize() : batchSize;
                    end = (int) Math.min(n, (long) start + scheduled);
                    double weightSum = 0;
                    for (int k = start; k < end; k++) {
                        weightSum += data.weight(order[k]);
                    }
                    if (weightSum == 0) {
                        continue;
                    }
                    Tensor[] gradient = new Tensor[1];
                    boolean testing = schedule != null && schedule.isTesting();
                    double loss = meanGradient(order, start, end, weightSum, gradient, testing);
                    if (sharpness != null) {
                        lastPerturbedLoss = gradientAtPerturbedPoint(order, start, end, weightSum, gradient);
                    }
                    Tensor[] update = optimiser.step(gradient, 1.0);
                    parameters.update(update);
                    step++;
                    if (schedule != null) {
                        trajectory.add(scheduled);
                        if (testing) {
                            schedule.update(lastStatistics);
                            lastTestStatistic = schedule.lastStatistic().orElse(Double.NaN);
                        } else {
                            lastStatistics = null;
                            schedule.update(new double[0][]); // at b_max: the schedule ignores its input
                        }
                    }
                    examplesSeen += end - start;
                    epochExamples += end - start;
                    lastBatchSize = end - start;
                    lastBatchLoss = loss;
                    epochLossSum += loss * weightSum;
                    epochWeightSum += weightSum;
                    intervalLoss += loss;
                    intervalSteps++;
                    if (settings.loggingInterval() > 0 && step % settings.loggingInterval() == 0) {
                        logger.info(String.format("step %d: mean minibatch loss %.6g", step, intervalLoss / intervalSteps));
                        intervalLoss = 0;
                        intervalSteps = 0;
                    }
                    for (TrainingListener<T> l : listeners) {
                        l.onStep(this);
                    }
                    if (stopRequested || step == settings.maxSteps()) {
                        endEpoch(epochStart, epochExamples);
                        break training;
                    }
                }
                endEpoch(epochStart, epochExamples);
            }
            epoch = Math.min(epoch, settings.epochs() - 1);
            optimiser.finalise();
            for (TrainingListener<T> l : listeners) {
                l.onEnd(this);
            }
            return parameters;
        }

        private void endEpoch(long startNanos, long epochExamples) {
            double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
            if (logger.isLoggable(Level.INFO)) {
                logger.info(String.format("epoch %d/%d: step %d, mean loss %.6g, %.0f examples/s",
                        epoch + 1, settings.epochs(), step, epochLoss(), epochExamples / seconds));
            }
            for (TrainingListener<T> l : listeners) {
                l.onEpochEnd(this);
            }
        }

        private void shuffle(int[] order) {
            for (int i = order.length; i > 1; i--) {
                int j = rng.nextInt(i);
                int t = order[i - 1];
                order[i - 1] = order[j];
                order[j] = t;
            }
        }

        /**
         * Puts {@code Σ_i w_i g_i / Σ_i w_i} over {@code order[start, end)} into {@code out[0]}, with
         * {@code g_i} the objective's (negative) loss gradient for example i, and returns the weighted mean loss.
         * Dense batches accumulate straight into a new DenseMatrix. Sparse batches accumulate into a
         * feature-major scratch (one contiguous array of outputs per active feature) and leave as a
         * DenseSparseMatrix over the features active in the batch; scoring many sparse examples reads a
         * feature-major copy of W, because walking the rows of W for each example misses the cache once per
         * output.
         */
        @SuppressWarnings("unchecked")
        private double meanGradient(int[] order, int start, int end, double weightSum, Tensor[] out, boolean test) {
            boolean dense = false;
            long activeEntries = 0;
            for (int k = start; k < end && !dense; k++) {
                SGDVector x = data.features(order[k]);
                dense = x instanceof DenseVector;
                activeEntries += x.numActiveElements();
            }
            DenseMatrix denseGradient = dense ? new DenseMatrix(outputs, columns) : null;
            double[][] rows = dense ? TribuoTensors.rows(denseGradient) : null;
            double[][] transposed = !dense && worthTransposing(activeEntries) ? transposedWeights() : null;
            double loss = 0;
            int m = 0;
            double[][] residuals = test ? new double[end - start][] : null;
            SGDVector[] xs = test ? new SGDVector[end - start] : null;
            double firstWeight = -1;
            boolean uniform = true;
            for (int k = start; k < end; k++) {
                int i = order[k];
                double w = data.weight(i);
                if (w == 0) {
                    continue;
                }
                if (firstWeight < 0) {
                    firstWeight = w;
                } else if (w != firstWeight) {
                    uniform = false;
                }
                SGDVector x = data.features(i);
                DenseVector scores = transposed != null ? sparseScores(transposed, (SparseVector) x) : scores(x);
                Pair<Double, SGDVector> lossAndGradient = objective.lossAndGradient((U) data.target(i), scores);
                loss += w * lossSign * lossAndGradient.getA();
                double scale = w / weightSum;
                double[] r = denseResidual(lossAndGradient.getB());
                if (test) {
                    residuals[m] = r;
                    xs[m] = x;
                }
                m++;
                if (dense) {
                    for (int o = 0; o < r.length; o++) {
                        addScaled(rows[o], scale * r[o], x);
                    }
                } else {
                    SparseVector sx = (SparseVector) x;
                    int[] xi = TribuoTensors.indices(sx);
                    double[] xv = TribuoTensors.values(sx);
                    for (int q = 0; q < xi.length; q++) {
                        double[] column = scratchColumn(xi[q]);
                        double c = scale * xv[q];
                        for (int o = 0; o < column.length; o++) {
                            column[o] += c * r[o];
                        }
                    }
                }
            }
            if (test) {
                lastStatistics = batchStatistics(m, residuals, xs, uniform, dense ? rows : null);
            }
            out[0] = dense ? denseGradient : drainSparse();
            return loss / weightSum;
        }

        /**
         * SAM/ASAM: replaces {@code gradient[0]}, the batch's mean gradient g at θ, by the mean gradient of the
         * same batch at θ + ε, and returns the weighted mean loss there; W holds θ again on return (written
         * back from a copy, so bit-exact, also when the second pass throws). The loop's gradients are Tribuo's
         * negated loss gradients, and ε is odd in g, so the perturbation of the loop's g is −ε and is
         * subtracted. ε vanishes wherever g does, so only g's stored entries are perturbed and restored: the
         * whole matrix for a dense batch, the batch's active columns for a sparse one. g's own arrays receive
         * ε (g is not needed once the step has its g′).
         */
        private double gradientAtPerturbedPoint(int[] order, int start, int end, double weightSum, Tensor[] gradient) {
            Tensor g = gradient[0];
            TribuoTensors.requireFinite(0, g);
            double[][] w = TribuoTensors.rows(parameters.getWeightMatrix());
            // One flat tensor per stored row of g: its values, their columns (null: the whole row) and θ there.
            int[] rowOf = new int[outputs];
            double[][] values = new double[outputs][];
            int[][] columnsOf = new int[outputs][];
            int[] stored = {0};
            TribuoTensors.forEachRow(g, (row, rowValues, indices, count) -> {
                rowOf[stored[0]] = row;
                values[stored[0]] = rowValues;
                columnsOf[stored[0]] = indices;
                stored[0]++;
            });
            int k = stored[0];
            double[][] epsilon = Arrays.copyOf(values, k);
            double[][] theta = new double[k][];
            for (int r = 0; r < k; r++) {
                double[] weights = w[rowOf[r]];
                int[] cols = columnsOf[r];
                if (cols == null) {
                    if (savedWeights == null) {
                        savedWeights = new double[outputs][columns];
                    }
                    theta[r] = savedWeights[rowOf[r]];
                    System.arraycopy(weights, 0, theta[r], 0, columns);
                } else {
                    theta[r] = new double[cols.length];
                    for (int q = 0; q < cols.length; q++) {
                        theta[r][q] = weights[cols[q]];
                    }
                }
            }
            sharpness.perturbationInto(theta, epsilon, epsilon);
            try {
                for (int r = 0; r < k; r++) {
                    double[] weights = w[rowOf[r]];
                    int[] cols = columnsOf[r];
                    double[] e = epsilon[r];
                    for (int q = 0; q < e.length; q++) {
                        weights[cols == null ? q : cols[q]] -= e[q];
                    }
                }
                double loss = meanGradient(order, start, end, weightSum, gradient, false);
                // Tribuo's own optimisers take non-finite gradients silently; the ascent can overflow where g did not.
                TribuoTensors.requireFinite(0, gradient[0]);
                return loss;
            } finally {
                for (int r = 0; r < k; r++) {
                    double[] weights = w[rowOf[r]];
                    int[] cols = columnsOf[r];
                    if (cols == null) {
                        System.arraycopy(theta[r], 0, weights, 0, columns);
                    } else {
                        for (int q = 0; q < cols.length; q++) {
                            weights[cols[q]] = theta[r][q];
                        }
                    }
                }
            }
        }

        /**
         * The batch statistics of the per-example gradients {@code g_i = r_i ⊗ x̃_i} of the first {@code m}
         * (positive-weight) examples, unweighted, in closed form: {@code ‖g_i‖² = ‖r_i‖² ‖x̃_i‖²},
         * {@code ⟨g_i, ḡ⟩ = r_iᵀ Ḡ x̃_i} with {@code Ḡ = (1/m) Σ_i r_i x̃_iᵀ}, and {@code ‖ḡ‖² = ‖Ḡ‖_F²}.
         * With equal weights the step's accumulated weighted mean is {@code Ḡ} and is reused (dense:
         * {@code stepRows}; sparse: the feature-major scratch, before it is drained); otherwise {@code Ḡ} is
         * accumulated separately. The residuals are the objective's negative score gradients; the sign
         * cancels in every statistic.
         */
        private BatchStatistics batchStatistics(int m, double[][] residuals, SGDVector[] xs, boolean uniform,
                                                double[][] stepRows) {
            double[][] rowMajor = null;
            double[][] featureMajor = null;
            boolean[] featureTouched = null;
            if (uniform) {
                if (stepRows != null) {
                    rowMajor = stepRows;
                } else {
                    featureMajor = sparseScratch;
                    featureTouched = touched;
                }
            } else if (stepRows != null) {
                rowMajor = new double[outputs][columns];
                for (int i = 0; i < m; i++) {
                    for (int o = 0; o < outputs; o++) {
                        addScaled(rowMajor[o], residuals[i][o] / m, xs[i]);
                    }
                }
            } else {
                if (testScratch == null) {
                    testScratch = new double[columns][];
                    testTouched = new boolean[columns];
                }
                for (int i = 0; i < m; i++) {
                    SparseVector sx = (SparseVector) xs[i];
                    int[] xi = TribuoTensors.indices(sx);
                    double[] xv = TribuoTensors.values(sx);
                    for (int q = 0; q < xi.length; q++) {
                        double[] column = testScratch[xi[q]];
                        if (column == null) {
                            column = testScratch[xi[q]] = new double[outputs];
                        }
                        testTouched[xi[q]] = true;
                        double c = xv[q] / m;
                        for (int o = 0; o < outputs; o++) {
                            column[o] += c * residuals[i][o];
                        }
                    }
                }
                featureMajor = testScratch;
                featureTouched = testTouched;
            }
            double meanNorm = 0;
            if (rowMajor != null) {
                for (double[] row : rowMajor) {
                    for (double v : row) {
                        meanNorm += v * v;
                    }
                }
            } else if (featureTouched != null) {
                for (int j = 0; j < columns; j++) {
                    if (featureTouched[j]) {
                        for (double v : featureMajor[j]) {
                            meanNorm += v * v;
                        }
                    }
                }
            }
            double[] norms = new double[m];
            double[] inner = new double[m];
            for (int i = 0; i < m; i++) {
                double[] r = residuals[i];
                SGDVector x = xs[i];
                double rr = 0;
                for (double v : r) {
                    rr += v * v;
                }
                norms[i] = rr * squaredNorm(x);
                inner[i] = rowMajor != null ? dotRowMajor(rowMajor, r, x) : dotFeatureMajor(featureMajor, r, (SparseVector) x);
            }
            if (featureMajor == testScratch && testTouched != null) {
                for (int j = 0; j < columns; j++) {
                    if (testTouched[j]) {
                        testTouched[j] = false;
                        Arrays.fill(testScratch[j], 0.0);
                    }
                }
            }
            return BatchStatistics.ofSufficientStatistics(outputs * columns, meanNorm, norms, inner);
        }

        private static double squaredNorm(SGDVector x) {
            double[] v = x instanceof DenseVector ? TribuoTensors.elements((DenseVector) x) : TribuoTensors.values((SparseVector) x);
            double s = 0;
            for (double e : v) {
                s += e * e;
            }
            return s;
        }

        /** {@code rᵀ G x} with G row-major {@code [output][feature]}. */
        private static double dotRowMajor(double[][] g, double[] r, SGDVector x) {
            double sum = 0;
            for (int o = 0; o < r.length; o++) {
                if (r[o] == 0) {
                    continue;
                }
                double gx;
                if (x instanceof DenseVector) {
                    gx = Tensors.dot(g[o], TribuoTensors.elements((DenseVector) x), x.size());
                } else {
                    int[] xi = TribuoTensors.indices((SparseVector) x);
                    double[] xv = TribuoTensors.values((SparseVector) x);
                    gx = 0;
                    for (int q = 0; q < xi.length; q++) {
                        gx += g[o][xi[q]] * xv[q];
                    }
                }
                sum += r[o] * gx;
            }
            return sum;
        }

        /** {@code rᵀ G x} with G feature-major {@code [feature][output]} (null columns are zero). */
        private static double dotFeatureMajor(double[][] g, double[] r, SparseVector x) {
            int[] xi = TribuoTensors.indices(x);
            double[] xv = TribuoTensors.values(x);
            double sum = 0;
            for (int q = 0; q < xi.length; q++) {
                double[] column = g[xi[q]];
                if (column == null) {
                    continue;
                }
                double cr = 0;
                for (int o = 0; o < r.length; o++) {
                    cr += column[o] * r[o];
                }
                sum += xv[q] * cr;
            }
            return sum;
        }

        /** The objective's gradient with respect to the scores as a dense array of outputs. */
        private double[] denseResidual(SGDVector r) {
            if (r instanceof DenseVector) {
                return TribuoTensors.elements((DenseVector) r);
            }
            double[] dense = new double[outputs];
            SparseVector sr = (SparseVector) r;
            int[] ri = TribuoTensors.indices(sr);
            double[] rv = TribuoTensors.values(sr);
            for (int q = 0; q < ri.length; q++) {
                dense[ri[q]] = rv[q];
            }
            return dense;
        }

        /** A feature-major copy of W costs outputs × columns; it pays off once the examples touch enough entries. */
        private boolean worthTransposing(long activeEntries) {
            return activeEntries * 8 >= columns;
        }

        /** W transposed: {@code [feature][output]}. */
        private double[][] transposedWeights() {
            double[][] w = TribuoTensors.rows(parameters.getWeightMatrix());
            double[][] t = new double[columns][outputs];
            for (int o = 0; o < outputs; o++) {
                double[] row = w[o];
                for (int j = 0; j < columns; j++) {
                    t[j][o] = row[j];
                }
            }
            return t;
        }

        private static DenseVector sparseScores(double[][] transposed, SparseVector x) {
            int[] xi = TribuoTensors.indices(x);
            double[] xv = TribuoTensors.values(x);
            double[] out = new double[transposed[0].length];
            for (int q = 0; q < xi.length; q++) {
                double[] column = transposed[xi[q]];
                double v = xv[q];
                for (int o = 0; o < out.length; o++) {
                    out[o] += v * column[o];
                }
            }
            return DenseVector.createDenseVector(out);
        }

        /**
         * W·x over the raw rows: the same value as {@code LinearParameters.predict}, several times faster
         * (Tribuo's dense product goes through bounds-checked getters with one running sum, and its sparse
         * product walks W by columns).
         */
        private DenseVector scores(SGDVector x) {
            double[][] w = TribuoTensors.rows(parameters.getWeightMatrix());
            double[] out = new double[w.length];
            if (x instanceof DenseVector) {
                double[] xe = TribuoTensors.elements((DenseVector) x);
                for (int o = 0; o < w.length; o++) {
                    out[o] = Tensors.dot(w[o], xe, xe.length);
                }
            } else {
                SparseVector sx = (SparseVector) x;
                int[] xi = TribuoTensors.indices(sx);
                double[] xv = TribuoTensors.values(sx);
                for (int o = 0; o < w.length; o++) {
                    double[] row = w[o];
                    double sum = 0;
                    for (int q = 0; q < xi.length; q++) {
                        sum += row[xi[q]] * xv[q];
                    }
                    out[o] = sum;
                }
            }
            return DenseVector.createDenseVector(out);
        }

        private void addScaled(double[] row, double coefficient, SGDVector x) {
            if (coefficient == 0) {
                return;
            }
            if (x instanceof DenseVector) {
                double[] xe = TribuoTensors.elements((DenseVector) x);
                for (int j = 0; j < xe.length; j++) {
                    row[j] += coefficient * xe[j];
                }
            } else {
                SparseVector sx = (SparseVector) x;
                int[] xi = TribuoTensors.indices(sx);
                double[] xv = TribuoTensors.values(sx);
                for (int q = 0; q < xi.length; q++) {
                    row[xi[q]] += coefficient * xv[q];
                }
            }
        }

        /** The scratch accumulator of feature {@code j}, allocated on first use and marked as touched. */
        private double[] scratchColumn(int j) {
            if (sparseScratch == null) {
                sparseScratch = new double[columns][];
                touched = new boolean[columns];
            }
            if (sparseScratch[j] == null) {
                sparseScratch[j] = new double[outputs];
            }
            touched[j] = true;
            return sparseScratch[j];
        }

        /** Moves the touched columns of the scratch accumulator into a DenseSparseMatrix and re-zeroes them. */
        private DenseSparseMatrix drainSparse() {
            int count = 0;
            if (touched != null) {
                for (boolean t : touched) {
                    count += t ? 1 : 0;
                }
            }
            int[] cols = new int[count];
            double[][] values = new double[outputs][count];
            for (int j = 0, c = 0; c < count; j++) {
                if (touched[j]) {
                    touched[j] = false;
                    double[] column = sparseScratch[j];
                    for (int o = 0; o < outputs; o++) {
                        values[o][c] = column[o];
                    }
                    java.util.Arrays.fill(column, 0.0);
                    cols[c++] = j;
                }
            }
            SparseVector[] rows = new SparseVector[outputs];
            for (int o = 0; o < outputs; o++) {
                rows[o] = SparseVector.createSparseVector(columns, cols.clone(), values[o]);
            }
            return DenseSparseMatrix.createFromSparseVectors(rows);
        }

        @Override
        public long step() {
            return step;
        }

        @Override
        public int epoch() {
            return epoch;
        }

        @Override
        public long examplesSeen() {
            return examplesSeen;
        }

        @Override
        public int lastBatchSize() {
            return lastBatchSize;
        }

        @Override
        public double lastBatchLoss() {
            return lastBatchLoss;
        }

        @Override
        public double lastBatchPerturbedLoss() {
            return lastPerturbedLoss;
        }

        @Override
        public double epochLoss() {
            return epochWeightSum == 0 ? Double.NaN : epochLossSum / epochWeightSum;
        }

        @Override
        public long plannedSteps() {
            return plannedSteps;
        }

        @Override
        public LinearParameters parameters() {
            return parameters;
        }

        @Override
        public ImmutableFeatureMap featureMap() {
            return featureMap;
        }

        @Override
        public ImmutableOutputInfo<T> outputInfo() {
            return outputInfo;
        }

        @Override
        public PreparedExamples<T> prepare(Dataset<T> dataset) {
            return LinearTrainingLoop.prepare(dataset, featureMap, outputInfo, hooks);
        }

        @Override
        @SuppressWarnings("unchecked")
        public double[] exampleLosses(PreparedExamples<T> examples) {
            if (examples.featureMap() != featureMap) {
                throw new IllegalArgumentException("examples were prepared by another training run");
            }
            long sparseEntries = 0;
            for (int i = 0; i < examples.size(); i++) {
                if (examples.features(i) instanceof SparseVector sx) {
                    sparseEntries += sx.numActiveElements();
                }
            }
            double[][] transposed = worthTransposing(sparseEntries) ? transposedWeights() : null;
            double[] losses = new double[examples.size()];
            for (int i = 0; i < losses.length; i++) {
                SGDVector x = examples.features(i);
                DenseVector scores = transposed != null && x instanceof SparseVector sx ? sparseScores(transposed, sx) : scores(x);
                losses[i] = lossSign * objective.lossAndGradient((U) examples.target(i), scores).getA();
            }
            return losses;
        }

        @Override
        public int currentBatchSize() {
            return schedule != null ? Math.min(schedule.batchSize(), data.size()) : batchSize;
        }

        @Override
        public double lastBatchTestStatistic() {
            return lastTestStatistic;
        }

        @Override
        public BatchStatistics lastBatchStatistics() {
            return lastStatistics;
        }

        @Override
        public List<Integer> batchSizeTrajectory() {
            return List.copyOf(trajectory);
        }

        @Override
        public void requestStop() {
            stopRequested = true;
        }
    }
}
