package io.github.descent4j.core.schedule;

import io.github.descent4j.core.InvalidHyperparameterException;

/**
 * Warmup-stable-decay (WSD; Hu et al. 2024, "MiniCPM"), as a factor of the base learning rate, with t = step − 1:
 * <pre>
 *   D = T − round(f · T)                     (decay start; round half to even, as Python's round)
 *   t &lt; W:      t / W
 *   t &lt; D:      1
 *   otherwise:  1 − (1 − r) · min(1, (t − D) / (T − D))      (linear decay to r, then r)
 * </pre>
 * W warmup steps, T total steps, f the decay fraction, r the floor ratio.
 * Spec: {@code warmupStableDecay(warmupSteps=4, totalSteps=25, decayFraction=0.2, minRatio=0.0)}.
 */
public final class WarmupStableDecaySchedule implements LearningRateSchedule {
    /** Spec name. */
    public static final String NAME = "warmupStableDecay";

    private final long warmupSteps;
    private final long totalSteps;
    private final double decayFraction;
    private final double minRatio;
    private final long decayStart;

    /**
     * @param warmupSteps W, >= 0 and at most the decay start
     * @param totalSteps T, >= 1
     * @param decayFraction f in (0, 1], with round(f·T) >= 1 so that the decay has a step
     * @param minRatio r in [0, 1]
     */
    public WarmupStableDecaySchedule(long warmupSteps, long totalSteps, double decayFraction, double minRatio) {
        this.warmupSteps = ScheduleChecks.steps("warmupSteps", warmupSteps);
        this.totalSteps = ScheduleChecks.steps("totalSteps", totalSteps);
        if (totalSteps < 1) {
            throw new InvalidHyperparameterException("totalSteps", "totalSteps must be >= 1, got " + totalSteps);
        }
        if (!(decayFraction > 0 && decayFraction <= 1)) {
            throw new InvalidHyperparameterException("decayFraction", "decayFraction must be in (0, 1], got " + decayFraction);
        }
        long decaySteps = (long) Math.rint(decayFraction * totalSteps);
        if (decaySteps < 1) {
            throw new InvalidHyperparameterException("decayFraction", "decayFraction * totalSteps must round to at least "
                    + "one decay step, got " + decayFraction + " * " + totalSteps);
        }
        this.decayStart = totalSteps - decaySteps;
        if (warmupSteps > decayStart) {
            throw new InvalidHyperparameterException("warmupSteps", "warmupSteps must be <= the decay start "
                    + decayStart + " (totalSteps − round(decayFraction·totalSteps)), got " + warmupSteps);
        }
        this.decayFraction = decayFraction;
        this.minRatio = ScheduleChecks.ratio("minRatio", minRatio);
    }

    @Override
    public double factor(long step) {
        long t = step - 1;
        if (t < warmupSteps) {
            return (double) t / warmupSteps;
        }
        if (t < decayStart) {
            return 1.0;
        }
        return 1 - (1 - minRatio) * Math.min(1.0, (double) (t - decayStart) / (totalSteps - decayStart));
    }

    /** The first step index of the decay, T − round(f·T). */
    public long decayStart() {
        return decayStart;
    }

    public long warmupSteps() {
        return warmupSteps;
    }

    public long totalSteps() {
        return totalSteps;
    }

    public double decayFraction() {
        return decayFraction;
    }

    public double minRatio() {
        return minRatio;
    }

    @Override
    public String spec() {
        return NAME + "(warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", decayFraction=" + decayFraction
                + ", minRatio=" + minRatio + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupStableDecaySchedule s && s.spec().equals(spec());
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
