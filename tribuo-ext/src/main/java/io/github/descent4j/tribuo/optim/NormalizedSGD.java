package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Normalised gradient descent with optional heavy-ball momentum (Kunstner et al. 2024).
 * <pre>
 *   d   = g / ‖g‖₂          (the norm over ALL parameter tensors of the model; d = 0 when g = 0)
 *   buf = momentum * buf + d          (buf starts at 0)
 *   θ  ← θ − lr * weight * buf
 * </pre>
 */
public final class NormalizedSGD extends UpdateRuleOptimiser {

    @Config(description = "Heavy-ball momentum on the normalised direction, in [0, 1).")
    private double momentum = 0.0;

    /** For OLCUT. */
    private NormalizedSGD() {}

    /** Normalised GD without momentum. */
    public NormalizedSGD(double learningRate) {
        this(learningRate, 0.0);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param momentum heavy-ball momentum in [0, 1)
     */
    public NormalizedSGD(double learningRate, double momentum) {
        super(learningRate);
        this.momentum = momentum;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new NormalizedSGDRule(momentum);
    }

    @Override
    public NormalizedSGD copy() {
        return new NormalizedSGD(learningRate, momentum);
    }

    @Override
    public String toString() {
        return "NormalizedSGD(learningRate=" + learningRate + ",momentum=" + momentum + ")";
    }
}
