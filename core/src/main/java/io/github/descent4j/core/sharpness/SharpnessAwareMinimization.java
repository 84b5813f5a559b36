package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.FlatOptimizer;
import io.github.descent4j.core.Tensors;

/**
 * Sharpness-Aware Minimization (SAM; Foret, Kleiner, Mobahi and Neyshabur, "Sharpness-Aware Minimization for
 * Efficiently Improving Generalization", ICLR 2021) and Adaptive SAM (ASAM; Kwon, Kim, Park and Choi, "ASAM:
 * Adaptive Sharpness-Aware Minimization for Scale-Invariant Learning of Deep Neural Networks", ICML 2021),
 * framework-free, over a base {@link FlatOptimizer}.
 * <p>
 * One step, with g = ∇L(θ) and every norm taken over <em>all</em> parameter tensors together:
 * <pre>
 *   SAM:   ε = ρ · g / ‖g‖
 *   ASAM:  T = |θ| + η   (elementwise; η = 0 is davda54/sam's "adaptive" variant)
 *          ε = ρ · T² ⊙ g / ‖T ⊙ g‖
 *   (‖g‖ = 0, resp. ‖T ⊙ g‖ = 0, gives ε = 0)
 *   g′ = ∇L(θ + ε)          (same minibatch)
 *   θ  ← θ                  (restored exactly, from a copy)
 *   θ  ← base step of θ with gradient g′
 * </pre>
 * This follows davda54/sam's {@code first_step}/{@code second_step} except that the division is by ‖·‖
 * itself with an explicit zero guard, not by ‖·‖ + 10⁻¹²; the two agree to 10⁻¹²/‖·‖ relative.
 * <p>
 * The perturbation is applied in place to the base optimiser's live parameter arrays while the oracle is
 * called, and θ is restored afterwards even if the oracle throws.
 */
public final class SharpnessAwareMinimization {
    private final FlatOptimizer base;
    private final double rho;
    private final boolean adaptive;
    private final double eta;

    private SharpnessAwareMinimization(FlatOptimizer base, double rho, boolean adaptive, double eta) {
        if (base == null) {
            throw new IllegalArgumentException("base optimiser must not be null");
        }
        this.base = base;
        this.rho = Check.positive("rho", rho);
        this.adaptive = adaptive;
        this.eta = Check.nonNegative("eta", eta);
    }

    /**
     * SAM: ε = ρ g / ‖g‖.
     *
     * @param base the base optimiser, whose parameters this steps
     * @param rho the neighbourhood radius ρ, a finite number &gt; 0
     */
    public static SharpnessAwareMinimization sam(FlatOptimizer base, double rho) {
        return new SharpnessAwareMinimization(base, rho, false, 0.0);
    }

    /** ASAM without the η offset (T = |θ|), as davda54/sam's {@code adaptive=True}. */
    public static SharpnessAwareMinimization asam(FlatOptimizer base, double rho) {
        return new SharpnessAwareMinimization(base, rho, true, 0.0);
    }

    /**
     * ASAM with Kwon et al.'s offset: T = |θ| + η.
     *
     * @param rho the radius ρ, a finite number &gt; 0 (the paper uses larger ρ than SAM, e.g. 0.5 to 2)
     * @param eta the offset η, a finite number &gt;= 0 (the paper uses 0.01)
     */
    public static SharpnessAwareMinimization asam(FlatOptimizer base, double rho, double eta) {
        return new SharpnessAwareMinimization(base, rho, true, eta);
    }

    /** The base optimiser (live). */
    public FlatOptimizer base() {
        return base;
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
     * The ascent perturbation ε for parameters θ and gradient g (neither is modified).
     *
     * @return per tensor, ε; all zeros when the (scaled) gradient norm is zero
     */
    public double[][] perturbation(double[][] params, double[][] gradient) {
        requireSameShape(params, gradient, "gradient");
        double squaredNorm = 0.0;
        for (int t = 0; t < gradient.length; t++) {
            squaredNorm += perturbationSquaredNorm(adaptive, eta, params[t], gradient[t], 0, gradient[t].length);
        }
        double scale = perturbationScale(rho, squaredNorm);
        double[][] epsilon = new double[gradient.length][];
        for (int t = 0; t < gradient.length; t++) {
            epsilon[t] = new double[gradient[t].length];
            addPerturbation(adaptive, eta, scale, params[t], gradient[t], 0, gradient[t].length, epsilon[t]);
        }
        return epsilon;
    }

    // ---- the perturbation in pieces, for adapters that stream a framework's parameters in chunks ----

    /**
     * Σ (T_i g_i)² over i in [from, to), with T_i = |θ_i| + η for ASAM and 1 for SAM: one chunk's share of
     * the squared norm ‖T ⊙ g‖² (resp. ‖g‖²) that the perturbation divides by. Sum it over every chunk of
     * every tensor, then call {@link #perturbationScale}.
     */
    public static double perturbationSquaredNorm(boolean adaptive, double eta, double[] params, double[] gradient,
                                                 int from, int to) {
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
     * @throws ArithmeticException when the squared norm is NaN or infinite (a non-finite gradient), so that
     *         no NaN perturbation is ever applied
     */
    public static double perturbationScale(double rho, double squaredNorm) {
        if (!Double.isFinite(squaredNorm)) {
            throw new ArithmeticException("the squared norm of the SAM gradient is " + squaredNorm
                    + "; the gradient holds NaN or infinite values");
        }
        double norm = Math.sqrt(squaredNorm);
        return norm > 0 ? rho / norm : 0.0;
    }

    /**
     * Adds ε_i = scale · T_i² · g_i (ASAM, T_i = |θ_i| + η) or ε_i = scale · g_i (SAM) to {@code target[i]}
     * for i in [from, to). {@code target} may be {@code params} itself (θ_i is read before it is written),
     * which perturbs θ in place.
     *
     * @param scale the value of {@link #perturbationScale}
     */
    public static void addPerturbation(boolean adaptive, double eta, double scale, double[] params, double[] gradient,
                                       int from, int to, double[] target) {
        if (scale == 0.0) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (adaptive) {
                double w = Math.abs(params[i]) + eta;
                target[i] += w * w * gradient[i] * scale;
            } else {
                target[i] += gradient[i] * scale;
            }
        }
    }

    /**
     * One SAM/ASAM step, computing the gradient at θ with the oracle too.
     *
     * @return g′, the gradient at the perturbed point that the base optimiser stepped with
     */
    public double[][] step(GradientOracle oracle) {
        return step(oracle.gradient(base.parameters()), oracle);
    }

    /**
     * One SAM/ASAM step when the gradient at θ is already known (a framework's ordinary backward pass).
     *
     * @param gradient the loss gradient at the current θ
     * @param oracle computes the gradient at θ + ε on the same minibatch
     * @return g′, the gradient at the perturbed point that the base optimiser stepped with
     */
    public double[][] step(double[][] gradient, GradientOracle oracle) {
        double[][] params = base.parameters();
        requireSameShape(params, gradient, "gradient");
        for (int t = 0; t < gradient.length; t++) {
            Tensors.requireFinite(t, gradient[t], 0, gradient[t].length, "flat tensor of " + gradient[t].length);
        }
        double[][] epsilon = perturbation(params, gradient);
        double[][] saved = new double[params.length][];
        for (int t = 0; t < params.length; t++) {
            saved[t] = params[t].clone();
        }
        double[][] perturbedGradient;
        try {
            for (int t = 0; t < params.length; t++) {
                double[] p = params[t];
                double[] e = epsilon[t];
                for (int i = 0; i < p.length; i++) {
                    p[i] += e[i];
                }
            }
            perturbedGradient = oracle.gradient(params);
        } finally {
            for (int t = 0; t < params.length; t++) {
                System.arraycopy(saved[t], 0, params[t], 0, params[t].length);
            }
        }
        base.step(perturbedGradient);
        return perturbedGradient;
    }

    private static void requireSameShape(double[][] params, double[][] other, String name) {
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
}
