package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import io.github.descent4j.core.schedule.LearningRateSchedule;

/**
 * A learning-rate schedule as an OLCUT component, for {@link ScheduledOptimiser}: its {@code @Config} fields are the
 * hyperparameters (recorded in provenance) and {@link #schedule()} is the descent4j-core schedule doing the
 * arithmetic, a factor of the optimiser's own learning rate.
 */
public interface ConfiguredSchedule extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** The core schedule (built and validated from the configured fields). */
    LearningRateSchedule schedule();

    /** The momentum (Adam's β₁) of 1-based step {@code step}, or NaN when this schedule does not cycle momentum. */
    default double momentum(long step) {
        return Double.NaN;
    }

    /** A fresh copy with the same configuration. */
    ConfiguredSchedule copy();
}
