package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), in the update order of
 * lucidrains/lion-pytorch.
 * <pre>
 *   θ ← θ * (1 − lr * weight * weightDecay)
 *   θ ← θ − lr * weight * sign(β₁ * m + (1 − β₁) * g)     (sign(0) = 0)
 *   m  = β₂ * m + (1 − β₂) * g                               (m starts at 0)
 * </pre>
 * On sparse gradients the decay, like the rest of the update, applies only to the coordinates present.
 */
public final class Lion extends UpdateRuleOptimiser {

    @Config(description = "Interpolation coefficient β₁ of the update direction, in [0, 1).")
    private double beta1 = 0.9;

    @Config(description = "Averaging coefficient β₂ of the momentum, in [0, 1).")
    private double beta2 = 0.99;

    @Config(description = "Decoupled weight decay, >= 0; multiplied by the learning rate.")
    private double weightDecay = 0.0;

    /** For OLCUT. */
    private Lion() {}

    /** Lion with β₁ = 0.9, β₂ = 0.99 and no weight decay. */
    public Lion(double learningRate) {
        this(learningRate, 0.9, 0.99, 0.0);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta1 direction interpolation in [0, 1)
     * @param beta2 momentum averaging in [0, 1)
     * @param weightDecay decoupled weight decay, >= 0
     */
    public Lion(double learningRate, double beta1, double beta2, double weightDecay) {
        super(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new LionRule(beta1, beta2, weightDecay);
    }

    @Override
    public Lion copy() {
        return new Lion(learningRate, beta1, beta2, weightDecay);
    }

    @Override
    public String toString() {
        return "Lion(learningRate=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2 + ",weightDecay=" + weightDecay + ")";
    }
}
