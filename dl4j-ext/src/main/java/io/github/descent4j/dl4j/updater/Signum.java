package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Signum, the sign of a gradient moving average (Bernstein et al. 2018, "signSGD: Compressed Optimisation
 * for Non-Convex Problems") for Deeplearning4j, with the arithmetic of descent4j's {@link SignumRule}:
 * <pre>
 *   m  = β * m + (1 − β) * g       (m starts at 0)
 *   θ ← θ − lr * sign(m)           (sign(0) = 0)
 * </pre>
 * State: one buffer (m) of the block's length, plus the step counter.
 */
public final class Signum extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate (a starting point; tune it). */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Default beta. */
    public static final double DEFAULT_BETA = 0.9;
    /** The hyperparameters besides the learning rate, as named in JSON and {@code toString}. */
    private static final String[] NAMES = {"beta"};

    /** The default learning rate and beta. */
    public Signum() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Signum with β = 0.9. */
    public Signum(double learningRate) {
        this(learningRate, DEFAULT_BETA);
    }

    /** A learning-rate schedule and the default beta. */
    public Signum(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_BETA);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta averaging coefficient β of the gradient moving average, in [0, 1)
     */
    public Signum(double learningRate, double beta) {
        this(learningRate, null, beta);
    }

    private Signum(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new SignumRule(hyperparameter("beta"));
    }

    public double getBeta() {
        return hyperparameter("beta");
    }

    /** Sets the averaging coefficient β of the gradient moving average, in [0, 1). */
    public void setBeta(double beta) {
        setHyperparameter("beta", beta);
    }

    @Override
    public Signum clone() {
        return (Signum) super.clone();
    }

    /** Builder for {@link Signum}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
    
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_BETA);
        }

        /** The averaging coefficient β of the gradient moving average, in [0, 1). */
        public Builder beta(double beta) {
            return set("beta", beta);
        }

        /** The configuration; validates every hyperparameter. */
        public Signum build() {
            return withMomentum(new Signum(learningRate, learningRateSchedule, values()));
        }
    }
}
