package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.UpdateRule;

/**
 * AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") with torch.optim's exact
 * arithmetic.
 * <pre>
 *   θ ← θ * (1 − lr * weight * weightDecay)
 *   then the {@link Adam} step
 * </pre>
 * On sparse gradients the decay, like the rest of the update, applies only to the coordinates present.
 */
public final class AdamW extends UpdateRuleOptimiser {

    @Config(description = "Exponential decay β₁ of the first moment, in [0, 1).")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay β₂ of the second moment, in [0, 1).")
    private double beta2 = 0.999;

    @Config(description = "Denominator stabiliser ε, a finite number > 0.")
    private double epsilon = 1e-8;

    @Config(description = "Decoupled weight decay, >= 0; multiplied by the learning rate.")
    private double weightDecay = 0.01;

    /** For OLCUT. */
    private AdamW() {}

    /** AdamW with torch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, weightDecay = 0.01. */
    public AdamW(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1)
     * @param epsilon stabiliser, > 0
     * @param weightDecay decoupled weight decay, >= 0
     */
    public AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        super(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdamRule(beta1, beta2, epsilon, weightDecay);
    }

    @Override
    public AdamW copy() {
        return new AdamW(learningRate, beta1, beta2, epsilon, weightDecay);
    }

    @Override
    public String toString() {
        return "AdamW(learningRate=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon
                + ",weightDecay=" + weightDecay + ")";
    }
}
