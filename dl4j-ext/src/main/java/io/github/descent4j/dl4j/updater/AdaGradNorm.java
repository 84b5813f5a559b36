package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * AdaGrad-Norm (Ward, Wu, Bottou 2020, "AdaGrad Stepsizes: Sharp Convergence Over Nonconvex Landscapes"),
 * one adaptive step size for the whole block, for Deeplearning4j, with the arithmetic of descent4j's
 * {@link AdaGradNormRule}:
 * <pre>
 *   b² ← b² + ‖g‖²      (b² starts at b0²)
 *   θ  ← θ − lr * g / b
 * </pre>
 * The norm runs over the whole DL4J updater block (see {@link NormalizedSGD}). State: no per-parameter
 * buffer; b² and the step counter live in the state view's header, in a split float encoding that keeps
 * b² to about 48 bits on float networks (see {@link UpdateRuleGradientUpdater}), so {@code ModelSerializer}
 * saves them with the network.
 */
public final class AdaGradNorm extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate (a starting point; tune it). */
    public static final double DEFAULT_LEARNING_RATE = 1.0;
    /** Default b0. */
    public static final double DEFAULT_B0 = 0.01;
    /** The hyperparameters besides the learning rate, as named in JSON and {@code toString}. */
    private static final String[] NAMES = {"b0"};

    /** The default learning rate and b0. */
    public AdaGradNorm() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** AdaGrad-Norm with b0 = 0.01. */
    public AdaGradNorm(double learningRate) {
        this(learningRate, DEFAULT_B0);
    }

    /** A learning-rate schedule and the default b0. */
    public AdaGradNorm(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_B0);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param b0 initial accumulator root b0, a finite number > 0
     */
    public AdaGradNorm(double learningRate, double b0) {
        this(learningRate, null, b0);
    }

    private AdaGradNorm(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdaGradNormRule(hyperparameter("b0"));
    }

    public double getB0() {
        return hyperparameter("b0");
    }

    /** Sets the initial accumulator root b0, a finite number > 0. */
    public void setB0(double b0) {
        setHyperparameter("b0", b0);
    }

    @Override
    public AdaGradNorm clone() {
        return (AdaGradNorm) super.clone();
    }

    /** Builder for {@link AdaGradNorm}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
    
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_B0);
        }

        /** The initial accumulator root b0, a finite number > 0. */
        public Builder b0(double b0) {
            return set("b0", b0);
        }

        /** The configuration; validates every hyperparameter. */
        public AdaGradNorm build() {
            return withMomentum(new AdaGradNorm(learningRate, learningRateSchedule, values()));
        }
    }
}
