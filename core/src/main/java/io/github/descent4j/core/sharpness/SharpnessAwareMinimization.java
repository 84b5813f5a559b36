package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.Optimiser;

/**
 * Sharpness-Aware Minimization (SAM; Foret, Kleiner, Mobahi and Neyshabur, "Sharpness-Aware Minimization for
 * Efficiently Improving Generalization", ICLR 2021) and Adaptive SAM (ASAM; Kwon, Kim, Park and Choi, "ASAM:
 * Adaptive Sharpness-Aware Minimization for Scale-Invariant Learning of Deep Neural Networks", ICML 2021),
 * framework-free, over any base {@link Optimiser} (so it stacks: SAM over Selective Projection Decay over Adam). The
 * perturbation itself is {@link SharpnessPerturbation}; the sequence is {@link SharpnessAwareStep#run} over a
 * {@link FlatPerturbationTarget}.
 * <p>
 * One step, with g = ∇L(θ) and every norm taken over <em>all</em> parameter tensors together:
 * <pre>
 *   SAM:   ε = ρ · g / ‖g‖
 *   ASAM:  T = |θ| + η   (elementwise; η = 0 is davda54/sam's "adaptive" variant)
 *          ε = ρ · T² ⊙ g / ‖T ⊙ g‖
 *   (‖g‖ = 0, resp. ‖T ⊙ g‖ = 0, gives ε = 0)
 *   g′ = ∇L(θ + ε)          (same minibatch; also taken when ε = 0, as davda54/sam does)
 *   θ  ← θ                  (restored exactly, from a copy)
 *   θ  ← θ − base.proposeStep(g′)
 * </pre>
 * This follows davda54/sam's {@code first_step}/{@code second_step} except that the division is by ‖·‖
 * itself with an explicit zero guard, not by ‖·‖ + 10⁻¹²; the two agree to 10⁻¹²/‖·‖ relative.
 * <p>
 * The perturbation is applied in place to the base optimiser's live parameter arrays while the oracle is
 * called, and θ is restored afterwards even if the oracle throws.
 */
public final class SharpnessAwareMinimization {
    private final Optimiser base;
    private final SharpnessPerturbation perturbation;

    private SharpnessAwareMinimization(Optimiser base, SharpnessPerturbation perturbation) {
        if (base == null) {
            throw new IllegalArgumentException("base optimiser must not be null");
        }
        this.base = base;
        this.perturbation = perturbation;
    }

    /**
     * SAM: ε = ρ g / ‖g‖.
     *
     * @param base the base optimiser, whose parameters this steps
     * @param rho the neighbourhood radius ρ, a finite number &gt; 0
     */
    public static SharpnessAwareMinimization sam(Optimiser base, double rho) {
        return new SharpnessAwareMinimization(base, SharpnessPerturbation.sam(rho));
    }

    /** ASAM without the η offset (T = |θ|), as davda54/sam's {@code adaptive=True}. */
    public static SharpnessAwareMinimization asam(Optimiser base, double rho) {
        return new SharpnessAwareMinimization(base, SharpnessPerturbation.asam(rho));
    }

    /**
     * ASAM with Kwon et al.'s offset: T = |θ| + η.
     *
     * @param rho the radius ρ, a finite number &gt; 0 (the paper uses larger ρ than SAM, e.g. 0.5 to 2)
     * @param eta the offset η, a finite number &gt;= 0 (the paper uses 0.01)
     */
    public static SharpnessAwareMinimization asam(Optimiser base, double rho, double eta) {
        return new SharpnessAwareMinimization(base, SharpnessPerturbation.asam(rho, eta));
    }

    /** The base optimiser (live). */
    public Optimiser base() {
        return base;
    }

    public double rho() {
        return perturbation.rho();
    }

    public boolean adaptive() {
        return perturbation.adaptive();
    }

    /** The ASAM offset η (0 for SAM and for davda54's ASAM variant). */
    public double eta() {
        return perturbation.eta();
    }

    /**
     * The ascent perturbation ε for parameters θ and gradient g (neither is modified).
     *
     * @return per tensor, ε; all zeros when the (scaled) gradient norm is zero
     */
    public double[][] perturbation(double[][] params, double[][] gradient) {
        return perturbation.perturbation(params, gradient);
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
     * One SAM/ASAM step when the gradient at θ is already known (a framework's ordinary backward pass): the
     * sequence of {@link SharpnessAwareStep#run} over a {@link FlatPerturbationTarget}, then the base step
     * θ ← θ − base.proposeStep(g′). The oracle is called once, at θ + ε, also when ε = 0.
     *
     * @param gradient the loss gradient at the current θ
     * @param oracle computes the gradient at θ + ε on the same minibatch
     * @return g′, the gradient the base optimiser stepped with
     * @throws ArithmeticException when ‖T ⊙ g‖ is infinite (T ⊙ g overflows, or the norm exceeds
     *         {@link Double#MAX_VALUE}); nothing is changed
     */
    public double[][] step(double[][] gradient, GradientOracle oracle) {
        FlatPerturbationTarget target = new FlatPerturbationTarget(base.parameters(), gradient, oracle);
        SharpnessAwareStep.run(perturbation, target);
        double[][] perturbedGradient = target.gradientForBaseStep();
        base.step(perturbedGradient);
        return perturbedGradient;
    }
}
