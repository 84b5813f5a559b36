package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Sign descent with optional heavy-ball momentum on the signs (Kunstner et al. 2024, "Heavy-Tailed
 * Class Imbalance and Why Adam Outperforms Gradient Descent on Language Models"; the semantics of the
 * authors' {@code normalized_opts.py}).
 * <pre>
 *   d   = sign(g)                 (sign(0) = 0)
 *   buf = momentum * buf + d      (buf starts at 0, so after the first step it equals the first d)
 *   θ  ← θ − lr * buf             (with momentum = 0: θ ← θ − lr * d)
 * </pre>
 */
public final class SignSGDRule extends UpdateRule {
    private final double momentum;

    public SignSGDRule(double momentum) {
        this.momentum = Check.unitInterval("momentum", momentum);
    }

    @Override
    public int bufferCount() {
        return momentum == 0 ? 0 : 1;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {}

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double lr = c.learningRate;
        if (momentum == 0) {
            for (int k = from; k < to; k++) {
                in[k] = lr * sign(in[k]);   // s * sign(s * g) == sign(g) for s = ±1
            }
            return;
        }
        final double[] buf = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, k, in[k], s, lr);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, base + k, in[k], s, lr);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, base + index[k], in[k], s, lr);
            }
        }
    }

    private double element(double[] buf, int at, double in, double s, double lr) {
        double b = momentum * buf[at] + sign(s * in);
        buf[at] = b;
        return s * lr * b;
    }
}
