package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * Lion's update direction (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"; optax's
 * {@code scale_by_lion}), in the order of {@link io.github.descent4j.core.rules.LionRule}: the sign of a
 * β₁ interpolation, then the β₂ momentum update.
 * <pre>
 *   out = sign(β₁ * m + (1 − β₁) * u)        (sign(0) = 0)
 *   m   = β₂ * m + (1 − β₂) * u              (m starts at 0)
 * </pre>
 * Lion is {@code lionDirection | addDecayedWeights | scaleByLearningRate}. Spec:
 * {@code lionDirection(beta1=0.9, beta2=0.99)}; left-out parameters take the paper's defaults.
 */
public final class LionDirection extends Transform {
    /** Spec name. */
    public static final String NAME = "lionDirection";

    private final double beta1;
    private final double beta2;

    /**
     * @param beta1 interpolation weight of the momentum in the direction, in [0, 1)
     * @param beta2 the momentum's decay, in [0, 1)
     */
    public LionDirection(double beta1, double beta2) {
        this.beta1 = Check.unitInterval("beta1", beta1);
        this.beta2 = Check.unitInterval("beta2", beta2);
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
        double mk = m[at];
        m[at] = beta2 * mk + (1.0 - beta2) * u;
        return sign(beta1 * mk + (1.0 - beta1) * u);
    }

    @Override
    public String spec() {
        return NAME + "(beta1=" + beta1 + ", beta2=" + beta2 + ")";
    }
}
