package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import io.github.descent4j.core.layerwise.search.BayesianOptimiser;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import io.github.descent4j.core.layerwise.search.LogMultiplierSpace;
import io.github.descent4j.core.layerwise.search.SearchState;
import io.github.descent4j.core.layerwise.search.Trial;
import io.github.descent4j.dl4j.layerwise.LayerwiseLearningRates;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Searches the layer-wise learning-rate distribution that forgets least when fine-tuning a pre-trained
 * DL4J network (Kenneweg et al. 2024, "Intelligent Learning Rate Distribution to reduce Catastrophic
 * Forgetting in Transformers"): Bayesian optimisation ({@link BayesianOptimiser}) over one log₁₀ multiplier
 * per trained layer or block ({@link LogMultiplierSpace}), each candidate evaluated by one fine-tuning run
 * under a fixed {@link FineTuneProtocol} and scored by old- and new-task validation accuracy under a
 * {@link ForgettingObjective} (maximise p_o subject to p_s ≥ p_s,flat − tolerance).
 * <pre>
 *   flat  ← run(protocol, multipliers 1)       (the constraint's threshold; told to the optimiser as design point 0)
 *   for t in 1..trials:
 *     x_t ← optimiser.ask();  net ← protocol.start();  LayerwiseLearningRates.apply(net, 10^x_t)
 *     protocol.train(net);    p_o, p_s ← scores(net)
 *     optimiser.tell(x_t, −p_o + penalty · max(0, p_s,flat − tolerance − p_s));  save state
 * </pre>
 * The result is the best trial (feasible first), or the flat rate when no trial beat it on validation.
 * With a state file the search rewrites it after every trial and, when it already exists, resumes from it
 * (same settings required, except that {@code trials} may grow). Within one JVM the same seed and a
 * deterministic protocol give the same search; across JVM runs DL4J's native kernels may differ in the last
 * bits, so a resumed search continues from the saved values rather than recomputing them.
 * Only {@code MultiLayerNetwork} for now. Design and defaults: {@code docs/layerwise-search.md}.
 */
public final class LayerwiseSearch {
    private final FineTuneProtocol protocol;
    private final ToDoubleFunction<MultiLayerNetwork> oldTask;
    private final ToDoubleFunction<MultiLayerNetwork> newTask;
    private final int blocks;
    private final double lowerMultiplier;
    private final double upperMultiplier;
    private final int initialDesign;
    private final int trials;
    private final long seed;
    private final ForgettingObjective objective;
    private final Path stateFile;
    private final Consumer<String> progress;

    private LayerwiseSearch(Builder b) {
        if (b.protocol == null) {
            throw new InvalidHyperparameterException("protocol", "the fine-tuning protocol is not set");
        }
        if (b.oldTask == null || b.newTask == null) {
            throw new InvalidHyperparameterException(b.oldTask == null ? "oldTask" : "newTask",
                    "the old- and new-task scores must both be set");
        }
        if (b.blocks < 0) {
            throw new InvalidHyperparameterException("blocks", "blocks must be >= 1, or 0 for one per trained layer; got "
                    + b.blocks);
        }
        // Validates bounds, design and trials now rather than after the first fine-tuning run.
        new SearchSettings(new LogMultiplierSpace(Math.max(1, b.blocks), b.lowerMultiplier, b.upperMultiplier),
                b.initialDesign, b.trials, b.seed, b.objective);
        this.protocol = b.protocol;
        this.oldTask = b.oldTask;
        this.newTask = b.newTask;
        this.blocks = b.blocks;
        this.lowerMultiplier = b.lowerMultiplier;
        this.upperMultiplier = b.upperMultiplier;
        this.initialDesign = b.initialDesign;
        this.trials = b.trials;
        this.seed = b.seed;
        this.objective = b.objective;
        this.stateFile = b.stateFile;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs (or resumes) the search to its budget. */
    public LayerwiseSearchResult run() {
        long started = System.nanoTime();
        MultiLayerNetwork probe = protocol.start();
        Map<Integer, Double> applied = LayerwiseLearningRates.apply(probe, LearningRateDistribution.flat());
        List<String> layers = applied.keySet().stream().map(String::valueOf).toList();
        SearchSettings settings = new SearchSettings(
                new LogMultiplierSpace(blocks == 0 ? layers.size() : blocks, lowerMultiplier, upperMultiplier),
                initialDesign, trials, seed, objective);

        SearchStateFile.Saved saved = loadIfPresent(settings, layers);
        LayerwiseSearchResult.Baseline flat;
        List<LayerwiseSearchTrial> done = new ArrayList<>();
        if (saved != null) {
            flat = saved.flat();
            done.addAll(saved.trials());
            progress.accept(String.format(Locale.ROOT, "resumed %s: %d of %d trials done, flat baseline old %.3f new %.3f",
                    stateFile, done.size(), trials, flat.oldAccuracy(), flat.newAccuracy()));
        } else {
            long t0 = System.nanoTime();
            protocol.train(probe);
            flat = new LayerwiseSearchResult.Baseline(score(oldTask, probe, "oldTask"), score(newTask, probe, "newTask"),
                    seconds(t0));
            progress.accept(String.format(Locale.ROOT, "flat baseline: old %.3f new %.3f (constraint: new >= %.3f)",
                    flat.oldAccuracy(), flat.newAccuracy(), flat.newAccuracy() - objective.tolerance()));
        }
        // The flat run is an observation like any other: told first, it is point 0 of the initial design (the
        // Latin hypercube supplies the other initialDesign - 1 points) and the GP knows the baseline's region.
        LogMultiplierSpace space = settings.space();
        List<Trial> history = new ArrayList<>();
        if (flatInBounds()) {
            history.add(new Trial(space.flatPoint(), objective.value(flat.oldAccuracy(), flat.newAccuracy(),
                    flat.newAccuracy())));
        }
        int told = history.size();
        for (LayerwiseSearchTrial t : done) {
            history.add(new Trial(t.point(), t.value()));
        }
        BayesianOptimiser optimiser = BayesianOptimiser.resume(new SearchState(space.lower(), space.upper(),
                initialDesign, trials + told, seed, history));
        save(settings, layers, flat, done);
        while (!optimiser.done()) {
            long t0 = System.nanoTime();
            double[] point = optimiser.ask();
            MultiLayerNetwork net = protocol.start();
            LayerwiseLearningRates.apply(net, space.distribution(point));
            protocol.train(net);
            double pOld = score(oldTask, net, "oldTask");
            double pNew = score(newTask, net, "newTask");
            double value = objective.value(pOld, pNew, flat.newAccuracy());
            optimiser.tell(point, value);
            done.add(new LayerwiseSearchTrial(point, space.multipliers(point), pOld, pNew, value,
                    objective.feasible(pNew, flat.newAccuracy()), seconds(t0)));
            save(settings, layers, flat, done);
            progress.accept(progressLine(done, started, initialDesign - told));
        }
        LayerwiseSearchTrial best = bestWithFlat(done, flat, space);
        return new LayerwiseSearchResult(layers, flat, done, best, !done.contains(best));
    }

    /**
     * The best trial, or the flat rate itself (as a trial at multipliers 1) when no trial beats it and 1 lies
     * within the bounds: the search never hands back a distribution that did worse on validation than the
     * baseline it was measured against.
     */
    private LayerwiseSearchTrial bestWithFlat(List<LayerwiseSearchTrial> done, LayerwiseSearchResult.Baseline flat,
                                              LogMultiplierSpace space) {
        LayerwiseSearchTrial best = best(done);
        if (!flatInBounds()) {
            return best;
        }
        double[] ones = new double[space.blocks()];
        Arrays.fill(ones, 1.0);
        LayerwiseSearchTrial flatTrial = new LayerwiseSearchTrial(new double[space.blocks()], ones, flat.oldAccuracy(),
                flat.newAccuracy(), objective.value(flat.oldAccuracy(), flat.newAccuracy(), flat.newAccuracy()), true,
                flat.seconds());
        return objective.isBetter(best.feasible(), best.value(), true, flatTrial.value()) ? best : flatTrial;
    }

    private boolean flatInBounds() {
        return lowerMultiplier <= 1.0 && upperMultiplier >= 1.0;
    }

    private String progressLine(List<LayerwiseSearchTrial> done, long started, int designTrials) {
        LayerwiseSearchTrial last = done.get(done.size() - 1);
        LayerwiseSearchTrial best = best(done);
        double perTrial = 0;
        for (LayerwiseSearchTrial t : done) {
            perTrial += t.seconds();
        }
        perTrial /= done.size();
        int t = done.size();
        return String.format(Locale.ROOT, "trial %d/%d (%s) multipliers %s  old %.3f new %.3f%s | best old %.3f new %.3f%s"
                        + " | %.0f s elapsed, about %.0f s left",
                t, trials, t <= designTrials ? "design" : "BO", format(last.multipliers()), last.oldAccuracy(),
                last.newAccuracy(), last.feasible() ? "" : " (infeasible)", best.oldAccuracy(), best.newAccuracy(),
                best.feasible() ? "" : " (infeasible)", seconds(started), perTrial * (trials - t));
    }

    private LayerwiseSearchTrial best(List<LayerwiseSearchTrial> done) {
        LayerwiseSearchTrial best = done.get(0);
        for (LayerwiseSearchTrial t : done) {
            if (objective.isBetter(t.feasible(), t.value(), best.feasible(), best.value())) {
                best = t;
            }
        }
        return best;
    }

    private SearchStateFile.Saved loadIfPresent(SearchSettings settings, List<String> layers) {
        if (stateFile == null || !Files.exists(stateFile)) {
            return null;
        }
        try {
            SearchStateFile.Saved saved = SearchStateFile.read(stateFile);
            String mismatch = settings.mismatch(saved.settings());
            if (mismatch != null) {
                throw new InvalidHyperparameterException("stateFile", stateFile + " holds a search with " + mismatch
                        + "; resume with the same settings or use another state file");
            }
            if (!saved.layers().equals(layers)) {
                throw new InvalidHyperparameterException("stateFile", stateFile + " was searched over layers "
                        + saved.layers() + " but this network trains " + layers);
            }
            if (saved.trials().size() > trials) {
                throw new InvalidHyperparameterException("trials", stateFile + " already holds " + saved.trials().size()
                        + " trials; trials must be at least that, got " + trials);
            }
            return saved;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the search state " + stateFile, e);
        }
    }

    private void save(SearchSettings settings, List<String> layers, LayerwiseSearchResult.Baseline flat,
                      List<LayerwiseSearchTrial> done) {
        if (stateFile == null) {
            return;
        }
        try {
            SearchStateFile.write(stateFile, new SearchStateFile.Saved(settings, layers, flat, done));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the search state " + stateFile, e);
        }
    }

    private static double score(ToDoubleFunction<MultiLayerNetwork> task, MultiLayerNetwork net, String name) {
        double v = task.applyAsDouble(net);
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalStateException(name + " score must be an accuracy in [0, 1], got " + v);
        }
        return v;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String format(double[] values) {
        String[] parts = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            parts[i] = String.format(Locale.ROOT, "%.3g", values[i]);
        }
        return Arrays.toString(parts).replace(" ", "");
    }

    /**
     * Defaults: one block per trained layer, multipliers in [10⁻³, 10], initial design 8, 24 trials, seed 0,
     * {@link ForgettingObjective#DEFAULT}, no state file, no progress output.
     */
    public static final class Builder {
        private FineTuneProtocol protocol;
        private ToDoubleFunction<MultiLayerNetwork> oldTask;
        private ToDoubleFunction<MultiLayerNetwork> newTask;
        private int blocks;
        private double lowerMultiplier = LogMultiplierSpace.DEFAULT_LOWER;
        private double upperMultiplier = LogMultiplierSpace.DEFAULT_UPPER;
        private int initialDesign = 8;
        private int trials = 24;
        private long seed;
        private ForgettingObjective objective = ForgettingObjective.DEFAULT;
        private Path stateFile;
        private Consumer<String> progress = line -> { };

        private Builder() {}

        public Builder protocol(FineTuneProtocol protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Old-task validation accuracy p_o of a fine-tuned network, in [0, 1] (e.g. {@link TaskAccuracy}). */
        public Builder oldTask(ToDoubleFunction<MultiLayerNetwork> score) {
            this.oldTask = score;
            return this;
        }

        /** New-task validation accuracy p_s of a fine-tuned network, in [0, 1]. */
        public Builder newTask(ToDoubleFunction<MultiLayerNetwork> score) {
            this.newTask = score;
            return this;
        }

        /** Number of searched multipliers (resampled over the depth); 0 (default) for one per trained layer. */
        public Builder blocks(int blocks) {
            this.blocks = blocks;
            return this;
        }

        /** Multiplier bounds around the protocol's base rate, 0 < lower < upper. */
        public Builder bounds(double lowerMultiplier, double upperMultiplier) {
            this.lowerMultiplier = lowerMultiplier;
            this.upperMultiplier = upperMultiplier;
            return this;
        }

        public Builder initialDesign(int points) {
            this.initialDesign = points;
            return this;
        }

        /** Trials after the flat baseline, ≥ the initial design. */
        public Builder trials(int trials) {
            this.trials = trials;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder objective(ForgettingObjective objective) {
            this.objective = objective;
            return this;
        }

        /** Rewritten after every trial; resumed from when it exists. */
        public Builder stateFile(Path file) {
            this.stateFile = file;
            return this;
        }

        /** Receives one line per trial (and one for the baseline). */
        public Builder progress(Consumer<String> lines) {
            this.progress = lines == null ? line -> { } : lines;
            return this;
        }

        public LayerwiseSearch build() {
            return new LayerwiseSearch(this);
        }
    }
}
