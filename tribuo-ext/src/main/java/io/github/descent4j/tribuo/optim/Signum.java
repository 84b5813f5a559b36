package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Signum (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems"): the sign of
 * an exponential moving average of the gradient.
 * <pre>
 *   m  = β * m + (1 − β) * g          (m starts at 0)
 *   θ ← θ − lr * weight * sign(m)     (sign(0) = 0)
 * </pre>
 */
public final class Signum extends UpdateRuleOptimiser {

    @Config(description = "Averaging coefficient β of the gradient moving average, in [0, 1).")
    private double beta = 0.9;

    /** For OLCUT. */
    private Signum() {}

    /** Signum with β = 0.9. */
    public Signum(double learningRate) {
        this(learningRate, 0.9);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta moving-average coefficient in [0, 1)
     */
    public Signum(double learningRate, double beta) {
        super(learningRate);
        this.beta = beta;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new SignumRule(beta);
    }

    @Override
    public Signum copy() {
        return new Signum(learningRate, beta);
    }

    @Override
    public String toString() {
        return "Signum(learningRate=" + learningRate + ",beta=" + beta + ")";
    }
}
