package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Lion, evolved sign momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms";
 * update order of lucidrains/lion-pytorch).
 * <pre>
 *   θ ← θ * (1 − lr * weightDecay)                        (decoupled decay, before the sign step)
 *   θ ← θ − lr * sign(β₁ * m + (1 − β₁) * g)              (sign(0) = 0)
 *   m  = β₂ * m + (1 − β₂) * g                             (m starts at 0)
 * </pre>
 * As one additive step: {@code θ ← θ − lr * (sign(β₁m + (1−β₁)g) + weightDecay * θ)}.
 */
public final class LionRule extends UpdateRule {
    private final double beta1;
    private final double beta2;
    private final double weightDecay;

    public LionRule(double beta1, double beta2, double weightDecay) {
        this.beta1 = Check.unitInterval("beta1", beta1);
        this.beta2 = Check.unitInterval("beta2", beta2);
        this.weightDecay = Check.nonNegative("weightDecay", weightDecay);
    }

    @Override
    public int bufferCount() {
        return 1;
    }

    @Override
    public boolean readsParameters() {
        return weightDecay != 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {}

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double lr = c.learningRate;
        final double decay = lr * weightDecay;
        final double[] m = buffers[0];
        if (index == null && base == 0 && decay == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, k, s * in[k], lr);   // same index in every array: vectorisable
            }
        } else if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * (element(m, k, s * in[k], lr) + decay * params[k]);
            }
        } else if (index == null && decay == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, base + k, s * in[k], lr);
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * (element(m, base + k, s * in[k], lr) + decay * params[k]);
            }
        } else {
            for (int k = from; k < to; k++) {
                int j = index[k];
                double step = element(m, base + j, s * in[k], lr);
                in[k] = s * (decay == 0 ? step : step + decay * params[j]);
            }
        }
    }

    /** Advances the momentum at {@code at} and returns the sign step (without decay). */
    private double element(double[] m, int at, double g, double lr) {
        double mk = m[at];
        m[at] = beta2 * mk + (1.0 - beta2) * g;
        return lr * sign(beta1 * mk + (1.0 - beta1) * g);
    }
}
