package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.layerwise.LearningRateDistribution;

import java.util.List;

/**
 * What a {@link LayerwiseSearch} found: the trained layers it searched over (input side first), the flat
 * rate's baseline under the same protocol, every trial in order, and the best trial (the best feasible one
 * when any trial met the new-task constraint, otherwise the lowest penalised value), or the flat rate itself
 * (point 0, multipliers 1) when no trial beat it and 1 lies within the bounds; then {@code bestIsFlat} is true.
 */
public record LayerwiseSearchResult(List<String> layers, Baseline flat, List<LayerwiseSearchTrial> trials,
                                    LayerwiseSearchTrial best, boolean bestIsFlat) {

    /** The flat learning rate's validation accuracies, which set the constraint's threshold. */
    public record Baseline(double oldAccuracy, double newAccuracy, double seconds) {}

    public LayerwiseSearchResult {
        layers = List.copyOf(layers);
        trials = List.copyOf(trials);
    }

    /** The best trial's multiplier for each searched layer (resampled when fewer blocks than layers were searched). */
    public double[] bestMultipliers() {
        return bestDistribution().multipliers(layers.size());
    }

    public LearningRateDistribution bestDistribution() {
        return LearningRateDistribution.explicit(best.multipliers());
    }

    /** The best trial as a {@link FoundDistribution} named {@code name}, ready to save. */
    public FoundDistribution found(String name) {
        return new FoundDistribution(name, bestMultipliers(), layers);
    }
}
