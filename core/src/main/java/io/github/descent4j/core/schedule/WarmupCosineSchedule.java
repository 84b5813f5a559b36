package io.github.descent4j.core.schedule;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

/**
 * Linear warmup then cosine decay to a floor (Loshchilov and Hutter 2017, "SGDR"; Goyal et al. 2017 for the warmup),
 * as a factor of the base learning rate, with t = 0, 1, … the index of the step (t = step − 1):
 * <pre>
 *   t &lt; W:  t / W                                         (so the first step uses 0, as torch's LambdaLR)
 *   t ≥ W:  r + (1 − r) · ½ (1 + cos(π · min(1, (t − W) / (T − W))))
 * </pre>
 * W warmup steps, T total steps, r the floor ratio (minRatio); steps past T stay at r.
 * Spec: {@code warmupCosine(warmupSteps=5, totalSteps=30, minRatio=0.0)}.
 */
public final class WarmupCosineSchedule implements LearningRateSchedule {
    /** Spec name. */
    public static final String NAME = "warmupCosine";

    private final long warmupSteps;
    private final long totalSteps;
    private final double minRatio;

    /**
     * @param warmupSteps W, >= 0
     * @param totalSteps T, > W
     * @param minRatio the floor r as a fraction of the base rate, in [0, 1]
     */
    public WarmupCosineSchedule(long warmupSteps, long totalSteps, double minRatio) {
        this.warmupSteps = ScheduleChecks.steps("warmupSteps", warmupSteps);
        this.totalSteps = ScheduleChecks.steps("totalSteps", totalSteps);
        if (totalSteps <= warmupSteps) {
            throw new InvalidHyperparameterException("warmupSteps", "warmupSteps must be < totalSteps (the cosine "
                    + "phase needs at least one step), got warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps);
        }
        this.minRatio = ScheduleChecks.ratio("minRatio", minRatio);
    }

    @Override
    public double factor(long step) {
        long t = step - 1;
        if (t < warmupSteps) {
            return (double) t / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (t - warmupSteps) / (totalSteps - warmupSteps));
        return minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    public long warmupSteps() {
        return warmupSteps;
    }

    public long totalSteps() {
        return totalSteps;
    }

    public double minRatio() {
        return minRatio;
    }

    @Override
    public String spec() {
        return NAME + "(warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", minRatio=" + minRatio + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s && s.warmupSteps == warmupSteps && s.totalSteps == totalSteps
                && Double.compare(s.minRatio, minRatio) == 0;
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
