package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.schedule.LearningRateSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The DL4J {@link ISchedule} form of a descent4j-core {@link LearningRateSchedule}:
 * {@code valueAt(iteration, epoch) = value · factor(i + 1)}, with i the iteration or the epoch (both 0-based, so
 * DL4J's first iteration is the reference's step t = 0). Subclasses hold the hyperparameters as JSON properties
 * (under DL4J's {@code @class}, so configurations round-trip through JSON, YAML and {@code ModelSerializer} without
 * registration) and build the core schedule, which does the arithmetic. Values with {@code equals} (DL4J compares
 * updater configurations, schedules included, to form updater blocks).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class CoreSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("scheduleType")
    protected final ScheduleType scheduleType;

    private transient LearningRateSchedule core;

    protected CoreSchedule(ScheduleType scheduleType) {
        if (scheduleType == null) {
            throw new InvalidHyperparameterException("scheduleType", "scheduleType must be ITERATION or EPOCH, got null");
        }
        this.scheduleType = scheduleType;
    }

    /** Builds (and so validates) the core schedule from the hyperparameters. */
    protected abstract LearningRateSchedule createCore();

    /** The value the factor multiplies: the base or peak learning rate. */
    protected abstract double scale();

    /** The core schedule, built on first use (also after Java deserialisation). */
    protected final LearningRateSchedule core() {
        LearningRateSchedule c = core;
        if (c == null) {
            c = core = createCore();
        }
        return c;
    }

    /** Validates a base or peak learning rate. */
    protected static double rate(String name, double value) {
        return Check.positive(name, value);
    }

    /** The 1-based step of the core schedule at this iteration and epoch. */
    protected final long step(int iteration, int epoch) {
        return (scheduleType == ScheduleType.ITERATION ? iteration : epoch) + 1L;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return scale() * core().factor(step(iteration, epoch));
    }

    @Override
    public abstract CoreSchedule clone();

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((CoreSchedule) o).scheduleType == scheduleType
                && Double.compare(((CoreSchedule) o).scale(), scale()) == 0 && ((CoreSchedule) o).core().equals(core());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass().getName(), scheduleType, scale(), core());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + scheduleType + ", " + scale() + " × " + core().spec() + ")";
    }
}
