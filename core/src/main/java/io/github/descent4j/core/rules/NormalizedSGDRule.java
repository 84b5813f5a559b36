package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Normalised gradient descent with optional heavy-ball momentum (Kunstner et al. 2024; the semantics of
 * the authors' {@code normalized_opts.py}).
 * <pre>
 *   d   = g / ‖g‖₂     with the norm over ALL tensors of the model; d = 0 when ‖g‖ = 0 (never NaN)
 *   buf = momentum * buf + d       (buf starts at 0)
 *   θ  ← θ − lr * buf
 * </pre>
 */
public final class NormalizedSGDRule extends UpdateRule {
    private final double momentum;

    public NormalizedSGDRule(double momentum) {
        this.momentum = Check.unitInterval("momentum", momentum);
    }

    @Override
    public int bufferCount() {
        return momentum == 0 ? 0 : 1;
    }

    @Override
    public boolean usesGlobalGradientNorm() {
        return true;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        double norm = Math.sqrt(context.gradientSquaredNorm);
        context.coefficients[0] = norm > 0 ? 1.0 / norm : 0.0;
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double lr = c.learningRate;
        final double inverseNorm = c.coefficients[0];
        if (momentum == 0) {
            final double scale = lr * inverseNorm;
            for (int k = from; k < to; k++) {
                in[k] *= scale;   // the sign of in and of the step agree, so no sign flip is needed
            }
            return;
        }
        final double[] buf = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, k, in[k], s, lr, inverseNorm);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, base + k, in[k], s, lr, inverseNorm);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = element(buf, base + index[k], in[k], s, lr, inverseNorm);
            }
        }
    }

    private double element(double[] buf, int at, double in, double s, double lr, double inverseNorm) {
        double b = momentum * buf[at] + (s * in) * inverseNorm;
        buf[at] = b;
        return s * lr * b;
    }
}
