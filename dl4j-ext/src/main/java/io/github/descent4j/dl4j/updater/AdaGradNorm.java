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

    private double b0 = DEFAULT_B0;

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

    private AdaGradNorm(double learningRate, ISchedule learningRateSchedule, double b0) {
        super(learningRate, learningRateSchedule);
        this.b0 = b0;
        validate();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdaGradNormRule(b0);
    }

    @Override
    protected String[] hyperparameterNames() {
        return new String[]{"b0"};
    }

    @Override
    protected double[] hyperparameterValues() {
        return new double[]{b0};
    }

    public double getB0() {
        return b0;
    }

    /** Sets the initial accumulator root b0, a finite number > 0. */
    public void setB0(double b0) {
        double old = this.b0;
        this.b0 = b0;
        revertUnlessValid(() -> this.b0 = old);
    }

    @Override
    public AdaGradNorm clone() {
        return (AdaGradNorm) super.clone();
    }

    /** Builder for {@link AdaGradNorm}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
        private double b0 = DEFAULT_B0;

        private Builder() {
            super(DEFAULT_LEARNING_RATE);
        }

        /** The initial accumulator root b0, a finite number > 0. */
        public Builder b0(double b0) {
            this.b0 = b0;
            return this;
        }

        /** The configuration; validates every hyperparameter. */
        public AdaGradNorm build() {
            return new AdaGradNorm(learningRate, learningRateSchedule, b0);
        }
    }
}
