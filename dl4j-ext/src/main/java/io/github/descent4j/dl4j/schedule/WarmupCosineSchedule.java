package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.core.schedule.LearningRateSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup then cosine decay to a floor, as a DL4J learning-rate schedule (the arithmetic is
 * {@link io.github.descent4j.core.schedule.WarmupCosineSchedule}'s; i the iteration or epoch, from 0):
 * <pre>
 *   i &lt; W:  base · i / W;     otherwise:  base · (r + (1 − r) · ½ (1 + cos(π · min(1, (i − W) / (T − W)))))
 * </pre>
 * <pre>
 *   .updater(AdamW.builder().learningRateSchedule(new WarmupCosineSchedule(ScheduleType.ITERATION, 1e-3, 500, 10_000, 0.1)).build())
 * </pre>
 */
public final class WarmupCosineSchedule extends CoreSchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("baseLearningRate")
    private final double baseLearningRate;
    @JsonProperty("warmupSteps")
    private final long warmupSteps;
    @JsonProperty("totalSteps")
    private final long totalSteps;
    @JsonProperty("minRatio")
    private final double minRatio;

    /**
     * @param scheduleType whether i counts iterations or epochs
     * @param baseLearningRate the peak rate after warmup, finite and &gt; 0
     * @param warmupSteps W, &gt;= 0
     * @param totalSteps T, &gt; W
     * @param minRatio the floor r as a fraction of the base, in [0, 1]
     */
    @JsonCreator
    public WarmupCosineSchedule(@JsonProperty("scheduleType") ScheduleType scheduleType,
                                @JsonProperty("baseLearningRate") double baseLearningRate,
                                @JsonProperty("warmupSteps") long warmupSteps, @JsonProperty("totalSteps") long totalSteps,
                                @JsonProperty("minRatio") double minRatio) {
        super(scheduleType);
        this.baseLearningRate = rate("baseLearningRate", baseLearningRate);
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minRatio = minRatio;
        core();
    }

    @Override
    protected LearningRateSchedule createCore() {
        return new io.github.descent4j.core.schedule.WarmupCosineSchedule(warmupSteps, totalSteps, minRatio);
    }

    @Override
    protected double scale() {
        return baseLearningRate;
    }

    @Override
    public WarmupCosineSchedule clone() {
        return new WarmupCosineSchedule(scheduleType, baseLearningRate, warmupSteps, totalSteps, minRatio);
    }
}
