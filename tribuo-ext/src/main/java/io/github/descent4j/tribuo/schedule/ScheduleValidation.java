package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import io.github.descent4j.core.InvalidHyperparameterException;

/** Turns the core schedules' validation into OLCUT's PropertyException naming the same field. */
final class ScheduleValidation {
    private ScheduleValidation() {}

    static void configured(Runnable build) {
        try {
            build.run();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
    }
}
