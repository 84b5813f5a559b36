package io.github.descent4j.core.schedule;

import io.github.descent4j.core.InvalidHyperparameterException;

/** Validation shared by the schedules. */
final class ScheduleChecks {
    private ScheduleChecks() {}

    static long steps(String name, long value) {
        if (value < 0) {
            throw new InvalidHyperparameterException(name, name + " must be >= 0, got " + value);
        }
        return value;
    }

    static double ratio(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidHyperparameterException(name, name + " must be in [0, 1], got " + value);
        }
        return value;
    }
}
