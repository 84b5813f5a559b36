package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

/**
 * The ascent perturbation ε of SAM (Foret, Kleiner, Mobahi and Neyshabur, "Sharpness-Aware Minimization for
 * Efficiently Improving Generalization", ICLR 2021) and ASAM (Kwon, Kim, Park and Choi, "ASAM: Adaptive
 * Sharpness-Aware Minimization for Scale-Invariant Learning of Deep Neural Networks", ICML 2021), on its
 * own: the part of a sharpness-aware step that does not depend on who holds the parameters or who takes the
 * base step. {@link SharpnessAwareMinimization} drives it over any {@code Optimiser}; framework adapters
 * call it on their own arrays.
 * <p>
 * With g the loss gradient at θ and every norm taken over <em>all</em> given tensors together:
 * <pre>
 *   SAM:   ε = ρ · g / ‖g‖
 *   ASAM:  T = |θ| + η   (elementwise; η = 0 is davda54/sam's "adaptive" variant)
 *          ε = ρ · T² ⊙ g / ‖T ⊙ g‖
 *   (‖g‖ = 0, resp. ‖T ⊙ g‖ = 0, gives ε = 0)
 * </pre>
 * The norm is exact even where ‖g‖² overflows a double (e.g. every |g_i| near 10²⁰⁰). Non-finite inputs are
 * the caller's to reject.
 * ε is linear in g and vanishes wherever g does, so a caller may pass only the coordinates where g can be
 * non-zero (e.g. the features active in a sparse batch) and gets the same ε on them; and a caller holding
 * the negated gradient gets −ε.
 */
public final class SharpnessPerturbation {
    private final double rho;
    private final boolean adaptive;
    private final double eta;

    private SharpnessPerturbation(double rho, boolean adaptive, double eta) {
        this.rho = Check.positive("rho", rho);
        this.adaptive = adaptive;
        this.eta = Check.nonNegative("eta", eta);
    }

    /**
     * SAM: ε = ρ g / ‖g‖.
     *
     * @param rho the neighbourhood radius ρ, a finite number &gt; 0
     */
    public static SharpnessPerturbation sam(double rho) {
        return new SharpnessPerturbation(rho, false, 0.0);
    }

    /** ASAM without the η offset (T = |θ|), as davda54/sam's {@code adaptive=True}. */
    public static SharpnessPerturbation asam(double rho) {
        return new SharpnessPerturbation(rho, true, 0.0);
    }

    /**
     * ASAM with Kwon et al.'s offset: T = |θ| + η.
     *
     * @param rho the radius ρ, a finite number &gt; 0 (the paper uses larger ρ than SAM, e.g. 0.5 to 2)
     * @param eta the offset η, a finite number &gt;= 0 (the paper uses 0.01)
     */
    public static SharpnessPerturbation asam(double rho, double eta) {
        return new SharpnessPerturbation(rho, true, eta);
    }

    /**
     * SAM ({@code adaptive = false}) or ASAM from the three settings a configuration holds, as framework adapters
     * store them.
     *
     * @param rho the radius ρ, a finite number &gt; 0
     * @param adaptive ASAM when true
     * @param eta ASAM's offset η, a finite number &gt;= 0; must be 0 for SAM, where it would otherwise be ignored
     * @throws InvalidHyperparameterException naming {@code rho} or {@code eta}
     */
    public static SharpnessPerturbation of(double rho, boolean adaptive, double eta) {
        if (!adaptive && eta != 0.0) {
            Check.positive("rho", rho);
            throw new InvalidHyperparameterException("eta", "eta is ASAM's offset and needs adaptive = true; "
                    + "with adaptive = false it must be 0, got " + eta);
        }
        return new SharpnessPerturbation(rho, adaptive, eta);
    }

    public double rho() {
        return rho;
    }

    public boolean adaptive() {
        return adaptive;
    }

    /** The ASAM offset η (0 for SAM and for davda54's ASAM variant). */
    public double eta() {
        return eta;
    }

    /**
     * ε for parameters θ and gradient g, in new arrays (neither input is modified).
     *
     * @return per tensor, ε; all zeros when the (scaled) gradient norm is zero
     */
    public double[][] perturbation(double[][] params, double[][] gradient) {
        double[][] epsilon = new double[gradient == null ? 0 : gradient.length][];
        for (int t = 0; t < epsilon.length; t++) {
            epsilon[t] = new double[gradient[t].length];
        }
        perturbationInto(params, gradient, epsilon);
        return epsilon;
    }

    /**
     * Writes ε for parameters θ and gradient g into {@code out}, allocating nothing. {@code out} may be
     * {@code gradient} itself (each element of g is read before its ε is written); {@code params} is only read.
     *
     * @param params θ, one array per tensor
     * @param gradient g, shaped like {@code params}
     * @param out receives ε, shaped like {@code params}
     */
    public void perturbationInto(double[][] params, double[][] gradient, double[][] out) {
        requireSameShape(params, gradient, "gradient");
        requireSameShape(params, out, "out");
        double squaredNorm = squaredNormOf(params, gradient);
        double scale = squaredNorm == Double.POSITIVE_INFINITY
                ? scaleForNorm(rho, overflowSafeNorm(params, gradient))
                : scale(rho, squaredNorm);
        for (int t = 0; t < gradient.length; t++) {
            double[] g = gradient[t];
            double[] p = params[t];
            double[] e = out[t];
            for (int i = 0; i < g.length; i++) {
                e[i] = epsilon(adaptive, eta, scale, p[i], g[i]);
            }
        }
    }

    /**
     * ‖T ⊙ g‖ (ASAM) or ‖g‖ (SAM) over all given tensors, the denominator of ε: √(Σ (T_i g_i)²), or, when that
     * sum of squares overflows, the same norm computed with every term divided by the largest magnitude first.
     * This is exactly the norm {@link #perturbationInto} divides by, so ρ / this norm is its scale bit for bit.
     *
     * @return the norm; NaN when g holds NaN, +∞ when g (or T ⊙ g) holds ±∞ or the norm itself exceeds
     *         {@link Double#MAX_VALUE}
     */
    public double norm(double[][] params, double[][] gradient) {
        requireSameShape(params, gradient, "gradient");
        double squaredNorm = squaredNormOf(params, gradient);
        return squaredNorm == Double.POSITIVE_INFINITY ? overflowSafeNorm(params, gradient) : Math.sqrt(squaredNorm);
    }

    private double squaredNormOf(double[][] params, double[][] gradient) {
        double squaredNorm = 0.0;
        for (int t = 0; t < gradient.length; t++) {
            squaredNorm += squaredNorm(adaptive, eta, params[t], gradient[t], 0, gradient[t].length);
        }
        return squaredNorm;
    }

    // ---- the same perturbation in pieces, for adapters that stream a framework's parameters in chunks ----

    /**
     * Σ (T_i g_i)² over i in [from, to), with T_i = |θ_i| + η for ASAM and 1 for SAM: one chunk's share of
     * ‖T ⊙ g‖² (resp. ‖g‖²). Sum it over every chunk of every tensor, then call {@link #scale}.
     */
    public static double squaredNorm(boolean adaptive, double eta, double[] params, double[] gradient, int from, int to) {
        double sum = 0.0;
        for (int i = from; i < to; i++) {
            double tg = adaptive ? (Math.abs(params[i]) + eta) * gradient[i] : gradient[i];
            sum += tg * tg;
        }
        return sum;
    }

    /**
     * ρ / ‖T ⊙ g‖ from the squared norm summed over all parameters, or 0 when that norm is 0 (ε = 0).
     *
     * @throws ArithmeticException when the squared norm is NaN or infinite (a non-finite gradient, or one so
     *         large that its squares overflow), so that no NaN or silently zero perturbation is ever applied
     */
    public static double scale(double rho, double squaredNorm) {
        if (!Double.isFinite(squaredNorm)) {
            throw new ArithmeticException("the squared norm of the SAM gradient is " + squaredNorm
                    + "; the gradient holds NaN or infinite values, or values too large to square");
        }
        return scaleForNorm(rho, Math.sqrt(squaredNorm));
    }

    private static double scaleForNorm(double rho, double norm) {
        return norm > 0 ? rho / norm : 0.0;
    }

    /**
     * Adds ε_i to {@code target[i]} for i in [from, to). {@code target} may be {@code params} itself (θ_i is
     * read before it is written), which perturbs θ in place.
     *
     * @param scale the value of {@link #scale}
     */
    public static void addPerturbation(boolean adaptive, double eta, double scale, double[] params, double[] gradient,
                                       int from, int to, double[] target) {
        if (scale == 0.0) {
            return;
        }
        for (int i = from; i < to; i++) {
            target[i] += epsilon(adaptive, eta, scale, params[i], gradient[i]);
        }
    }

    /** ε_i = scale · T_i² · g_i (ASAM, T_i = |θ_i| + η) or scale · g_i (SAM). */
    private static double epsilon(boolean adaptive, double eta, double scale, double theta, double g) {
        if (scale == 0.0) {
            return 0.0;
        }
        if (adaptive) {
            double w = Math.abs(theta) + eta;
            return w * w * g * scale;
        }
        return g * scale;
    }

    /**
     * ‖g‖ (or ‖T ⊙ g‖) when the plain sum of squares overflowed: each term is divided by the largest
     * magnitude first. Only taken on overflow, so the ordinary path keeps its exact rounding.
     */
    private double overflowSafeNorm(double[][] params, double[][] gradient) {
        double max = 0.0;
        for (int t = 0; t < gradient.length; t++) {
            for (int i = 0; i < gradient[t].length; i++) {
                max = Math.max(max, Math.abs(adaptive ? (Math.abs(params[t][i]) + eta) * gradient[t][i] : gradient[t][i]));
            }
        }
        if (!Double.isFinite(max)) {
            return max;
        }
        double sum = 0.0;
        for (int t = 0; t < gradient.length; t++) {
            for (int i = 0; i < gradient[t].length; i++) {
                double v = (adaptive ? (Math.abs(params[t][i]) + eta) * gradient[t][i] : gradient[t][i]) / max;
                sum += v * v;
            }
        }
        return max * Math.sqrt(sum);
    }

    static void requireSameShape(double[][] params, double[][] other, String name) {
        if (other == null || other.length != params.length) {
            throw new IllegalArgumentException(name + " must have " + params.length + " tensors, got "
                    + (other == null ? "null" : other.length));
        }
        for (int t = 0; t < params.length; t++) {
            if (other[t].length != params[t].length) {
                throw new IllegalArgumentException(name + "[" + t + "] must have " + params[t].length
                        + " elements, got " + other[t].length);
            }
        }
    }

    @Override
    public String toString() {
        return adaptive ? "ASAM(rho=" + rho + ",eta=" + eta + ")" : "SAM(rho=" + rho + ")";
    }
}
