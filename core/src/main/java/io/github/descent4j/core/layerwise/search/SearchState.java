package io.github.descent4j.core.layerwise.search;

import java.util.Arrays;
import java.util.List;

/**
 * Everything a {@link BayesianOptimiser} needs to continue a search: its settings, its seed and the trials
 * told so far. Plain values only, so a caller can serialise it (for example as JSON) after every trial and
 * hand it to {@link BayesianOptimiser#resume(SearchState)}; the resumed optimiser proposes exactly what the
 * uninterrupted one would have.
 */
public record SearchState(double[] lower, double[] upper, int initialDesign, int budget, long seed,
                          List<Trial> history) {

    public SearchState {
        lower = lower.clone();
        upper = upper.clone();
        history = List.copyOf(history);
    }

    @Override
    public double[] lower() {
        return lower.clone();
    }

    @Override
    public double[] upper() {
        return upper.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchState s && Arrays.equals(lower, s.lower) && Arrays.equals(upper, s.upper)
                && initialDesign == s.initialDesign && budget == s.budget && seed == s.seed
                && history.equals(s.history);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lower) * 31 + Arrays.hashCode(upper) + history.hashCode() + Long.hashCode(seed);
    }
}
