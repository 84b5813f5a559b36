package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.schedule.LearningRateSchedule;

/**
 * Warmup-stable-decay (Hu et al. 2024, "MiniCPM") as an OLCUT component: the factor of
 * {@link io.github.descent4j.core.schedule.WarmupStableDecaySchedule} — linear warmup, constant, then a linear decay
 * over the last round(f·T) steps to the floor r.
 */
public final class WarmupStableDecaySchedule implements ConfiguredSchedule {
    @Config(mandatory = true, description = "Warmup steps W, >= 0 and at most the decay start.")
    private long warmupSteps;
    @Config(mandatory = true, description = "Total steps T of the schedule.")
    private long totalSteps;
    @Config(description = "Fraction f of the total spent decaying, in (0, 1].")
    private double decayFraction = 0.2;
    @Config(description = "The floor r as a fraction of the learning rate, in [0, 1].")
    private double minRatio = 0.0;

    private LearningRateSchedule schedule;

    /** For OLCUT. */
    private WarmupStableDecaySchedule() {}

    /** See {@link io.github.descent4j.core.schedule.WarmupStableDecaySchedule}. */
    public WarmupStableDecaySchedule(long warmupSteps, long totalSteps, double decayFraction, double minRatio) {
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.decayFraction = decayFraction;
        this.minRatio = minRatio;
        postConfig();
    }

    @Override
    public void postConfig() {
        ScheduleValidation.configured(() -> schedule = new io.github.descent4j.core.schedule.WarmupStableDecaySchedule(
                warmupSteps, totalSteps, decayFraction, minRatio));
    }

    @Override
    public LearningRateSchedule schedule() {
        return schedule;
    }

    @Override
    public WarmupStableDecaySchedule copy() {
        return new WarmupStableDecaySchedule(warmupSteps, totalSteps, decayFraction, minRatio);
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
