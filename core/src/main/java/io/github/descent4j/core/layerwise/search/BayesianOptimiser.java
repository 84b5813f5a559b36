package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Bayesian optimisation that <b>minimises</b> a black-box function over a box (to maximise, minimise the
 * negation). The first {@code initialDesign} proposals are a seeded {@link LatinHypercube} design; every
 * later proposal fits a {@link GaussianProcess} (Matérn 5/2, hyperparameters by marginal likelihood, see
 * {@link HyperparameterFit}) to all trials so far and maximises {@link ExpectedImprovement}
 * ({@link AcquisitionMaximiser}). The search stops after {@code budget} trials.
 * <p>
 * Every proposal is a pure function of the settings, the seed and the history (trial t draws from a random
 * stream seeded by (seed, t)), so {@link #resume(SearchState)} continues a stopped search exactly and
 * calling {@link #ask()} twice without a {@link #tell} returns the same point. The search is our design:
 * Kenneweg et al. (2024) use Bayesian optimisation without specifying it (see
 * {@code docs/layerwise-search.md}).
 */
public final class BayesianOptimiser {

    private static final int HYPERPARAMETER_RESTARTS = 3;

    private final double[] lower;
    private final double[] upper;
    private final int initialDesign;
    private final int budget;
    private final long seed;
    private final List<Trial> history = new ArrayList<>();

    private BayesianOptimiser(double[] lower, double[] upper, int initialDesign, int budget, long seed,
                              List<Trial> history) {
        validate(lower, upper, initialDesign, budget);
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.initialDesign = initialDesign;
        this.budget = budget;
        this.seed = seed;
        for (Trial t : history) {
            tell(t.point(), t.value());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Continues the search recorded in {@code state}; the next proposals equal those of an uninterrupted run. */
    public static BayesianOptimiser resume(SearchState state) {
        return new BayesianOptimiser(state.lower(), state.upper(), state.initialDesign(), state.budget(),
                state.seed(), state.history());
    }

    /** The next point to evaluate, in the caller's coordinates. */
    public double[] ask() {
        int t = history.size();
        if (t >= budget) {
            throw new IllegalStateException("budget of " + budget + " trials is exhausted");
        }
        double[] unit;
        if (t < initialDesign) {
            unit = LatinHypercube.sample(initialDesign, lower.length, new Random(seed))[t];
        } else {
            Random random = new Random(seed * 0x9E3779B97F4A7C15L + t);
            double[][] inputs = new double[t][];
            double[] targets = new double[t];
            for (int i = 0; i < t; i++) {
                inputs[i] = toUnit(history.get(i).point());
                targets[i] = history.get(i).value();
            }
            GaussianProcess gp = new HyperparameterFit(HYPERPARAMETER_RESTARTS).fit(inputs, targets, random);
            unit = AcquisitionMaximiser.maximise(gp, inputs, targets, random);
        }
        return fromUnit(unit);
    }

    /**
     * Records the objective's value at {@code point} (normally the last {@link #ask()}).
     *
     * @throws InvalidHyperparameterException if the point has the wrong dimension or lies outside the bounds,
     *                                        or the value is not finite
     */
    public void tell(double[] point, double value) {
        if (point.length != lower.length) {
            throw new InvalidHyperparameterException("point", "point must have " + lower.length
                    + " coordinates, got " + point.length);
        }
        for (int i = 0; i < point.length; i++) {
            if (!(point[i] >= lower[i] && point[i] <= upper[i])) {
                throw new InvalidHyperparameterException("point", "point[" + i + "] must be in [" + lower[i]
                        + ", " + upper[i] + "], got " + point[i]);
            }
        }
        Check.finite("value", value);
        history.add(new Trial(point, value));
    }

    /** Asks, evaluates and tells until the budget is spent; returns the best trial and the history. */
    public SearchResult minimise(ToDoubleFunction<double[]> objective) {
        while (history.size() < budget) {
            double[] x = ask();
            tell(x, objective.applyAsDouble(x.clone()));
        }
        return new SearchResult(best(), history);
    }

    /** The trial with the lowest value so far (the first of equals). */
    public Trial best() {
        if (history.isEmpty()) {
            throw new IllegalStateException("no trials yet");
        }
        Trial best = history.get(0);
        for (Trial t : history) {
            if (t.value() < best.value()) {
                best = t;
            }
        }
        return best;
    }

    public boolean done() {
        return history.size() >= budget;
    }

    public List<Trial> history() {
        return List.copyOf(history);
    }

    /** Settings, seed and history: enough to {@link #resume} this search. */
    public SearchState state() {
        return new SearchState(lower, upper, initialDesign, budget, seed, history);
    }

    private double[] toUnit(double[] x) {
        double[] u = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            u[i] = (x[i] - lower[i]) / (upper[i] - lower[i]);
        }
        return u;
    }

    private double[] fromUnit(double[] u) {
        double[] x = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            x[i] = Math.min(Math.max(lower[i] + u[i] * (upper[i] - lower[i]), lower[i]), upper[i]);
        }
        return x;
    }

    private static void validate(double[] lower, double[] upper, int initialDesign, int budget) {
        if (lower == null || upper == null) {
            throw new InvalidHyperparameterException("bounds", "bounds must be set (lower and upper)");
        }
        if (lower.length == 0) {
            throw new InvalidHyperparameterException("bounds", "bounds must have >= 1 dimension, got 0");
        }
        if (lower.length != upper.length) {
            throw new InvalidHyperparameterException("bounds", "lower and upper bounds must have the same length, got "
                    + lower.length + " and " + upper.length);
        }
        for (int i = 0; i < lower.length; i++) {
            Check.finite("lower[" + i + "]", lower[i]);
            Check.finite("upper[" + i + "]", upper[i]);
            if (!(lower[i] < upper[i])) {
                throw new InvalidHyperparameterException("bounds", "bounds must have lower[" + i + "] < upper["
                        + i + "], got " + lower[i] + " and " + upper[i]);
            }
        }
        Check.atLeast("initialDesign", initialDesign, 1);
        if (budget < initialDesign) {
            throw new InvalidHyperparameterException("budget", "budget must be >= initialDesign (" + initialDesign
                    + "), got " + budget);
        }
    }

    /** Settings of a new search; defaults: initial design 10, budget 40, seed 0. */
    public static final class Builder {
        private double[] lower;
        private double[] upper;
        private int initialDesign = 10;
        private int budget = 40;
        private long seed;

        private Builder() {}

        public Builder bounds(double[] lower, double[] upper) {
            this.lower = lower == null ? null : lower.clone();
            this.upper = upper == null ? null : upper.clone();
            return this;
        }

        public Builder initialDesign(int n) {
            this.initialDesign = n;
            return this;
        }

        public Builder budget(int trials) {
            this.budget = trials;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public BayesianOptimiser build() {
            return new BayesianOptimiser(lower, upper, initialDesign, budget, seed, List.of());
        }
    }
}
