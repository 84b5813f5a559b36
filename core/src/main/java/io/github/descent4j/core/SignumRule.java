package io.github.descent4j.core;

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
        final double oneMinusBeta = 1.0 - beta;
        final double[] m = buffers[0];
        for (int k = from; k < to; k++) {
            int at = base + (index == null ? k : index[k]);
            double mk = beta * m[at] + oneMinusBeta * (s * in[k]);
            m[at] = mk;
            in[k] = s * lr * sign(mk);
        }
    }
}
