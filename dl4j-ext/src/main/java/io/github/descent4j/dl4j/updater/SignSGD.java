package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Sign descent with optional heavy-ball momentum on the signs (Kunstner et al. 2024, "Heavy-Tailed Class
 * Imbalance and Why Adam Outperforms Gradient Descent on Language Models") for Deeplearning4j, with the
 * arithmetic of descent4j's {@link SignSGDRule}:
 * <pre>
 *   d   = sign(g)                     (sign(0) = 0)
 *   buf = momentum * buf + d          (buf starts at 0)
 *   θ  ← θ − lr * buf                 (momentum 0: θ ← θ − lr * sign(g))
 * </pre>
 * State: one buffer of the block's length when momentum > 0, plus the step counter.
 */
public final class SignSGD extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate (a starting point; tune it). */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.0;
    /** The hyperparameters besides the learning rate, as named in JSON and {@code toString}. */
    private static final String[] NAMES = {"momentum"};

    /** The default learning rate and momentum. */
    public SignSGD() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Plain sign descent (momentum 0). */
    public SignSGD(double learningRate) {
        this(learningRate, DEFAULT_MOMENTUM);
    }

    /** A learning-rate schedule and the default momentum. */
    public SignSGD(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_MOMENTUM);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param momentum heavy-ball momentum on the signs, in [0, 1); 0 gives plain sign descent
     */
    public SignSGD(double learningRate, double momentum) {
        this(learningRate, null, momentum);
    }

    private SignSGD(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new SignSGDRule(hyperparameter("momentum"));
    }

    public double getMomentum() {
        return hyperparameter("momentum");
    }

    /** Sets the heavy-ball momentum on the signs, in [0, 1); 0 gives plain sign descent. */
    public void setMomentum(double momentum) {
        setHyperparameter("momentum", momentum);
    }

    @Override
    public SignSGD clone() {
        return (SignSGD) super.clone();
    }

    /** Builder for {@link SignSGD}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
    
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_MOMENTUM);
        }

        /** The heavy-ball momentum on the signs, in [0, 1); 0 gives plain sign descent. */
        public Builder momentum(double momentum) {
            return set("momentum", momentum);
        }

        /** The configuration; validates every hyperparameter. */
        public SignSGD build() {
            return withMomentum(new SignSGD(learningRate, learningRateSchedule, values()));
        }
    }
}
