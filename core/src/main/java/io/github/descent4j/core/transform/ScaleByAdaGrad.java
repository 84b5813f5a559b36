package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * Per-coordinate AdaGrad scaling (Duchi, Hazan, Singer 2011) with torch.optim.Adagrad's arithmetic
 * (learning-rate decay 0; optax's {@code scale_by_rss} up to where ε enters):
 * <pre>
 *   sum = sum + u²                       (sum starts at initialAccumulator)
 *   out = u / (√sum + ε)
 * </pre>
 * The buffer holds {@code sum − initialAccumulator}, so that it starts at zero like every state buffer.
 * Spec: {@code scaleByAdaGrad(epsilon=1.0E-10, initialAccumulator=0.0)}; left-out parameters take
 * torch's defaults.
 */
public final class ScaleByAdaGrad extends Transform {
    /** Spec name. */
    public static final String NAME = "scaleByAdaGrad";

    private final double epsilon;
    private final double initialAccumulator;

    /**
     * @param epsilon denominator stabiliser, > 0
     * @param initialAccumulator the starting sum of squares, >= 0
     */
    public ScaleByAdaGrad(double epsilon, double initialAccumulator) {
        this.epsilon = Check.positive("epsilon", epsilon);
        this.initialAccumulator = Check.nonNegative("initialAccumulator", initialAccumulator);
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
        final double[] sum = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(sum, k, s * in[k]);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(sum, base + k, s * in[k]);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = s * element(sum, base + index[k], s * in[k]);
            }
        }
    }

    private double element(double[] sum, int at, double u) {
        double sk = sum[at] + u * u;
        sum[at] = sk;
        return u / (Math.sqrt(initialAccumulator + sk) + epsilon);
    }

    @Override
    public String spec() {
        return NAME + "(epsilon=" + epsilon + ", initialAccumulator=" + initialAccumulator + ")";
    }
}
