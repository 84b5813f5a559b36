package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Adam (Kingma and Ba 2015) with torch.optim's exact bias correction; a correct replacement for
 * Tribuo 4.3.2's {@code org.tribuo.math.optimisers.Adam}, which multiplies by √v + ε where it should
 * divide and ignores the example weight.
 * <pre>
 *   t  = t + 1
 *   m  = β₁ * m + (1 − β₁) * g
 *   v  = β₂ * v + (1 − β₂) * g²
 *   θ ← θ − (lr * weight / (1 − β₁ᵗ)) * m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 */
public final class Adam extends UpdateRuleOptimiser {

    @Config(description = "Exponential decay β₁ of the first moment, in [0, 1).")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay β₂ of the second moment, in [0, 1).")
    private double beta2 = 0.999;

    @Config(description = "Denominator stabiliser ε, a finite number > 0.")
    private double epsilon = 1e-8;

    /** For OLCUT. */
    private Adam() {}

    /** Adam with torch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-8);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1)
     * @param epsilon stabiliser, > 0
     */
    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdamRule(beta1, beta2, epsilon, 0.0);
    }

    @Override
    public Adam copy() {
        return new Adam(learningRate, beta1, beta2, epsilon);
    }

    @Override
    public String toString() {
        return "Adam(learningRate=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon + ")";
    }
}
