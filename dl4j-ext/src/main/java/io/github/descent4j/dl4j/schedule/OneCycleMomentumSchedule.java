package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The momentum half of a {@link OneCycleSchedule} (torch's {@code cycle_momentum}): its value is the momentum, or
 * Adam's β₁, of each iteration. Set it as a descent4j updater's {@code momentumSchedule}; made by
 * {@link OneCycleSchedule#momentum()}. JSON: the cycle under {@code cycle}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class OneCycleMomentumSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("cycle")
    private final OneCycleSchedule cycle;

    @JsonCreator
    OneCycleMomentumSchedule(@JsonProperty("cycle") OneCycleSchedule cycle) {
        if (cycle == null) {
            throw new InvalidHyperparameterException("cycle", "cycle must be a OneCycleSchedule, got null");
        }
        this.cycle = cycle;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return cycle.momentumAt(iteration, epoch);
    }

    /** The cycle whose momentum this is. */
    public OneCycleSchedule getCycle() {
        return cycle;
    }

    @Override
    public OneCycleMomentumSchedule clone() {
        return new OneCycleMomentumSchedule(cycle.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OneCycleMomentumSchedule other && other.cycle.equals(cycle);
    }

    @Override
    public int hashCode() {
        return 31 * cycle.hashCode() + 1;
    }

    @Override
    public String toString() {
        return "OneCycleMomentumSchedule(" + cycle + ")";
    }
}
