package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import io.github.descent4j.core.layerwise.search.LogMultiplierSpace;

/**
 * The settings that define a {@link LayerwiseSearch} (and must match when a saved search is resumed, except
 * {@code trials}, which may grow): the space, the initial design, the trial budget, the seed and the objective.
 */
public record SearchSettings(LogMultiplierSpace space, int initialDesign, int trials, long seed,
                             ForgettingObjective objective) {

    /**
     * @throws InvalidHyperparameterException naming {@code initialDesign} (< 1) or {@code trials} (below the
     *         initial design)
     */
    public SearchSettings {
        if (space == null || objective == null) {
            throw new InvalidHyperparameterException(space == null ? "space" : "objective", "must be set");
        }
        Check.atLeast("initialDesign", initialDesign, 1);
        if (trials < initialDesign) {
            throw new InvalidHyperparameterException("trials", "trials must be >= the initial design (" + initialDesign
                    + " trials), got " + trials + "; lower the initial design or raise the trials");
        }
    }

    /** Describes the first setting (other than {@code trials}) in which {@code saved} differs, or null. */
    String mismatch(SearchSettings saved) {
        if (!space.equals(saved.space)) {
            return "space " + saved.space + " (this search: " + space + ")";
        }
        if (initialDesign != saved.initialDesign) {
            return "initialDesign " + saved.initialDesign + " (this search: " + initialDesign + ")";
        }
        if (seed != saved.seed) {
            return "seed " + saved.seed + " (this search: " + seed + ")";
        }
        if (!objective.equals(saved.objective)) {
            return "objective " + saved.objective + " (this search: " + objective + ")";
        }
        return null;
    }
}
