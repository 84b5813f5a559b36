package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.Optimiser;

/**
 * Balancedness-Aware Regularization (BAR; Li, Zhang and He, "Implicit Regularization of Sharpness-Aware
 * Minimization for Scale-Invariant Problems", NeurIPS 2024, Algorithms 2 and 3) for one factor pair (x, y)
 * of a scale-invariant problem such as f(X Yᵀ), over any base {@link Optimiser} (e.g. Selective Projection Decay
 * over Adam: the wrappers stack).
 * <p>
 * BAR reproduces SAM's implicit regularisation of the balancedness B = ½(‖x‖² − ‖y‖²) at the cost of a
 * single gradient. One step t (0-based), with learning rate η and α_t from an {@link AlphaSchedule}, and
 * g_x, g_y the loss gradients at the current (x, y):
 * <pre>
 *   nBAR:  if ‖g_x‖ ≥ ‖g_y‖:  x ← (1 + α_t η) x,  y ← (1 − α_t η) y
 *          else:              x ← (1 − α_t η) x,  y ← (1 + α_t η) y
 *   oBAR:  if ‖x‖ ≥ ‖y‖:      x ← (1 − α_t η) x,  y ← (1 + α_t η) y
 *          else:              x ← (1 + α_t η) x,  y ← (1 − α_t η) y
 *   then   θ ← θ − u,  u = base.proposeStep(g)   computed from θ and g BEFORE the rescale
 * </pre>
 * so with SGD as base, x ← (1 ± α_t η) x − η g_x. Tensors of the base optimiser other than x and y get the
 * base step only. The learning rate η is passed explicitly and should be the base optimiser's.
 */
public final class BalancednessAwareRegularization {

    /** Which quantity decides the direction of the rescale. */
    public enum Variant {
        /** Grow the factor with the larger gradient norm (Algorithm 2 of Li, Zhang and He). */
        NBAR,
        /** Shrink the factor with the larger norm (Algorithm 3 of Li, Zhang and He). */
        OBAR
    }

    private final Optimiser base;
    private final double learningRate;
    private final Variant variant;
    private final AlphaSchedule alpha;
    private final int xIndex;
    private final int yIndex;
    private long steps;

    /**
     * @param base the base optimiser, whose parameters hold x and y
     * @param learningRate the learning rate η used in the rescale, a finite number &gt; 0
     * @param variant nBAR or oBAR
     * @param alpha the α_t schedule
     * @param xIndex index of x among the base optimiser's tensors
     * @param yIndex index of y, different from {@code xIndex}
     */
    public BalancednessAwareRegularization(Optimiser base, double learningRate, Variant variant,
                                           AlphaSchedule alpha, int xIndex, int yIndex) {
        if (base == null || variant == null || alpha == null) {
            throw new IllegalArgumentException((base == null ? "base" : variant == null ? "variant" : "alpha")
                    + " must not be null");
        }
        int n = base.parameters().length;
        if (xIndex < 0 || xIndex >= n || yIndex < 0 || yIndex >= n || xIndex == yIndex) {
            throw new IllegalArgumentException("xIndex and yIndex must be distinct tensor indices in [0, " + n
                    + "), got " + xIndex + " and " + yIndex);
        }
        this.base = base;
        this.learningRate = Check.positive("learningRate", learningRate);
        this.variant = variant;
        this.alpha = alpha;
        this.xIndex = xIndex;
        this.yIndex = yIndex;
    }

    /** nBAR on the base optimiser's tensors 0 (x) and 1 (y). */
    public static BalancednessAwareRegularization nbar(Optimiser base, double learningRate, AlphaSchedule alpha) {
        return new BalancednessAwareRegularization(base, learningRate, Variant.NBAR, alpha, 0, 1);
    }

    /** oBAR on the base optimiser's tensors 0 (x) and 1 (y). */
    public static BalancednessAwareRegularization obar(Optimiser base, double learningRate, AlphaSchedule alpha) {
        return new BalancednessAwareRegularization(base, learningRate, Variant.OBAR, alpha, 0, 1);
    }

    /** Number of steps taken; the index t of the next step. */
    public long steps() {
        return steps;
    }

    public Variant variant() {
        return variant;
    }

    /** B = ½(‖x‖² − ‖y‖²) of the current factors. */
    public double balancedness() {
        double[][] p = base.parameters();
        return balancedness(p[xIndex], p[yIndex]);
    }

    /** B = ½(‖x‖² − ‖y‖²). */
    public static double balancedness(double[] x, double[] y) {
        return balancednessFromSquaredNorms(squaredNorm(x), squaredNorm(y));
    }

    /** B = ½(‖x‖² − ‖y‖²) from the two squared norms (for adapters that compute norms themselves). */
    public static double balancednessFromSquaredNorms(double xSquaredNorm, double ySquaredNorm) {
        return 0.5 * (xSquaredNorm - ySquaredNorm);
    }

    /** One step, with the gradients computed by the oracle at the current parameters. */
    public void step(GradientOracle oracle) {
        step(oracle.gradient(base.parameters()));
    }

    /**
     * One step.
     *
     * @param gradients the loss gradients at the current parameters, one per base tensor
     */
    public void step(double[][] gradients) {
        double[][] params = base.parameters();
        SharpnessPerturbation.requireSameShape(params, gradients, "gradients");
        double[][] update = base.proposeStep(gradients);   // validates shapes and finiteness; before the rescale
        double alphaEta = alphaEta(alpha, steps, learningRate);
        rescale(variant, params[xIndex], params[yIndex], gradients[xIndex], gradients[yIndex], alphaEta);
        for (int t = 0; t < params.length; t++) {
            double[] p = params[t];
            double[] u = update[t];
            for (int i = 0; i < p.length; i++) {
                p[i] -= u[i];
            }
        }
        steps++;
    }

    /**
     * α_t · η_t, the rescale coefficient of step t.
     *
     * @throws IllegalStateException when the schedule or the learning rate make it NaN, negative or infinite
     */
    public static double alphaEta(AlphaSchedule alpha, long step, double learningRate) {
        double alphaEta = alpha.alpha(step) * learningRate;
        if (!(alphaEta >= 0) || Double.isInfinite(alphaEta)) {
            throw new IllegalStateException("alpha schedule gave " + alpha.alpha(step) + " and the learning rate is "
                    + learningRate + " at step " + step + "; their product must be a finite number >= 0");
        }
        return alphaEta;
    }

    /**
     * The BAR rescale alone, in place: multiplies one factor by (1 + αη) and the other by (1 − αη), chosen
     * by the variant's rule (ties, ‖·‖ equal, grow x for nBAR and shrink x for oBAR).
     *
     * @param alphaEta α_t · η_t
     */
    public static void rescale(Variant variant, double[] x, double[] y, double[] gx, double[] gy, double alphaEta) {
        double[] f = scaleFactors(variant, squaredNorm(x), squaredNorm(y), squaredNorm(gx), squaredNorm(gy), alphaEta);
        for (int i = 0; i < x.length; i++) {
            x[i] *= f[0];
        }
        for (int i = 0; i < y.length; i++) {
            y[i] *= f[1];
        }
    }

    /**
     * The factors {f_x, f_y} by which one BAR step multiplies x and y, from the four squared norms (only the
     * two the variant reads matter): {1 + αη, 1 − αη} when x grows, {1 − αη, 1 + αη} otherwise. nBAR grows x
     * when ‖g_x‖ ≥ ‖g_y‖; oBAR grows x when ‖x‖ &lt; ‖y‖.
     *
     * @param alphaEta α_t · η_t, a finite number &gt;= 0
     */
    public static double[] scaleFactors(Variant variant, double xSquaredNorm, double ySquaredNorm,
                                        double gxSquaredNorm, double gySquaredNorm, double alphaEta) {
        boolean growX = variant == Variant.NBAR
                ? gxSquaredNorm >= gySquaredNorm
                : xSquaredNorm < ySquaredNorm;
        return growX ? new double[]{1.0 + alphaEta, 1.0 - alphaEta} : new double[]{1.0 - alphaEta, 1.0 + alphaEta};
    }

    private static double squaredNorm(double[] v) {
        double s = 0.0;
        for (double d : v) {
            s += d * d;
        }
        return s;
    }
}
