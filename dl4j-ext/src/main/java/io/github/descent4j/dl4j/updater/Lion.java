package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") for Deeplearning4j, with the
 * arithmetic of descent4j's {@link LionRule}:
 * <pre>
 *   θ ← θ − lr * sign(β₁ * m + (1 − β₁) * g)      (sign(0) = 0)
 *   m  = β₂ * m + (1 − β₂) * g                     (m starts at 0)
 * </pre>
 * <b>Weight decay.</b> A DL4J updater never sees the parameters, so Lion's decoupled decay
 * {@code θ ← θ * (1 − lr * λ)} is configured as DL4J's {@code WeightDecay} regularisation with the
 * learning rate applied, which DL4J adds to the update after the updater ran; the result is exactly the
 * reference update order (lucidrains/lion-pytorch), as {@code Dl4jNetworkTest} checks on a network:
 * <pre>
 *   new NeuralNetConfiguration.Builder()
 *       .updater(Lion.builder().learningRate(1e-4).build())
 *       .list()
 *       .layer(new DenseLayer.Builder()....weightDecay(λ, true).weightDecayBias(λ, true).build())
 * </pre>
 * Set it on each layer: in DL4J 1.0.0-M2.1 the global {@code NeuralNetConfiguration.Builder.weightDecay(λ, true)}
 * ends up registered twice in every layer's regularisation list, so weights decay by {@code 2·lr·λ} per step.
 * State: one buffer (m) of the block's length, plus the step counter.
 */
public final class Lion extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate; Lion wants a rate 3–10 × smaller than AdamW's. */
    public static final double DEFAULT_LEARNING_RATE = 1e-4;
    /** Default β₁. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** Default β₂. */
    public static final double DEFAULT_BETA2 = 0.99;

    private double beta1 = DEFAULT_BETA1;
    private double beta2 = DEFAULT_BETA2;

    /** Lion with the default learning rate, β₁ and β₂. */
    public Lion() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Lion with default β₁ = 0.9, β₂ = 0.99. */
    public Lion(double learningRate) {
        this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2);
    }

    /** Lion with a learning-rate schedule and default β₁, β₂. */
    public Lion(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_BETA1, DEFAULT_BETA2);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta1 direction interpolation in [0, 1)
     * @param beta2 momentum averaging in [0, 1)
     */
    public Lion(double learningRate, double beta1, double beta2) {
        this(learningRate, null, beta1, beta2);
    }

    private Lion(double learningRate, ISchedule learningRateSchedule, double beta1, double beta2) {
        super(learningRate, learningRateSchedule);
        this.beta1 = beta1;
        this.beta2 = beta2;
        validate();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new LionRule(beta1, beta2, 0.0);
    }

    @Override
    protected String[] hyperparameterNames() {
        return new String[]{"beta1", "beta2"};
    }

    @Override
    protected double[] hyperparameterValues() {
        return new double[]{beta1, beta2};
    }

    public double getBeta1() {
        return beta1;
    }

    /** Sets β₁, in [0, 1). */
    public void setBeta1(double beta1) {
        double old = this.beta1;
        this.beta1 = beta1;
        revertUnlessValid(() -> this.beta1 = old);
    }

    public double getBeta2() {
        return beta2;
    }

    /** Sets β₂, in [0, 1). */
    public void setBeta2(double beta2) {
        double old = this.beta2;
        this.beta2 = beta2;
        revertUnlessValid(() -> this.beta2 = old);
    }

    @Override
    public Lion clone() {
        return (Lion) super.clone();
    }

    /** Builder for {@link Lion}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;

        private Builder() {
            super(DEFAULT_LEARNING_RATE);
        }

        /** β₁, the interpolation between momentum and gradient in the update direction, in [0, 1). */
        public Builder beta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        /** β₂, the averaging coefficient of the momentum, in [0, 1). */
        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        /** The configuration; validates every hyperparameter. */
        public Lion build() {
            return new Lion(learningRate, learningRateSchedule, beta1, beta2);
        }
    }
}
