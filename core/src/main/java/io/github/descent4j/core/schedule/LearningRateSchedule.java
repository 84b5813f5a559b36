package io.github.descent4j.core.schedule;

/**
 * A learning-rate schedule as a multiplicative factor: the learning rate of step {@code t} (1-based, the
 * {@link io.github.descent4j.core.StepContext#step} of that step) is {@code learningRate * factor(t)}.
 * <p>
 * Schedules that can be written in a configuration file override {@link #spec()} with their text form,
 * which {@link #parse} reads back; {@link #constant()} is {@code constant()}. The named schedules are
 * {@link WarmupCosineSchedule}, {@link WarmupStableDecaySchedule} and {@link OneCycleSchedule} (which also schedules
 * the momentum).
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** The factor for 1-based step {@code step}; must be finite and >= 0. */
    double factor(long step);

    /**
     * The canonical text form, for configuration files.
     *
     * @throws UnsupportedOperationException for a schedule without one (a lambda)
     */
    default String spec() {
        throw new UnsupportedOperationException("this learning-rate schedule (" + getClass().getName()
                + ") has no text form; only named schedules such as constant() can be written as a spec");
    }

    /** The schedule whose factor is 1 at every step. */
    static LearningRateSchedule constant() {
        return ConstantSchedule.INSTANCE;
    }

    /**
     * Reads a schedule's text form.
     *
     * @throws IllegalArgumentException naming the unknown schedule or the offending parameter
     */
    static LearningRateSchedule parse(String spec) {
        return ScheduleSpec.parse(spec);
    }
}
