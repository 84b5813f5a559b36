package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.core.schedule.LearningRateSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The one-cycle policy (Smith and Topin 2019) with torch's {@code OneCycleLR} arithmetic, as a DL4J learning-rate
 * schedule; {@link #momentum()} is the matching momentum schedule, which drives Adam's β₁ (or heavy-ball momentum)
 * of descent4j's updaters:
 * <pre>
 *   OneCycleSchedule cycle = new OneCycleSchedule(ScheduleType.ITERATION, 0.01, totalIterations);
 *   .updater(Adam.builder().learningRateSchedule(cycle).momentumSchedule(cycle.momentum()).build())
 * </pre>
 * The phases and annealing are {@link io.github.descent4j.core.schedule.OneCycleSchedule}'s; as torch, the iteration
 * after the last is extrapolated and later ones throw (train for at most totalSteps iterations).
 */
public final class OneCycleSchedule extends CoreSchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("maxLearningRate")
    private final double maxLearningRate;
    @JsonProperty("totalSteps")
    private final long totalSteps;
    @JsonProperty("pctStart")
    private final double pctStart;
    @JsonProperty("divFactor")
    private final double divFactor;
    @JsonProperty("finalDivFactor")
    private final double finalDivFactor;
    @JsonProperty("threePhase")
    private final boolean threePhase;
    @JsonProperty("linearAnneal")
    private final boolean linearAnneal;
    @JsonProperty("baseMomentum")
    private final double baseMomentum;
    @JsonProperty("maxMomentum")
    private final double maxMomentum;

    /** torch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4, two phases, cosine, momentum 0.85–0.95. */
    public OneCycleSchedule(ScheduleType scheduleType, double maxLearningRate, long totalSteps) {
        this(scheduleType, maxLearningRate, totalSteps, 0.3, 25.0, 1e4, false, false, 0.85, 0.95);
    }

    /** See {@link io.github.descent4j.core.schedule.OneCycleSchedule} for the ranges. */
    @JsonCreator
    public OneCycleSchedule(@JsonProperty("scheduleType") ScheduleType scheduleType,
                            @JsonProperty("maxLearningRate") double maxLearningRate, @JsonProperty("totalSteps") long totalSteps,
                            @JsonProperty("pctStart") double pctStart, @JsonProperty("divFactor") double divFactor,
                            @JsonProperty("finalDivFactor") double finalDivFactor, @JsonProperty("threePhase") boolean threePhase,
                            @JsonProperty("linearAnneal") boolean linearAnneal, @JsonProperty("baseMomentum") double baseMomentum,
                            @JsonProperty("maxMomentum") double maxMomentum) {
        super(scheduleType);
        this.maxLearningRate = rate("maxLearningRate", maxLearningRate);
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
        this.threePhase = threePhase;
        this.linearAnneal = linearAnneal;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
        core();
    }

    @Override
    protected LearningRateSchedule createCore() {
        return new io.github.descent4j.core.schedule.OneCycleSchedule(totalSteps, pctStart, divFactor, finalDivFactor,
                threePhase, linearAnneal, baseMomentum, maxMomentum);
    }

    @Override
    protected double scale() {
        return maxLearningRate;
    }

    /** The momentum of this cycle at (iteration, epoch). */
    double momentumAt(int iteration, int epoch) {
        return ((io.github.descent4j.core.schedule.OneCycleSchedule) core()).momentum(step(iteration, epoch));
    }

    /** The momentum schedule of this cycle (maxMomentum → baseMomentum → maxMomentum), for {@code momentumSchedule}. */
    public OneCycleMomentumSchedule momentum() {
        return new OneCycleMomentumSchedule(this);
    }

    @Override
    public OneCycleSchedule clone() {
        return new OneCycleSchedule(scheduleType, maxLearningRate, totalSteps, pctStart, divFactor, finalDivFactor, threePhase,
                linearAnneal, baseMomentum, maxMomentum);
    }
}
