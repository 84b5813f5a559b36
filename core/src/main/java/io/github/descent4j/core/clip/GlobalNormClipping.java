package io.github.descent4j.core.clip;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.Tensors;

/**
 * Clipping by global norm in front of any {@link Optimiser}, with the arithmetic of torch's
 * {@code torch.nn.utils.clip_grad_norm_} (Pascanu et al. 2013, "On the difficulty of training recurrent neural
 * networks"), the norm running over every tensor:
 * <pre>
 *   n    = ‖(g₁, …, g_k)‖₂
 *   coef = maxNorm / (n + 1e-6)
 *   g    ← coef · g   when coef &lt; 1 (otherwise g is passed unchanged)
 *   base.proposeStep(g)
 * </pre>
 * The static {@link #coefficient} and {@link #globalNorm} are the rule every adapter (the Tribuo wrapper, the DL4J
 * listener, the {@code clipByGlobalNorm} transform) applies, so it exists once. {@link #lastNorm()} is the norm
 * before clipping of the latest step, for listeners.
 * <p>
 * A NaN or infinite gradient is refused (torch would spread the NaN into every parameter); a gradient whose
 * squared norm overflows but whose entries are finite is measured with rescaling.
 */
public final class GlobalNormClipping implements Optimiser {
    /** torch's additive guard in the denominator of the clipping coefficient. */
    public static final double EPSILON = 1e-6;

    private final Optimiser base;
    private final double maxNorm;
    private double lastNorm = Double.NaN;
    private double lastCoefficient = Double.NaN;

    /**
     * @param base the optimiser that receives the clipped gradient
     * @param maxNorm the largest global norm let through unchanged, finite and &gt; 0
     */
    public GlobalNormClipping(Optimiser base, double maxNorm) {
        if (base == null) {
            throw new IllegalArgumentException("base must be an optimiser, got null");
        }
        this.base = base;
        this.maxNorm = Check.positive("maxNorm", maxNorm);
    }

    /**
     * torch's clipping factor for a gradient of global norm {@code norm}: {@code maxNorm / (norm + 1e-6)} when that is
     * below 1, else exactly 1.
     */
    public static double coefficient(double maxNorm, double norm) {
        double coef = maxNorm / (norm + EPSILON);
        return coef < 1.0 ? coef : 1.0;
    }

    /**
     * ‖g‖₂ over all tensors, rescaled when Σg² overflows.
     *
     * @throws ArithmeticException naming the first non-finite entry
     */
    public static double globalNorm(double[][] tensors) {
        double squared = Tensors.squaredNorm(tensors);
        if (Double.isFinite(squared)) {
            return Math.sqrt(squared);
        }
        double largest = 0;
        for (int t = 0; t < tensors.length; t++) {
            Tensors.requireFinite(t, tensors[t], 0, tensors[t].length, "gradient tensor of " + tensors[t].length + " values");
            for (double v : tensors[t]) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        double sum = 0;
        for (double[] t : tensors) {
            for (double v : t) {
                double scaled = v / largest;
                sum += scaled * scaled;
            }
        }
        return largest * Math.sqrt(sum);
    }

    @Override
    public double[][] parameters() {
        return base.parameters();
    }

    @Override
    public long steps() {
        return base.steps();
    }

    /** The clipped base step; {@code lossGradients} is not modified. */
    @Override
    public double[][] proposeStep(double[][] lossGradients) {
        double norm = globalNorm(lossGradients);
        double coef = coefficient(maxNorm, norm);
        double[][] clipped = lossGradients;
        if (coef != 1.0) {
            clipped = new double[lossGradients.length][];
            for (int t = 0; t < clipped.length; t++) {
                double[] g = lossGradients[t];
                double[] c = new double[g.length];
                for (int i = 0; i < g.length; i++) {
                    c[i] = g[i] * coef;
                }
                clipped[t] = c;
            }
        }
        double[][] step = base.proposeStep(clipped);
        lastNorm = norm;
        lastCoefficient = coef;
        return step;
    }

    /** The global norm before clipping of the latest step (NaN before the first). */
    public double lastNorm() {
        return lastNorm;
    }

    /** The factor the latest step's gradient was multiplied by (1 when it was not clipped; NaN before the first). */
    public double lastCoefficient() {
        return lastCoefficient;
    }

    /** The bound. */
    public double maxNorm() {
        return maxNorm;
    }

    /** The wrapped optimiser. */
    public Optimiser base() {
        return base;
    }
}
