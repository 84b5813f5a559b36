package io.github.descent4j.tribuo.train;

import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import io.github.descent4j.tribuo.stopping.EarlyStopping;
import io.github.descent4j.tribuo.train.loop.LinearTrainingLoop;
import io.github.descent4j.tribuo.train.loop.TrainingSettings;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.LabelObjective;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drop-in replacement for Tribuo's classification {@link LinearSGDTrainer} (and so for
 * {@code LogisticRegressionTrainer}) that trains with descent4j's loop: the optimiser sees the weighted
 * <b>mean</b> gradient of each minibatch, every example weight counts, full-batch training and a step cap
 * are available, {@link TrainingListener}s are called after each step and epoch, and progress is logged.
 * It produces the same {@link LinearSGDModel} as Tribuo's trainer. See {@link LinearTrainingLoop} for the
 * exact differences from Tribuo 4.3.2's loop.
 * <p>
 * With weights, the objective is the weighted mean loss {@code Σ_i w_i ℓ_i / Σ_i w_i}; class weights
 * (e.g. {@code 1/π_k}) are applied by setting example weights.
 */
public class LinearClassificationTrainer extends LinearSGDTrainer {

    @Config(description = "Use the whole training set as one batch: one optimiser step per epoch.")
    private boolean fullBatch = false;

    /** No limit is stored as {@link TrainingSettings#NO_STEP_LIMIT}; see {@link #getMaxSteps()}. */
    @Config(description = "Stop after this many optimiser steps (>= 1); -1 for no limit (epochs decide), "
            + "recorded as 2147483647.")
    private int maxSteps = TrainingSettings.NO_STEP_LIMIT;

    @Config(description = "Adaptive batch sizes (AdAdaGrad norm / inner-product / augmented test); when set they "
            + "replace minibatchSize, and fullBatch must be false. Unset: fixed minibatches.")
    private AdaptiveBatchSizes adaptiveBatchSizes = null;

    @Config(description = "Sharpness-aware training (SAM or ASAM): each step's gradient is taken at the perturbed point "
            + "theta + epsilon of its own minibatch. Unset: plain steps.")
    private SharpnessAwareTraining sharpnessAware = null;

    @Config(description = "Early stopping: measure a metric on validation data after every epoch, stop after patience "
            + "epochs without improvement and keep the best epoch's weights. Unset: every epoch is trained.")
    private EarlyStopping earlyStopping = null;

    @Config(description = "Threads summing the gradient of a batch of more than 2048 examples (>= 1). The result does "
            + "not depend on it: such batches are always summed in fixed chunks of 2048 examples, added in order. "
            + "Above 1 the objective is called concurrently (Tribuo's own objectives allow it).")
    private int threads = 1;

    private final LinearTrainerSupport<Label, Integer> support = new LinearTrainerSupport<>(this::checkedTarget, true);

    /**
     * @param objective the loss, e.g. {@link LogMulticlass}
     * @param optimiser the gradient optimiser
     * @param epochs passes over the data, >= 1
     * @param loggingInterval log the mean minibatch loss every this many steps, >= 1; -1 (Tribuo's value, stored
     *     as 0) or 0 to log epochs only
     * @param minibatchSize examples per step, >= 1 (ignored when {@code fullBatch})
     * @param fullBatch one step per epoch on the whole dataset
     * @param maxSteps stop after this many steps, >= 1, or -1 for no limit (stored as {@code Integer.MAX_VALUE})
     * @param seed seed of the example shuffling
     */
    public LinearClassificationTrainer(LabelObjective objective, StochasticGradientOptimiser optimiser, int epochs,
                                       int loggingInterval, int minibatchSize, boolean fullBatch, int maxSteps, long seed) {
        super(objective, optimiser, epochs, loggingInterval, minibatchSize, seed);
        this.fullBatch = fullBatch;
        this.maxSteps = maxSteps;
        canonicalise();
    }

    /**
     * Training with adaptive batch sizes: the batch starts at {@code adaptiveBatchSizes.getInitialBatchSize()}
     * and grows (never shrinks) after each step as the configured test asks, up to its {@code maxBatchSize};
     * see {@link LinearTrainingLoop}. The superclass's {@code minibatchSize} is set to the initial batch size
     * and otherwise ignored; {@code fullBatch} is false. The other parameters are those of the fixed-batch
     * constructor.
     */
    public LinearClassificationTrainer(LabelObjective objective, StochasticGradientOptimiser optimiser, int epochs, int loggingInterval,
            AdaptiveBatchSizes adaptiveBatchSizes, int maxSteps, long seed) {
        super(objective, optimiser, epochs, loggingInterval,
                Objects.requireNonNull(adaptiveBatchSizes, "adaptiveBatchSizes").getInitialBatchSize(), seed);
        this.fullBatch = false;
        this.maxSteps = maxSteps;
        this.adaptiveBatchSizes = adaptiveBatchSizes;
        canonicalise();
    }

    /** Minibatch training for {@code epochs} passes, logging epochs only. */
    public LinearClassificationTrainer(LabelObjective objective, StochasticGradientOptimiser optimiser, int epochs,
                                       int minibatchSize, long seed) {
        this(objective, optimiser, epochs, -1, minibatchSize, false, -1, seed);
    }

    /** Full-batch gradient descent: {@code steps} optimiser steps, each on the whole dataset. */
    public static LinearClassificationTrainer fullBatch(LabelObjective objective, StochasticGradientOptimiser optimiser,
                                                        int steps, long seed) {
        return new LinearClassificationTrainer(objective, optimiser, steps, -1, 1, true, -1, seed);
    }

    /** For OLCUT. */
    private LinearClassificationTrainer() {
        super(new LogMulticlass(), new AdaGrad(1.0, 0.1), 5, -1, 1, Trainer.DEFAULT_SEED);
    }

    @Override
    public synchronized void postConfig() {
        super.postConfig();
        if (support == null) {
            return; // called from Tribuo's constructor, before this class's fields exist
        }
        support.postConfig(this::canonicalise);
    }

    /**
     * Validates the configured fields and stores the "unset" values in the form that survives OLCUT's
     * provenance / configuration comparison (see {@link TrainingSettings#canonicalLoggingInterval}). On the class
     * because the fields are: OLCUT writes {@code @Config} fields of the configured class, not of a helper.
     */
    private void canonicalise() {
        TrainingSettings.validate(epochs, minibatchSize, fullBatch, getMaxSteps(), adaptiveBatchSizes);
        TrainingSettings.validateThreads(threads);
        if (earlyStopping != null) {
            earlyStopping.requireApplicable("LinearClassificationTrainer", true);
        }
        loggingInterval = TrainingSettings.canonicalLoggingInterval(loggingInterval);
        maxSteps = TrainingSettings.canonicalMaxSteps(maxSteps);
    }

    // Repeated in each trainer: each extends a different Tribuo LinearSGDTrainer, and the fields are its @Config fields.

    /** Registers a listener for every later training run. */
    public void addListener(TrainingListener<Label> listener) {
        support.addListener(listener);
    }

    /** Removes a listener; returns whether it was registered. */
    public boolean removeListener(TrainingListener<Label> listener) {
        return support.removeListener(listener);
    }

    /** The registered listeners. */
    public List<TrainingListener<Label>> getListeners() {
        return support.listeners();
    }

    /** Whether each step uses the whole dataset. */
    public boolean isFullBatch() {
        return fullBatch;
    }

    /** The adaptive batch sizes, or null for fixed minibatches. */
    public AdaptiveBatchSizes getAdaptiveBatchSizes() {
        return adaptiveBatchSizes;
    }

    /**
     * Turns sharpness-aware training (SAM or ASAM) on for later runs, or off with null; composes with every
     * batch setting and optimiser. See {@link SharpnessAwareTraining} and {@link LinearTrainingLoop}.
     */
    public synchronized void setSharpnessAware(SharpnessAwareTraining sharpnessAware) {
        this.sharpnessAware = sharpnessAware;
    }

    /** The sharpness-aware setting, or null for plain steps. */
    public SharpnessAwareTraining getSharpnessAware() {
        return sharpnessAware;
    }

    /**
     * Turns early stopping on for later runs, or off with null; see {@link EarlyStopping} and {@link LinearTrainingLoop}.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException if its metric does not apply to this trainer
     */
    public synchronized void setEarlyStopping(EarlyStopping earlyStopping) {
        if (earlyStopping != null) {
            earlyStopping.requireApplicable("LinearClassificationTrainer", true);
        }
        this.earlyStopping = earlyStopping;
    }

    /** The early-stopping setting, or null when every epoch is trained. */
    public EarlyStopping getEarlyStopping() {
        return earlyStopping;
    }

    /**
     * Sets the threads that sum the gradient of batches of more than 2048 examples (full batches, large minibatches)
     * for later runs; the trained model is the same bit for bit for every value.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException unless {@code threads >= 1}
     */
    public synchronized void setThreads(int threads) {
        TrainingSettings.validateThreads(threads);
        this.threads = threads;
    }

    /** Threads summing large batches' gradients. */
    public int getThreads() {
        return threads;
    }

    /** The step cap, or -1 for no limit. */
    public int getMaxSteps() {
        return TrainingSettings.visibleMaxSteps(maxSteps);
    }

    /** Steps between loss logs, or 0 to log epochs only (a configured -1 reads as 0). */
    public int getLoggingInterval() {
        return loggingInterval;
    }

    @Override
    public LinearSGDModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        return support.train(examples, runProvenance, invocationCount, getObjective(),
                (provenance, featureMap, outputInfo, parameters) ->
                        createModel(getName(), provenance, featureMap, outputInfo, parameters),
                getModelClassName(), optimiser::copy, this::getProvenance, settings());
    }

    /** The loop settings from the configured fields (Tribuo's own and this class's). */
    private TrainingSettings settings() {
        return new TrainingSettings(seed, epochs, minibatchSize, fullBatch, getMaxSteps(), loggingInterval, shuffle,
                adaptiveBatchSizes, sharpnessAware, earlyStopping, threads);
    }

    private Integer checkedTarget(ImmutableOutputInfo<Label> outputInfo, Label output) {
        int id = outputInfo.getID(output);
        if (id < 0) {
            throw new IllegalArgumentException("label '" + output.getLabel() + "' is unknown to the training data");
        }
        return id;
    }

    @Override
    public int getInvocationCount() {
        return support.invocationCount();
    }

    @Override
    public void setInvocationCount(int invocationCount) {
        support.setInvocationCount(invocationCount, seed);
    }

    @Override
    public String toString() {
        return LinearTrainerSupport.describe("LinearClassificationTrainer", getObjective(), optimiser, settings());
    }
}
