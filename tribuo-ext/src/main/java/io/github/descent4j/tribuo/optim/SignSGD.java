package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Sign descent with optional heavy-ball momentum, the optimiser Kunstner et al. (2024, "Heavy-Tailed
 * Class Imbalance and Why Adam Outperforms Gradient Descent on Language Models") show trains rare
 * classes that gradient descent leaves behind.
 * <pre>
 *   d   = sign(g)                     (g the loss gradient, sign(0) = 0)
 *   buf = momentum * buf + d          (buf starts at 0, i.e. at the first direction)
 *   θ  ← θ − lr * weight * buf
 * </pre>
 * Momentum 0 (the default) gives plain sign descent. See {@link UpdateRuleOptimiser} for sparse
 * (lazy) updates and the example weight.
 */
public final class SignSGD extends UpdateRuleOptimiser {

    @Config(description = "Heavy-ball momentum on the signs, in [0, 1). 0 gives plain sign descent.")
    private double momentum = 0.0;

    /** For OLCUT. */
    private SignSGD() {}

    /** Plain sign descent. */
    public SignSGD(double learningRate) {
        this(learningRate, 0.0);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param momentum heavy-ball momentum in [0, 1)
     */
    public SignSGD(double learningRate, double momentum) {
        super(learningRate);
        this.momentum = momentum;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new SignSGDRule(momentum);
    }

    /** The configured momentum. */
    public double getMomentum() {
        return momentum;
    }

    @Override
    public SignSGD copy() {
        return new SignSGD(learningRate, momentum);
    }

    @Override
    public String toString() {
        return "SignSGD(learningRate=" + learningRate + ",momentum=" + momentum + ")";
    }
}
