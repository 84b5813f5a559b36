package io.github.descent4j.dl4j.layerwise.search;

/**
 * One fine-tuning run of a {@link LayerwiseSearch}: the searched point (log₁₀ multiplier per block), the
 * multipliers it stands for, the two validation accuracies, the objective value the optimiser was told,
 * whether the new-task constraint held, and the wall-clock seconds the run took.
 */
public record LayerwiseSearchTrial(double[] point, double[] multipliers, double oldAccuracy, double newAccuracy,
                                   double value, boolean feasible, double seconds) {

    public LayerwiseSearchTrial {
        point = point.clone();
        multipliers = multipliers.clone();
    }

    @Override
    public double[] point() {
        return point.clone();
    }

    @Override
    public double[] multipliers() {
        return multipliers.clone();
    }
}
