package io.github.descent4j.tribuo.train;

import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import io.github.descent4j.tribuo.train.loop.LinearTrainingLoop;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.math.la.SGDVector;
import org.tribuo.multilabel.MultiLabel;
import org.tribuo.multilabel.sgd.MultiLabelObjective;
import org.tribuo.multilabel.sgd.linear.LinearSGDModel;
import org.tribuo.multilabel.sgd.linear.LinearSGDTrainer;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;

import java.util.List;
import java.util.Map;

/**
 * Drop-in replacement for Tribuo's multi-label {@link LinearSGDTrainer} that trains with descent4j's loop: the optimiser sees the weighted
 * <b>mean</b> gradient of each minibatch, every example weight counts, full-batch training and a step cap
 * are available, {@link TrainingListener}s are called after each step and epoch, and progress is logged.
 * It produces the same {@link LinearSGDModel} as Tribuo's trainer. See {@link LinearTrainingLoop} for the
 * exact differences from Tribuo 4.3.2's loop.
 * <p>
 * With weights, the objective is the weighted mean loss {@code Σ_i w_i ℓ_i / Σ_i w_i}.
 */
public class LinearMultiLabelTrainer extends LinearSGDTrainer {

    @Config(description = "Use the whole training set as one batch: one optimiser step per epoch.")
    private boolean fullBatch = false;

    /** No limit is stored as {@link LinearTrainingLoop#NO_STEP_LIMIT}; see {@link #getMaxSteps()}. */
    @Config(description = "Stop after this many optimiser steps (>= 1); -1 for no limit (epochs decide), "
            + "recorded as 2147483647.")
    private int maxSteps = LinearTrainingLoop.NO_STEP_LIMIT;

    @Config(description = "Adaptive batch sizes (AdAdaGrad norm / inner-product / augmented test); when set they "
            + "replace minibatchSize, and fullBatch must be false. Unset: fixed minibatches.")
    private AdaptiveBatchSizes adaptiveBatchSizes = null;

    @Config(description = "Sharpness-aware training (SAM or ASAM): each step's gradient is taken at the perturbed point "
            + "theta + epsilon of its own minibatch. Unset: plain steps.")
    private SharpnessAwareTraining sharpnessAware = null;

    private final LinearTrainingLoop<MultiLabel, SGDVector> loop = new LinearTrainingLoop<>();

    /**
     * @param objective the loss, e.g. {@link BinaryCrossEntropy}
     * @param optimiser the gradient optimiser
     * @param epochs passes over the data, >= 1
     * @param loggingInterval log the mean minibatch loss every this many steps, >= 1; -1 (Tribuo's value, stored
     *     as 0) or 0 to log epochs only
     * @param minibatchSize examples per step, >= 1 (ignored when {@code fullBatch})
     * @param fullBatch one step per epoch on the whole dataset
     * @param maxSteps stop after this many steps, >= 1, or -1 for no limit (stored as {@code Integer.MAX_VALUE})
     * @param seed seed of the example shuffling
     */
    public LinearMultiLabelTrainer(MultiLabelObjective objective, StochasticGradientOptimiser optimiser, int epochs,
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
     * and otherwise ignored; {@code fullBatch} is false.
     *
     * @param objective the loss
     * @param optimiser the gradient optimiser
     * @param epochs passes over the data, >= 1
     * @param loggingInterval log the mean minibatch loss every this many steps, >= 1; -1 (Tribuo's value, stored
     *     as 0) or 0 to log epochs only
     * @param adaptiveBatchSizes the batch-size schedule (not null)
     * @param maxSteps stop after this many steps, >= 1, or -1 for no limit (stored as {@code Integer.MAX_VALUE})
     * @param seed seed of the example shuffling
     */
    public LinearMultiLabelTrainer(MultiLabelObjective objective, StochasticGradientOptimiser optimiser, int epochs, int loggingInterval,
            AdaptiveBatchSizes adaptiveBatchSizes, int maxSteps, long seed) {
        super(objective, optimiser, epochs, loggingInterval,
                java.util.Objects.requireNonNull(adaptiveBatchSizes, "adaptiveBatchSizes").getInitialBatchSize(), seed);
        this.fullBatch = false;
        this.maxSteps = maxSteps;
        this.adaptiveBatchSizes = adaptiveBatchSizes;
        canonicalise();
    }

    /** Minibatch training for {@code epochs} passes, logging epochs only. */
    public LinearMultiLabelTrainer(MultiLabelObjective objective, StochasticGradientOptimiser optimiser, int epochs,
                                       int minibatchSize, long seed) {
        this(objective, optimiser, epochs, -1, minibatchSize, false, -1, seed);
    }

    /** Full-batch gradient descent: {@code steps} optimiser steps, each on the whole dataset. */
    public static LinearMultiLabelTrainer fullBatch(MultiLabelObjective objective, StochasticGradientOptimiser optimiser,
                                                        int steps, long seed) {
        return new LinearMultiLabelTrainer(objective, optimiser, steps, -1, 1, true, -1, seed);
    }

    /** For OLCUT. */
    private LinearMultiLabelTrainer() {
        super(new BinaryCrossEntropy(), new AdaGrad(1.0, 0.1), 5, -1, 1, Trainer.DEFAULT_SEED);
    }

    @Override
    public synchronized void postConfig() {
        super.postConfig();
        if (loop == null) {
            return; // called from Tribuo's constructor, before this class's fields exist
        }
        try {
            canonicalise();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
        loop.reseed();
    }

    /**
     * Validates the configured fields and stores the "unset" values in the form that survives OLCUT's
     * provenance / configuration comparison: {@code loggingInterval} -1 as 0, {@code maxSteps} -1 as
     * {@link LinearTrainingLoop#NO_STEP_LIMIT}.
     * See {@link LinearTrainingLoop#canonicalLoggingInterval}.
     */
    private void canonicalise() {
        LinearTrainingLoop.validate(epochs, minibatchSize, fullBatch, getMaxSteps(), adaptiveBatchSizes);
        loggingInterval = LinearTrainingLoop.canonicalLoggingInterval(loggingInterval);
        maxSteps = LinearTrainingLoop.canonicalMaxSteps(maxSteps);
    }

    /** Registers a listener for every later training run. */
    public void addListener(TrainingListener<MultiLabel> listener) {
        loop.addListener(listener);
    }

    /** Removes a listener; returns whether it was registered. */
    public boolean removeListener(TrainingListener<MultiLabel> listener) {
        return loop.removeListener(listener);
    }

    /** The registered listeners. */
    public List<TrainingListener<MultiLabel>> getListeners() {
        return loop.listeners();
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

    /** The step cap, or -1 for no limit. */
    public int getMaxSteps() {
        return maxSteps == LinearTrainingLoop.NO_STEP_LIMIT ? -1 : maxSteps;
    }

    /** Steps between loss logs, or 0 to log epochs only (a configured -1 reads as 0). */
    public int getLoggingInterval() {
        return loggingInterval;
    }

    @Override
    public LinearSGDModel train(Dataset<MultiLabel> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        return loop.train(examples, runProvenance, invocationCount, new LinearTrainingLoop.Hooks<MultiLabel, SGDVector, LinearSGDModel>(getObjective(),
                this::checkedTarget, false, (provenance, featureMap, outputInfo, parameters) ->
                        createModel(getName(), provenance, featureMap, outputInfo, parameters),
                getModelClassName(), optimiser::copy, this::getProvenance,
                new LinearTrainingLoop.Settings(seed, epochs, minibatchSize, fullBatch, getMaxSteps(), loggingInterval, shuffle,
                        adaptiveBatchSizes, sharpnessAware)));
    }

    private SGDVector checkedTarget(ImmutableOutputInfo<MultiLabel> outputInfo, MultiLabel output) {
        for (Label label : output.getLabelSet()) {
            if (outputInfo.getID(new MultiLabel(label)) < 0) {
                throw new IllegalArgumentException("label '" + label.getLabel() + "' is unknown to the training data");
            }
        }
        return getTarget(outputInfo, output);
    }

    @Override
    public int getInvocationCount() {
        return loop.invocationCount();
    }

    @Override
    public void setInvocationCount(int invocationCount) {
        loop.setInvocationCount(invocationCount, seed);
    }

    @Override
    public String toString() {
        return "LinearMultiLabelTrainer(objective=" + getObjective() + ",optimiser=" + optimiser + ",epochs=" + epochs
                + ",minibatchSize=" + minibatchSize + ",fullBatch=" + fullBatch + ",maxSteps=" + getMaxSteps()
                + (adaptiveBatchSizes == null ? "" : ",adaptiveBatchSizes=" + adaptiveBatchSizes)
                + (sharpnessAware == null ? "" : ",sharpnessAware=" + sharpnessAware) + ",seed=" + seed + ")";
    }
}
