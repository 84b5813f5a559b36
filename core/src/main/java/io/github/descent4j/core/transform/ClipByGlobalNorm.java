package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.clip.GlobalNormClipping;

/**
 * Rescales the update when the whole gradient's L2 norm exceeds a bound, with the arithmetic of
 * torch's {@code torch.nn.utils.clip_grad_norm_} (optax's {@code clip_by_global_norm} without the ε):
 * <pre>
 *   coef = maxNorm / (‖g‖₂ + 1e-6)
 *   out  = coef &lt; 1 ? coef * u : u
 * </pre>
 * It reads the global norm the adapter computes of the incoming gradient, so it must be the first part
 * of a {@link TransformChain}. The coefficient is {@link GlobalNormClipping#coefficient}. Spec: {@code clipByGlobalNorm(maxNorm=1.0)}.
 */
public final class ClipByGlobalNorm extends Transform {
    /** Spec name. */
    public static final String NAME = "clipByGlobalNorm";

    private final double maxNorm;

    /** @param maxNorm the largest norm let through unchanged, > 0 */
    public ClipByGlobalNorm(double maxNorm) {
        this.maxNorm = Check.positive("maxNorm", maxNorm);
    }

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
        context.coefficients[0] = GlobalNormClipping.coefficient(maxNorm, Math.sqrt(context.gradientSquaredNorm));
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double coef = c.coefficients[0];
        if (coef == 1.0) {
            return;
        }
        for (int k = from; k < to; k++) {
            in[k] *= coef;
        }
    }

    @Override
    public String spec() {
        return NAME + "(maxNorm=" + maxNorm + ")";
    }
}
