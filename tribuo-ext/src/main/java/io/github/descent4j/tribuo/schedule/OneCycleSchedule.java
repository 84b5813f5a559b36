package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.schedule.LearningRateSchedule;

/**
 * The one-cycle policy (Smith and Topin 2019) with torch's {@code OneCycleLR} arithmetic as an OLCUT component
 * ({@link io.github.descent4j.core.schedule.OneCycleSchedule}): a factor of the optimiser's learning rate, which is
 * the peak (torch's {@code max_lr}), and, when {@link #cycleMomentum}, the momentum or Adam's β₁ of each step.
 */
public final class OneCycleSchedule implements ConfiguredSchedule {
    @Config(mandatory = true, description = "Total steps T of the cycle (torch's total_steps); later steps are refused.")
    private long totalSteps;
    @Config(description = "Fraction of the cycle spent raising the learning rate, in (0, 1).")
    private double pctStart = 0.3;
    @Config(description = "Initial rate = peak / divFactor, > 0.")
    private double divFactor = 25.0;
    @Config(description = "Final rate = initial / finalDivFactor, > 0.")
    private double finalDivFactor = 1e4;
    @Config(description = "torch's three_phase.")
    private boolean threePhase = false;
    @Config(description = "Linear instead of cosine annealing.")
    private boolean linearAnneal = false;
    @Config(description = "Cycle the momentum (Adam's β₁) inversely to the learning rate, as torch's cycle_momentum.")
    private boolean cycleMomentum = true;
    @Config(description = "Momentum at the peak learning rate, in [0, 1).")
    private double baseMomentum = 0.85;
    @Config(description = "Momentum at the start and end of the cycle, in [0, 1).")
    private double maxMomentum = 0.95;

    private io.github.descent4j.core.schedule.OneCycleSchedule schedule;

    /** For OLCUT. */
    private OneCycleSchedule() {}

    /** torch's defaults, cycling momentum. */
    public OneCycleSchedule(long totalSteps) {
        this.totalSteps = totalSteps;
        postConfig();
    }

    /** See {@link io.github.descent4j.core.schedule.OneCycleSchedule} for the ranges. */
    public OneCycleSchedule(long totalSteps, double pctStart, double divFactor, double finalDivFactor, boolean threePhase,
                            boolean linearAnneal, boolean cycleMomentum, double baseMomentum, double maxMomentum) {
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
        this.threePhase = threePhase;
        this.linearAnneal = linearAnneal;
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
        postConfig();
    }

    @Override
    public void postConfig() {
        ScheduleValidation.configured(() -> schedule = new io.github.descent4j.core.schedule.OneCycleSchedule(totalSteps, pctStart,
                divFactor, finalDivFactor, threePhase, linearAnneal, baseMomentum, maxMomentum));
    }

    @Override
    public LearningRateSchedule schedule() {
        return schedule;
    }

    @Override
    public double momentum(long step) {
        return cycleMomentum ? schedule.momentum(step) : Double.NaN;
    }

    @Override
    public OneCycleSchedule copy() {
        return new OneCycleSchedule(totalSteps, pctStart, divFactor, finalDivFactor, threePhase, linearAnneal, cycleMomentum,
                baseMomentum, maxMomentum);
    }

    /** The same cycle with {@code cycleMomentum = false}. */
    public OneCycleSchedule copyWithoutMomentum() {
        return new OneCycleSchedule(totalSteps, pctStart, divFactor, finalDivFactor, threePhase, linearAnneal, false,
                baseMomentum, maxMomentum);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "LearningRateSchedule");
    }

    @Override
    public String toString() {
        return schedule.spec() + (cycleMomentum ? "" : " (momentum not cycled)");
    }
}
