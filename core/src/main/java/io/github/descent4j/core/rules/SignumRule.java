package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Signum: sign of an exponential moving average of the gradient (Bernstein et al. 2018,
 * "signSGD: Compressed Optimisation for Non-Convex Problems").
 * <pre>
 *   m  = β * m + (1 − β) * g      (m starts at 0)
 *   θ ← θ − lr * sign(m)          (sign(0) = 0)
 * </pre>
 */
public final class SignumRule extends UpdateRule {
    private final double beta;

    public SignumRule(double beta) {
        this.beta = Check.unitInterval("beta", beta);
    }

    @Override
    public int bufferCount() {
        return 1;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {}

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double lr = c.learningRate;
        final double[] m = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = element(m, k, in[k], s, lr);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = element(m, base + k, in[k], s, lr);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = element(m, base + index[k], in[k], s, lr);
            }
        }
    }

    private double element(double[] m, int at, double in, double s, double lr) {
        double mk = beta * m[at] + (1.0 - beta) * (s * in);
        m[at] = mk;
        return s * lr * sign(mk);
    }
}
