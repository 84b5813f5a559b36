package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdamRule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Adam (Kingma and Ba 2015) for Deeplearning4j with torch.optim's arithmetic ({@link AdamRule}):
 * <pre>
 *   m = β₁ m + (1 − β₁) g,   v = β₂ v + (1 − β₂) g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * <b>How it differs from DL4J's own {@code org.nd4j.linalg.learning.config.Adam}.</b> DL4J computes
 * {@code lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)}: its ε is added to the uncorrected √v, which is the same as
 * torch's ε multiplied by √(1 − β₂ᵗ). Early in training (small t, β₂ = 0.999) DL4J's effective ε is about 30×
 * smaller than torch's; on the golden cases the two trajectories differ by up to 4·10⁻⁷ (10⁻⁴ relative on small
 * entries). This class reproduces torch step for step (1e-9 in double), so a PyTorch recipe carries over.
 * For decoupled weight decay use {@link AdamW}.
 * <p>
 * State: m and v of the block's length plus the step counter, all in the updater state view, so
 * {@code ModelSerializer} saves and restores it.
 */
public final class Adam extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate, as torch.optim.Adam. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Default β₁. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** Default β₂. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** Default ε. */
    public static final double DEFAULT_EPSILON = 1e-8;
    private static final String[] NAMES = {"beta1", "beta2", "epsilon"};

    /** Adam with torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8). */
    public Adam() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** Adam with default β₁, β₂, ε. */
    public Adam(double learningRate) {
        this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /** Adam with a learning-rate schedule and default β₁, β₂, ε. */
    public Adam(ISchedule learningRateSchedule) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * @param learningRate > 0
     * @param beta1 first-moment averaging, in [0, 1)
     * @param beta2 second-moment averaging, in [0, 1)
     * @param epsilon > 0, added to the bias-corrected √v̂ as in torch
     */
    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        this(learningRate, null, beta1, beta2, epsilon);
    }

    private Adam(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from torch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdamRule(hyperparameter("beta1"), hyperparameter("beta2"), hyperparameter("epsilon"), 0.0);
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

    public double getEpsilon() {
        return hyperparameter("epsilon");
    }

    /** Sets ε, > 0. */
    public void setEpsilon(double epsilon) {
        setHyperparameter("epsilon", epsilon);
    }

    @Override
    public Adam clone() {
        return (Adam) super.clone();
    }

    /** Builder for {@link Adam}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
        }

        /** β₁, the first-moment averaging coefficient, in [0, 1). */
        public Builder beta1(double beta1) {
            return set("beta1", beta1);
        }

        /** β₂, the second-moment averaging coefficient, in [0, 1). */
        public Builder beta2(double beta2) {
            return set("beta2", beta2);
        }

        /** ε, > 0. */
        public Builder epsilon(double epsilon) {
            return set("epsilon", epsilon);
        }

        /** The configuration; validates every hyperparameter. */
        public Adam build() {
            return new Adam(learningRate, learningRateSchedule, values());
        }
    }
}
