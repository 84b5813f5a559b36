package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.stopping.EarlyStopping;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One training run of {@link LinearTrainingLoop}: epochs of (shuffled) batches, one optimiser step per batch on
 * the batch's weighted mean gradient ({@link GradientAccumulator}; with SAM/ASAM the gradient at the perturbed
 * point, {@link SharpnessAwareBatchStep}), the adaptive batch-size schedule, logging, listener calls and the
 * step cap. Its counters ({@link RunProgress}) are what listeners see.
 */
final class TrainingRun<T extends Output<T>, U, V extends Model<T>> extends RunProgress<T> {
    // the loop's logger name, which users configure
    private static final Logger logger = Logger.getLogger(LinearTrainingLoop.class.getName());

    private final TrainerHooks<T, U, V> hooks;
    private final TrainingSettings settings;
    private final StochasticGradientOptimiser optimiser;
    private final SplittableRandom rng;
    private final List<TrainingListener<T>> listeners;
    private final SGDObjective<U> objective;
    /** Turns the objective's reported value into the loss (see {@link TrainerHooks#objectiveReportsNegatedLoss}). */
    private final double lossSign;
    private final PreparedExamples<T> data;
    private final int outputs;
    private final int columns;
    private final int batchSize;
    private final GradientAccumulator<U> accumulator;
    /** Sums large batches; owns the run's thread pool, if any. */
    private final BatchChunks chunks;
    /** The adaptive batch-size schedule of this run, or null for fixed batches. */
    private final AdaptiveBatchSize schedule;
    /** SAM/ASAM's perturbation, or null for plain steps. */
    private final SharpnessPerturbation sharpness;
    /** θ saved while W sits at θ + ε (dense batches; reused across steps). */
    private double[][] savedWeights;
    /** Early stopping's validation examples, or null without early stopping. */
    private final PreparedExamples<T> validation;
    /** Whether early stopping measures accuracy (else the loss). */
    private final boolean accuracy;
    /** The weight matrix at the end of the best epoch so far (early stopping only). */
    private double[][] bestWeights;

    TrainingRun(Dataset<T> examples, TrainerHooks<T, U, V> hooks, StochasticGradientOptimiser optimiser,
                SplittableRandom rng, List<TrainingListener<T>> listeners) {
        this(examples.getFeatureIDMap(), examples.getOutputIDInfo(), examples, hooks, optimiser, rng, listeners);
    }

    // The maps are read once: MutableDataset rebuilds them on every call.
    private TrainingRun(ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo, Dataset<T> examples,
                        TrainerHooks<T, U, V> hooks, StochasticGradientOptimiser optimiser, SplittableRandom rng,
                        List<TrainingListener<T>> listeners) {
        this(featureMap, outputInfo, ExampleConversion.prepare(examples, featureMap, outputInfo, hooks), examples, hooks,
                optimiser, rng, listeners);
    }

    private TrainingRun(ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo, PreparedExamples<T> data,
                        Dataset<T> examples, TrainerHooks<T, U, V> hooks, StochasticGradientOptimiser optimiser,
                        SplittableRandom rng, List<TrainingListener<T>> listeners) {
        this(WeightLayout.forTraining(data), featureMap, outputInfo, data, examples, hooks, optimiser, rng, listeners);
    }

    private TrainingRun(WeightLayout layout, ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo,
                        PreparedExamples<T> data, Dataset<T> examples, TrainerHooks<T, U, V> hooks,
                        StochasticGradientOptimiser optimiser, SplittableRandom rng, List<TrainingListener<T>> listeners) {
        super(layout, layout.newParameters(featureMap.size(), outputInfo.size()), featureMap, outputInfo);
        this.hooks = hooks;
        this.settings = hooks.settings();
        this.optimiser = optimiser;
        this.rng = rng;
        this.listeners = listeners;
        this.objective = hooks.objective();
        this.lossSign = hooks.objectiveReportsNegatedLoss() ? -1.0 : 1.0;
        this.data = data;
        this.outputs = outputInfo.size();
        this.columns = featureMap.size() + 1;
        this.chunks = new BatchChunks(settings.threads(), outputs, columns);
        this.accumulator = new GradientAccumulator<>(objective, lossSign, data, parameters, layout, outputs, columns, chunks);
        int n = data.size();
        this.schedule = settings.adaptiveBatchSizes() == null ? null : settings.adaptiveBatchSizes().newSchedule();
        this.sharpness = settings.sharpnessAware() == null ? null : settings.sharpnessAware().perturbation();
        this.batchSize = schedule != null ? Math.min(schedule.batchSize(), n)
                : settings.fullBatch() ? n : Math.min(settings.minibatchSize(), n);
        long stepsPerEpoch = (n + batchSize - 1) / batchSize;
        long planned = stepsPerEpoch * settings.epochs();
        this.plannedSteps = settings.maxSteps() == -1 ? planned : Math.min(planned, settings.maxSteps());
        EarlyStopping early = settings.earlyStopping();
        this.accuracy = early != null && early.getMetric() == EarlyStopping.Metric.ACCURACY;
        this.validation = early == null ? null : prepareValidation(early.validationDataFor(examples));
        this.stopping = early == null ? null : new EarlyStoppingState(early);
    }

    private PreparedExamples<T> prepareValidation(Dataset<T> data) {
        PreparedExamples<T> prepared;
        try {
            prepared = prepare(data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("early stopping's validation data: " + e.getMessage(), e);
        }
        double weights = 0;
        for (int i = 0; i < prepared.size(); i++) {
            weights += prepared.weight(i);
        }
        if (!(weights > 0)) {
            throw new IllegalArgumentException("early stopping's validation examples have weights summing to " + weights
                    + "; at least one must be positive");
        }
        return prepared;
    }

    /** Whether this run schedules its batch sizes adaptively (and so records a trajectory). */
    boolean isAdaptive() {
        return schedule != null;
    }

    LinearParameters execute() {
        try (BatchChunks closing = chunks) {
            return run();
        }
    }

    private LinearParameters run() {
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
                double loss = accumulator.meanGradient(order, start, end, weightSum, gradient, testing);
                if (testing) {
                    lastStatistics = accumulator.lastStatistics();
                }
                if (sharpness != null) {
                    if (savedWeights == null && isDense(gradient[0])) {
                        DenseMatrix w = parameters.getWeightMatrix();
                        savedWeights = new double[w.getDimension1Size()][w.getDimension2Size()];
                    }
                    lastPerturbedLoss = new SharpnessAwareBatchStep(accumulator, parameters, savedWeights,
                            order, start, end, weightSum, gradient).run(sharpness);
                }
                Tensor[] update = optimiser.step(gradient, 1.0);
                if (update.length != 1) {
                    throw new IllegalStateException(optimiser + " returned " + update.length
                            + " update tensors for a linear model's single weight matrix");
                }
                TribuoTensors.addInPlace(parameters.getWeightMatrix(), update[0]);
                weightsChanged();
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
                if (!listeners.isEmpty()) {
                    for (TrainingListener<T> l : listeners) {
                        l.onStep(this);
                    }
                }
                if (stopRequested || step == settings.maxSteps()) {
                    endEpoch(epochStart, epochExamples);
                    break training;
                }
            }
            if (endEpoch(epochStart, epochExamples)) {
                break;
            }
        }
        epoch = Math.min(epoch, settings.epochs() - 1);
        optimiser.finalise();
        weightsChanged();   // finalise may replace them (weight averaging)
        if (bestWeights != null) {
            double[][] rows = TribuoTensors.rows(parameters.getWeightMatrix());
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(bestWeights[i], 0, rows[i], 0, rows[i].length);
            }
            weightsChanged();
        }
        for (TrainingListener<T> l : listeners) {
            l.onEnd(this);
        }
        return layout.toTribuoLayout(parameters);
    }

    private static boolean isDense(Tensor gradient) {
        return gradient instanceof DenseMatrix;
    }

    /** Logs the epoch, runs early stopping and the listeners; returns whether early stopping ends training. */
    private boolean endEpoch(long startNanos, long epochExamples) {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        if (logger.isLoggable(Level.INFO)) {
            logger.info(String.format("epoch %d/%d: step %d, mean loss %.6g, %.0f examples/s",
                    epoch + 1, settings.epochs(), step, epochLoss(), epochExamples / seconds));
        }
        if (stopping != null) {
            double value = validationMetric();
            if (stopping.record(epoch, value)) {
                saveBestWeights();
            }
            stoppedEarly = stopping.exhausted();
            logger.info(String.format("epoch %d: validation %s %.6g (best %.6g at epoch %d)%s", epoch + 1,
                    accuracy ? "accuracy" : "loss", value, stopping.best(), stopping.bestEpoch() + 1,
                    stoppedEarly ? "; stopping early" : ""));
        }
        for (TrainingListener<T> l : listeners) {
            l.onEpochEnd(this);
        }
        return stoppedEarly;
    }

    private void saveBestWeights() {
        double[][] rows = TribuoTensors.rows(parameters.getWeightMatrix());
        if (bestWeights == null) {
            bestWeights = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                bestWeights[i] = rows[i].clone();
            }
        } else {
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(rows[i], 0, bestWeights[i], 0, rows[i].length);
            }
        }
    }

    /** Early stopping's metric on the validation examples: Σ w_i m_i / Σ w_i, m the loss or 1 for a correct label. */
    private double validationMetric() {
        double[] perExample = accuracy ? correct(validation) : exampleLosses(validation);
        double sum = 0;
        double weights = 0;
        for (int i = 0; i < perExample.length; i++) {
            sum += validation.weight(i) * perExample[i];
            weights += validation.weight(i);
        }
        return sum / weights;
    }

    /** 1 where the highest score is the example's label id (the model's prediction), else 0. */
    private double[] correct(PreparedExamples<T> examples) {
        double[] out = new double[examples.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(examples.target(i) instanceof Integer label)) {
                throw new IllegalStateException("accuracy needs class-index targets, got " + examples.target(i));
            }
            out[i] = layout.scores(parameters, examples.features(i)).indexOfMax() == label ? 1 : 0;
        }
        return out;
    }

    private void shuffle(int[] order) {
        for (int i = order.length; i > 1; i--) {
            int j = rng.nextInt(i);
            int t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    }

    @Override
    public PreparedExamples<T> prepare(Dataset<T> dataset) {
        return ExampleConversion.prepare(dataset, featureMap, outputInfo, hooks);
    }

    @Override
    @SuppressWarnings("unchecked")
    public double[] exampleLosses(PreparedExamples<T> examples) {
        if (examples.featureMap() != featureMap) {
            throw new IllegalArgumentException("examples were prepared by another training run");
        }
        double[] losses = new double[examples.size()];
        for (int i = 0; i < losses.length; i++) {
            SGDVector x = examples.features(i);
            DenseVector scores = layout.scores(parameters, x);
            losses[i] = lossSign * objective.lossAndGradient((U) examples.target(i), scores).getA();
        }
        return losses;
    }

    @Override
    public int currentBatchSize() {
        return schedule != null ? Math.min(schedule.batchSize(), data.size()) : batchSize;
    }
}
