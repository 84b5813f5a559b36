package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * An exponential moving average of the update, without bias correction (optax's {@code ema} with
 * {@code debias=False}; Signum's momentum, Bernstein et al. 2018):
 * <pre>
 *   m   = beta * m + (1 − beta) * u     (m starts at 0)
 *   out = m
 * </pre>
 * Spec: {@code exponentialMovingAverage(beta=0.9)}.
 */
public final class ExponentialMovingAverage extends Transform {
    /** Spec name. */
    public static final String NAME = "exponentialMovingAverage";

    private final double beta;

    /** @param beta the average's decay, in [0, 1) */
    public ExponentialMovingAverage(double beta) {
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
        final double[] m = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, k, s * in[k]);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, base + k, s * in[k]);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, base + index[k], s * in[k]);
            }
        }
    }

    private double element(double[] m, int at, double u) {
        double mk = beta * m[at] + (1.0 - beta) * u;
        m[at] = mk;
        return mk;
    }

    @Override
    public String spec() {
        return NAME + "(beta=" + beta + ")";
    }
}
