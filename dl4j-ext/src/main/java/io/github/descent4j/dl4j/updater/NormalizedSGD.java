package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Normalised gradient descent with optional heavy-ball momentum (Kunstner et al. 2024) for
 * Deeplearning4j, with the arithmetic of descent4j's {@link NormalizedSGDRule}:
 * <pre>
 *   d   = g / ‖g‖₂       (d = 0 when g = 0)
 *   buf = momentum * buf + d          (buf starts at 0)
 *   θ  ← θ − lr * buf
 * </pre>
 * The norm runs over the whole DL4J updater block: the whole network when this updater is configured once
 * on the {@code NeuralNetConfiguration.Builder} (DL4J merges consecutive parameters with equal updater
 * configurations into one block). Layers given a different updater, or parameters with none (such as
 * batch-normalisation statistics), start a new block with its own norm.
 * <p>
 * State: one buffer of the block's length when momentum > 0, plus the step counter.
 */
public final class NormalizedSGD extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate (a starting point; tune it). */
    public static final double DEFAULT_LEARNING_RATE = 1e-2;
    /** Default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.0;
    /** The hyperparameters besides the learning rate, as named in JSON and {@code toString}. */
    private static final String[] NAMES = {"momentum"};

    /** The default learning rate and momentum. */
    public NormalizedSGD() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Normalised descent without momentum. */
    public NormalizedSGD(double learningRate) {
        this(learningRate, DEFAULT_MOMENTUM);
    }

    /** A learning-rate schedule and the default momentum. */
    public NormalizedSGD(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_MOMENTUM);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param momentum heavy-ball momentum on the normalised direction, in [0, 1)
     */
    public NormalizedSGD(double learningRate, double momentum) {
        this(learningRate, null, momentum);
    }

    private NormalizedSGD(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new NormalizedSGDRule(hyperparameter("momentum"));
    }

    public double getMomentum() {
        return hyperparameter("momentum");
    }

    /** Sets the heavy-ball momentum on the normalised direction, in [0, 1). */
    public void setMomentum(double momentum) {
        setHyperparameter("momentum", momentum);
    }

    @Override
    public NormalizedSGD clone() {
        return (NormalizedSGD) super.clone();
    }

    /** Builder for {@link NormalizedSGD}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
    
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_MOMENTUM);
        }

        /** The heavy-ball momentum on the normalised direction, in [0, 1). */
        public Builder momentum(double momentum) {
            return set("momentum", momentum);
        }

        /** The configuration; validates every hyperparameter. */
        public NormalizedSGD build() {
            return withMomentum(new NormalizedSGD(learningRate, learningRateSchedule, values()));
        }
    }
}
