package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

/**
 * The objective of the layer-wise learning-rate search (Kenneweg et al. 2024, "Intelligent Learning Rate
 * Distribution to reduce Catastrophic Forgetting in Transformers"): keep as much of the old task as
 * possible without giving up the new one. With p_o and p_s the old- and new-task validation accuracies of a
 * fine-tuned trial and p_s,flat the new-task accuracy a flat learning rate reaches under the same protocol,
 * <pre>
 *   maximise p_o   subject to   p_s ≥ p_s,flat − tolerance
 * </pre>
 * The paper does not give its exact objective; ours handles the constraint by a <b>linear penalty</b> in the
 * value the optimiser minimises,
 * <pre>
 *   value = −p_o + penalty · max(0, p_s,flat − tolerance − p_s)
 * </pre>
 * which keeps the surface continuous for the Gaussian process, and by <b>feasibility</b> when the result is
 * chosen: the best trial is the best feasible one whenever any trial is feasible ({@link #isBetter}). Both
 * constants are settings; see {@code docs/layerwise-search.md}.
 *
 * @param tolerance how much new-task accuracy may be given up against the flat rate, in [0, 1]
 * @param penalty   value added per unit of new-task accuracy below the threshold, finite, ≥ 0
 */
public record ForgettingObjective(double tolerance, double penalty) {

    /**
     * Tolerance 0.02 (two points of accuracy: about one standard error of an accuracy near 0.95 measured on
     * 150–200 validation examples, so the constraint does not reject trials for noise), penalty 10.
     */
    public static final ForgettingObjective DEFAULT = new ForgettingObjective(0.02, 10.0);

    public ForgettingObjective {
        if (!(tolerance >= 0 && tolerance <= 1)) {
            throw new InvalidHyperparameterException("tolerance", "tolerance must be in [0, 1], got " + tolerance);
        }
        Check.nonNegative("penalty", penalty);
    }

    /** The value to minimise for a trial with old-task accuracy {@code oldAccuracy} and new-task {@code newAccuracy}. */
    public double value(double oldAccuracy, double newAccuracy, double flatNewAccuracy) {
        checkAccuracy("oldAccuracy", oldAccuracy);
        checkAccuracy("newAccuracy", newAccuracy);
        checkAccuracy("flatNewAccuracy", flatNewAccuracy);
        return -oldAccuracy + penalty * shortfall(newAccuracy, flatNewAccuracy);
    }

    /**
     * How far the new-task accuracy falls below the threshold {@code flatNewAccuracy − tolerance} (0 when it
     * does not). Shortfalls up to 10⁻¹² count as 0: accuracies are ratios k/n, and an accuracy exactly at the
     * threshold must not fail it by the rounding of the subtraction.
     */
    public double shortfall(double newAccuracy, double flatNewAccuracy) {
        double s = flatNewAccuracy - tolerance - newAccuracy;
        return s > ROUNDING ? s : 0.0;
    }

    private static final double ROUNDING = 1e-12;

    public boolean feasible(double newAccuracy, double flatNewAccuracy) {
        return shortfall(newAccuracy, flatNewAccuracy) == 0.0;
    }

    /**
     * Whether trial a is a better result than trial b: a feasible trial beats an infeasible one; among
     * trials of equal feasibility the lower value wins (ties keep b, so the first of equals stays best).
     */
    public boolean isBetter(boolean aFeasible, double aValue, boolean bFeasible, double bValue) {
        if (aFeasible != bFeasible) {
            return aFeasible;
        }
        return aValue < bValue;
    }

    private static void checkAccuracy(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidHyperparameterException(name, name + " must be an accuracy in [0, 1], got " + value);
        }
    }
}
