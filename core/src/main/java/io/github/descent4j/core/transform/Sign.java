package io.github.descent4j.core.transform;

import io.github.descent4j.core.StepContext;

/**
 * The elementwise sign of the update (optax's {@code scale_by_sign}; signSGD, Bernstein et al. 2018):
 * <pre>
 *   out = sign(u)        (sign(±0) = 0)
 * </pre>
 * Spec: {@code sign()}.
 */
public final class Sign extends Transform {
    /** Spec name. */
    public static final String NAME = "sign";

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {}

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        for (int k = from; k < to; k++) {
            in[k] = sign(in[k]);   // sign * sign(sign * in) == sign(in) for sign = ±1
        }
    }

    @Override
    public String spec() {
        return NAME + "()";
    }
}
