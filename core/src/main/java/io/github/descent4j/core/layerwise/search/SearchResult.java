package io.github.descent4j.core.layerwise.search;

import java.util.List;

/** The outcome of {@link BayesianOptimiser#minimise}: the best trial and every trial in order. */
public record SearchResult(Trial best, List<Trial> history) {

    public SearchResult {
        history = List.copyOf(history);
    }

    public double[] bestPoint() {
        return best.point();
    }

    public double bestValue() {
        return best.value();
    }
}
