package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.core.schedule.LearningRateSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Warmup-stable-decay (Hu et al. 2024, "MiniCPM") as a DL4J learning-rate schedule (the arithmetic is
 * {@link io.github.descent4j.core.schedule.WarmupStableDecaySchedule}'s; i the iteration or epoch, from 0):
 * <pre>
 *   D = T − round(f·T);   i &lt; W: base · i / W;   i &lt; D: base;   otherwise base · (1 − (1 − r) · min(1, (i − D) / (T − D)))
 * </pre>
 */
public final class WarmupStableDecaySchedule extends CoreSchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("baseLearningRate")
    private final double baseLearningRate;
    @JsonProperty("warmupSteps")
    private final long warmupSteps;
    @JsonProperty("totalSteps")
    private final long totalSteps;
    @JsonProperty("decayFraction")
    private final double decayFraction;
    @JsonProperty("minRatio")
    private final double minRatio;

    /**
     * @param scheduleType whether i counts iterations or epochs
     * @param baseLearningRate the stable rate, finite and &gt; 0
     * @param warmupSteps W, at most the decay start
     * @param totalSteps T, &gt;= 1
     * @param decayFraction f in (0, 1], rounding to at least one decay step
     * @param minRatio the floor r, in [0, 1]
     */
    @JsonCreator
    public WarmupStableDecaySchedule(@JsonProperty("scheduleType") ScheduleType scheduleType,
                                     @JsonProperty("baseLearningRate") double baseLearningRate,
                                     @JsonProperty("warmupSteps") long warmupSteps, @JsonProperty("totalSteps") long totalSteps,
                                     @JsonProperty("decayFraction") double decayFraction, @JsonProperty("minRatio") double minRatio) {
        super(scheduleType);
        this.baseLearningRate = rate("baseLearningRate", baseLearningRate);
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.decayFraction = decayFraction;
        this.minRatio = minRatio;
        core();
    }

    @Override
    protected LearningRateSchedule createCore() {
        return new io.github.descent4j.core.schedule.WarmupStableDecaySchedule(warmupSteps, totalSteps, decayFraction, minRatio);
    }

    @Override
    protected double scale() {
        return baseLearningRate;
    }

    @Override
    public WarmupStableDecaySchedule clone() {
        return new WarmupStableDecaySchedule(scheduleType, baseLearningRate, warmupSteps, totalSteps, decayFraction, minRatio);
    }
}
