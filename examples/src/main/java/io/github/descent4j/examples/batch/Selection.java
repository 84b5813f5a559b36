package io.github.descent4j.examples.batch;

import io.github.descent4j.examples.batch.BatchExperiment.Config;
import io.github.descent4j.examples.batch.BatchExperiment.Run;
import io.github.descent4j.examples.batch.BatchExperiment.Schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import static io.github.descent4j.examples.batch.BatchExperiment.OPTIMISERS;

/** How {@link #select} trades an adaptive schedule's steps against its accuracy on the tuning problem. */
enum Selection {
    /** The fewest steps among runs at most the tolerance less accurate than the constant batch. */
    ACCURACY,
    /** The most accurate among runs with at least the step ratio fewer steps than the constant batch. */
    STEPS;

    /**
     * The chosen configuration of every optimiser &times; schedule, from the tuning runs. A constant batch takes
     * its most accurate learning rate. An adaptive schedule keeps the runs that satisfy one half of the seed's
     * target against that constant batch and optimises the other: {@link Selection#ACCURACY} keeps runs at most
     * {@code tolerance} less accurate and takes the fewest steps; {@link Selection#STEPS} keeps runs with at least
     * {@code stepRatio} times fewer steps and takes the most accurate. If no run qualifies it takes the best
     * run by the kept criterion (most accurate, resp. fewest steps). Accuracy ties go to the lower loss, remaining
     * ties to the earlier grid entry.
     */
    static List<Config> select(List<Run> tuning, Selection selection, double tolerance, double stepRatio) {
        List<Config> chosen = new ArrayList<>();
        for (String optimiser : OPTIMISERS) {
            Run constant = null;
            for (Schedule schedule : Schedule.values()) {
                List<Run> candidates = tuning.stream()
                        .filter(r -> r.optimiser().equals(optimiser) && r.schedule() == schedule).toList();
                if (candidates.isEmpty()) {
                    throw new IllegalArgumentException("no tuning runs for " + optimiser + " / " + schedule.label);
                }
                if (schedule == Schedule.CONSTANT) {
                    constant = best(candidates, r -> true, BY_ACCURACY, BY_ACCURACY);
                    chosen.add(constant.config());
                    continue;
                }
                double floor = constant.finalAccuracy() - tolerance - 1e-12;
                double maxSteps = constant.steps() / stepRatio;
                Run pick = selection == Selection.ACCURACY
                        ? best(candidates, r -> r.finalAccuracy() >= floor, BY_STEPS.thenComparing(BY_ACCURACY), BY_ACCURACY)
                        : best(candidates, r -> r.steps() <= maxSteps, BY_ACCURACY.thenComparing(BY_STEPS), BY_STEPS);
                chosen.add(pick.config());
            }
        }
        return chosen;
    }

    /**
     * Better runs compare smaller. Accuracy ties (common on a few hundred validation examples) go to the lower
     * loss rather than to the grid order.
     */
    private static final Comparator<Run> BY_ACCURACY = Comparator.<Run>comparingDouble(r -> -r.finalAccuracy())
            .thenComparingDouble(Run::finalLoss);
    private static final Comparator<Run> BY_STEPS = Comparator.comparingLong(Run::steps);

    /** The first best qualifying run by {@code order}, or, if none qualifies, the first best by {@code fallback}. */
    private static Run best(List<Run> runs, Predicate<Run> qualifies, Comparator<Run> order, Comparator<Run> fallback) {
        Run best = null;
        for (Run r : runs) {
            if (qualifies.test(r) && (best == null || order.compare(r, best) < 0)) {
                best = r;
            }
        }
        if (best != null) {
            return best;
        }
        for (Run r : runs) {
            if (best == null || fallback.compare(r, best) < 0) {
                best = r;
            }
        }
        return best;
    }
}
