package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * AdaGrad-Norm's scalar step size (Ward, Wu, Bottou 2019/2020, "AdaGrad Stepsizes"), as in
 * {@link io.github.descent4j.core.rules.AdaGradNormRule}:
 * <pre>
 *   b²  = b² + ‖g‖²         (the norm over ALL tensors; b² starts at b0²)
 *   out = u / b
 * </pre>
 * It reads the global norm the adapter computes of the incoming gradient, so it must be the first part
 * of a {@link TransformChain}. Spec: {@code scaleByAdaGradNorm(b0=0.1)}.
 */
public final class ScaleByAdaGradNorm extends Transform {
    /** Spec name. */
    public static final String NAME = "scaleByAdaGradNorm";

    private final double b0;

    /** @param b0 the initial b, > 0 */
    public ScaleByAdaGradNorm(double b0) {
        this.b0 = Check.positive("b0", b0);
    }

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public int scalarCount() {
        return 1;
    }

    @Override
    public void initialiseScalars(double[] scalars) {
        scalars[0] = b0 * b0;
    }

    @Override
    public boolean usesGlobalGradientNorm() {
        return true;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        scalars[0] += context.gradientSquaredNorm;
        context.coefficients[0] = 1.0 / Math.sqrt(scalars[0]);
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double scale = c.coefficients[0];
        for (int k = from; k < to; k++) {
            in[k] *= scale;
        }
    }

    @Override
    public String spec() {
        return NAME + "(b0=" + b0 + ")";
    }
}
