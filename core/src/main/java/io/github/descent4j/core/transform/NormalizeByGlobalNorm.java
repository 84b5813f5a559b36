package io.github.descent4j.core.transform;

import io.github.descent4j.core.StepContext;

/**
 * Divides the update by the L2 norm of the whole gradient (all tensors), as normalised gradient descent
 * does (Kunstner et al. 2024, the authors' {@code normalized_opts.py}):
 * <pre>
 *   out = u / ‖g‖₂        out = 0 when ‖g‖ = 0 (never NaN)
 * </pre>
 * It reads the global norm the adapter computes of the incoming gradient, so it must be the first part
 * of a {@link TransformChain}. Spec: {@code normalizeByGlobalNorm()}.
 */
public final class NormalizeByGlobalNorm extends Transform {
    /** Spec name. */
    public static final String NAME = "normalizeByGlobalNorm";

    @Override
    public int bufferCount() {
        return 0;
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
        final double inverseNorm = c.coefficients[0];
        for (int k = from; k < to; k++) {
            in[k] *= inverseNorm;
        }
    }

    @Override
    public String spec() {
        return NAME + "()";
    }
}
