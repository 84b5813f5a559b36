package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.schedule.LearningRateSchedule;

/**
 * Linear warmup then cosine decay to a floor as an OLCUT component: the factor of
 * {@link io.github.descent4j.core.schedule.WarmupCosineSchedule} (t = 0, 1, … the step index):
 * {@code t/W} during warmup, then {@code r + (1 − r) · ½(1 + cos(π · min(1, (t − W)/(T − W))))}.
 */
public final class WarmupCosineSchedule implements ConfiguredSchedule {
    @Config(mandatory = true, description = "Warmup steps W, >= 0 and < totalSteps.")
    private long warmupSteps;
    @Config(mandatory = true, description = "Total steps T of the schedule; later steps stay at the floor.")
    private long totalSteps;
    @Config(description = "The floor r as a fraction of the learning rate, in [0, 1].")
    private double minRatio = 0.0;

    private LearningRateSchedule schedule;

    /** For OLCUT. */
    private WarmupCosineSchedule() {}

    /** See {@link io.github.descent4j.core.schedule.WarmupCosineSchedule#WarmupCosineSchedule(long, long, double)}. */
    public WarmupCosineSchedule(long warmupSteps, long totalSteps, double minRatio) {
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minRatio = minRatio;
        postConfig();
    }

    @Override
    public void postConfig() {
        ScheduleValidation.configured(() -> schedule = new io.github.descent4j.core.schedule.WarmupCosineSchedule(warmupSteps,
                totalSteps, minRatio));
    }

    @Override
    public LearningRateSchedule schedule() {
        return schedule;
    }

    @Override
    public WarmupCosineSchedule copy() {
        return new WarmupCosineSchedule(warmupSteps, totalSteps, minRatio);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "LearningRateSchedule");
    }

    @Override
    public String toString() {
        return schedule.spec();
    }
}
