package io.github.descent4j.core.sharpness;

/**
 * The SAM/ASAM sequence (Foret et al. 2021; Kwon et al. 2021), written once for every holder of parameters:
 * <pre>
 *   n = ‖T ⊙ g‖                         (T = 1 for SAM, |θ| + η for ASAM; g the gradient at θ)
 *   if n = 0: stop                      (ε = 0, so the gradient at θ + ε is g itself)
 *   save θ
 *   θ ← θ + ε,  ε = (ρ / n) · T² ⊙ g
 *   g′ = ∇L(θ + ε)                      (same minibatch)
 *   restore θ                           (also when the second pass throws)
 * </pre>
 * after which the caller's base optimiser steps with g′. The core {@link SharpnessAwareMinimization}, the
 * Tribuo loop and the Deeplearning4j listener each implement {@link PerturbationTarget} over their own storage
 * and call {@link #run}.
 */
public final class SharpnessAwareStep {
    private SharpnessAwareStep() {}

    /**
     * Runs the sequence on one target.
     *
     * @return true when the second gradient was taken; false when ε = 0 and the gradient at θ stands
     * @throws ArithmeticException when the target reports a NaN or infinite norm
     */
    public static boolean run(SharpnessPerturbation perturbation, PerturbationTarget target) {
        double norm = target.perturbationNorm(perturbation);
        if (!(norm >= 0) || norm == Double.POSITIVE_INFINITY) {
            throw new ArithmeticException("the norm of the SAM gradient is " + norm
                    + "; the gradient holds NaN or infinite values");
        }
        if (norm == 0) {
            return false;
        }
        double scale = perturbation.rho() / norm;
        target.save();
        try {
            target.perturb(perturbation, scale);
            target.gradientAtPerturbedPoint();
        } finally {
            target.restore();
        }
        return true;
    }
}
