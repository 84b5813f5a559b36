package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * Scales the update by Adam's bias-corrected moments (Kingma and Ba 2015; optax's {@code scale_by_adam})
 * with torch.optim.Adam's arithmetic and ε placement, as in {@link io.github.descent4j.core.rules.AdamRule}:
 * <pre>
 *   m   = β₁ * m + (1 − β₁) * u
 *   v   = β₂ * v + (1 − β₂) * u²
 *   out = (1 / (1 − β₁ᵗ)) * m / (√v / √(1 − β₂ᵗ) + ε)        (t the global 1-based step)
 * </pre>
 * Followed by {@link ScaleByLearningRate} it is Adam. Spec:
 * {@code scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)}; left-out parameters take torch's defaults.
 */
public final class ScaleByAdam extends Transform {
    /** Spec name. */
    public static final String NAME = "scaleByAdam";

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    /**
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1)
     * @param epsilon denominator stabiliser, > 0
     */
    public ScaleByAdam(double beta1, double beta2, double epsilon) {
        this.beta1 = Check.unitInterval("beta1", beta1);
        this.beta2 = Check.unitInterval("beta2", beta2);
        this.epsilon = Check.positive("epsilon", epsilon);
    }

    @Override
    public int bufferCount() {
        return 2;
    }

    @Override
    public boolean acceptsMomentumSchedule() {
        return true;
    }

    @Override
    public void beginStep(double[] scalars, StepContext c) {
        double beta1 = Double.isNaN(c.momentum) ? this.beta1 : Check.unitInterval("beta1", c.momentum);
        c.coefficients[2] = beta1;
        c.coefficients[0] = 1.0 / (1.0 - Math.pow(beta1, c.step));
        c.coefficients[1] = 1.0 / Math.sqrt(1.0 - Math.pow(beta2, c.step));   // multiplied, not divided, per element
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double inverseBiasCorrection1 = c.coefficients[0];
        final double inverseSqrtBiasCorrection2 = c.coefficients[1];
        final double beta1 = c.coefficients[2];
        final double[] m = buffers[0];
        final double[] v = buffers[1];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {   // same index in every array: vectorisable
                in[k] = s * element(m, v, k, s * in[k], inverseBiasCorrection1, inverseSqrtBiasCorrection2, beta1);
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, v, base + k, s * in[k], inverseBiasCorrection1, inverseSqrtBiasCorrection2, beta1);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, v, base + index[k], s * in[k], inverseBiasCorrection1, inverseSqrtBiasCorrection2, beta1);
            }
        }
    }

    private double element(double[] m, double[] v, int at, double u, double inverseBc1, double inverseSqrtBc2, double beta1) {
        double mk = beta1 * m[at] + (1.0 - beta1) * u;
        double vk = beta2 * v[at] + (1.0 - beta2) * u * u;
        m[at] = mk;
        v[at] = vk;
        return inverseBc1 * mk / (Math.sqrt(vk) * inverseSqrtBc2 + epsilon);
    }

    @Override
    public String spec() {
        return NAME + "(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
