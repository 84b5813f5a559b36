package io.github.descent4j.core.sharpness;

/**
 * What {@link SharpnessAwareStep} needs from whoever holds the parameters and the gradient at θ: a flat array
 * list in the core, a Tribuo weight matrix in descent4j's loop, a Deeplearning4j network's flat views in its
 * listener. Each holder streams its own storage through {@link SharpnessPerturbation}'s chunk primitives
 * ({@link SharpnessPerturbation#squaredNorm}, {@link SharpnessPerturbation#addPerturbation}), so the formula
 * for ε lives once, and the order of the sequence lives once, in {@link SharpnessAwareStep#run}.
 * <p>
 * A holder that stores negated gradients (Tribuo) perturbs by −(its ε) in {@link #perturb}: ε is odd in g.
 */
public interface PerturbationTarget {

    /**
     * ‖T ⊙ g‖ (ASAM, T = |θ| + η) or ‖g‖ (SAM) over every parameter that is perturbed, g the gradient at θ.
     *
     * @throws RuntimeException (the holder's own, e.g. {@code NonFiniteGradientException}) when g is not finite
     */
    double perturbationNorm(SharpnessPerturbation perturbation);

    /** Saves what the second pass will change and must be undone: θ, and anything else the holder keeps. */
    void save();

    /**
     * θ ← θ + ε, with ε_i = scale · T_i² · g_i (ASAM) or scale · g_i (SAM) as
     * {@link SharpnessPerturbation#addPerturbation} computes it.
     *
     * @param scale ρ / {@link #perturbationNorm}, &gt; 0
     */
    void perturb(SharpnessPerturbation perturbation, double scale);

    /** Computes the gradient at the (perturbed) parameters on the same minibatch, where the base step reads it. */
    void gradientAtPerturbedPoint();

    /** Restores exactly what {@link #save} saved; called also when the second pass throws. */
    void restore();
}
