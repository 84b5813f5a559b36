package io.github.descent4j.testkit;

import io.github.descent4j.core.schedule.LearningRateSchedule;
import io.github.descent4j.core.schedule.OneCycleSchedule;
import io.github.descent4j.core.schedule.WarmupCosineSchedule;
import io.github.descent4j.core.schedule.WarmupStableDecaySchedule;

import java.util.List;

/** Reads a {@code schedule} golden case into descent4j-core's schedule and its base (or peak) learning rate. */
public final class GoldenSchedules {
    /** The schedule algorithms of the format. */
    public static final List<String> ALGORITHMS = List.of("WarmupCosine", "WarmupStableDecay", "OneCycle");

    private GoldenSchedules() {}

    /** A case's schedule and the learning rate its factor multiplies. */
    public record Schedule(LearningRateSchedule schedule, double learningRate) {}

    /**
     * @return the schedule, or null for an algorithm outside {@link #ALGORITHMS}
     * @throws IllegalArgumentException for a OneCycle case with an anneal strategy other than cos or linear
     */
    public static Schedule of(GoldenCase c) {
        switch (c.algorithm()) {
            case "WarmupCosine":
                return new Schedule(new WarmupCosineSchedule(steps(c, "warmupSteps"), steps(c, "totalSteps"),
                        c.hyperparameter("minRatio", 0.0)), c.hyperparameter("baseLearningRate"));
            case "WarmupStableDecay":
                return new Schedule(new WarmupStableDecaySchedule(steps(c, "warmupSteps"), steps(c, "totalSteps"),
                        c.hyperparameter("decayFraction"), c.hyperparameter("minRatio", 0.0)), c.hyperparameter("baseLearningRate"));
            case "OneCycle": {
                String anneal = c.text("anneal", "cos");
                if (!anneal.equals("cos") && !anneal.equals("linear")) {
                    throw new IllegalArgumentException(c.name() + ": unknown anneal strategy '" + anneal + "'");
                }
                return new Schedule(new OneCycleSchedule(steps(c, "totalSteps"), c.hyperparameter("pctStart", 0.3),
                        c.hyperparameter("divFactor", 25.0), c.hyperparameter("finalDivFactor", 1e4), c.flag("threePhase", false),
                        anneal.equals("linear"), c.hyperparameter("baseMomentum", 0.85), c.hyperparameter("maxMomentum", 0.95)),
                        c.hyperparameter("maxLearningRate"));
            }
            default:
                return null;
        }
    }

    private static long steps(GoldenCase c, String name) {
        double v = c.hyperparameter(name);
        if (v != Math.rint(v)) {
            throw new IllegalArgumentException(c.name() + ": " + name + " must be a whole number, got " + v);
        }
        return (long) v;
    }
}
