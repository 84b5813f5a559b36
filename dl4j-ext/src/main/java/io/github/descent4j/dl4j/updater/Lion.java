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
    /** The hyperparameters besides the learning rate, as named in JSON and {@code toString}. */
    private static final String[] NAMES = {"beta1", "beta2"};

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

    private Lion(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new LionRule(hyperparameter("beta1"), hyperparameter("beta2"), 0.0);
    }

    public double getBeta1() {
        return hyperparameter("beta1");
    }

    /** Sets β₁, in [0, 1). */
    public void setBeta1(double beta1) {
        setHyperparameter("beta1", beta1);
    }

    public double getBeta2() {
        return hyperparameter("beta2");
    }

    /** Sets β₂, in [0, 1). */
    public void setBeta2(double beta2) {
        setHyperparameter("beta2", beta2);
    }

    @Override
    public Lion clone() {
        return (Lion) super.clone();
    }

    /** Builder for {@link Lion}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_BETA1, DEFAULT_BETA2);
        }

        /** β₁, the interpolation between momentum and gradient in the update direction, in [0, 1). */
        public Builder beta1(double beta1) {
            return set("beta1", beta1);
        }

        /** β₂, the averaging coefficient of the momentum, in [0, 1). */
        public Builder beta2(double beta2) {
            return set("beta2", beta2);
        }

        /** The configuration; validates every hyperparameter. */
        public Lion build() {
            return withMomentum(new Lion(learningRate, learningRateSchedule, values()));
        }
    }
}
