package io.github.descent4j.dl4j.layerwise;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A schedule multiplied by a constant factor: {@code valueAt(i, e) = factor · base.valueAt(i, e)}, or
 * {@code factor · value} when the base is a constant. {@link LayerwiseLearningRates} gives each layer its
 * own learning rate this way (the per-layer multipliers of Kenneweg et al. 2024, "Learning Rate
 * Distributions over Layers Reduce Forgetting", and the layer-wise decay of ELECTRA, Clark et al. 2020,
 * and BEiT, Bao et al. 2022), keeping the layer's original rate or schedule visible as the base, so a
 * second distribution replaces the first instead of compounding it.
 * <p>
 * A plain value: immutable, with {@code equals}/{@code hashCode} over the base, the value and the factor
 * (DL4J merges consecutive parameters whose updater configurations, schedules included, are equal into
 * one updater block). JSON: fields only, under the {@code @class} property that DL4J's {@link ISchedule}
 * declares, so a configuration holding it round-trips through {@code MultiLayerConfiguration} /
 * {@code ComputationGraphConfiguration} JSON and YAML and through {@code ModelSerializer} without
 * registration:
 * <pre>
 *   {"@class": "io.github.descent4j.dl4j.layerwise.ScaledSchedule", "value": 0.001, "factor": 0.25}
 *   {"@class": "io.github.descent4j.dl4j.layerwise.ScaledSchedule", "base": {"@class": "...ExponentialSchedule", ...}, "factor": 0.25}
 * </pre>
 * The base schedule must deserialize itself: in DL4J 1.0.0-M2.1 {@code RampSchedule} has no JSON
 * creator, so a configuration holding one (scaled or not) serializes but cannot be read back.
 * <p>
 * The product is computed in double precision; a factor of 1 returns the base value exactly.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ScaledSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    /** The scaled schedule, or null when the base is the constant {@link #value}. */
    private final ISchedule base;
    /** The constant base value when {@link #base} is null; null (absent from JSON) otherwise. */
    private final Double value;
    private final double factor;

    /**
     * A schedule scaling another.
     *
     * @param base   the schedule to scale, not null
     * @param factor finite, >= 0
     */
    public ScaledSchedule(ISchedule base, double factor) {
        this(base, null, factor);
    }

    /**
     * A constant scaled: {@code factor · value} at every iteration and epoch.
     *
     * @param value  the constant base value (for example a learning rate), finite, >= 0
     * @param factor finite, >= 0
     */
    public ScaledSchedule(double value, double factor) {
        this(null, value, factor);
    }

    @JsonCreator
    private ScaledSchedule(@JsonProperty("base") ISchedule base, @JsonProperty("value") Double value,
                           @JsonProperty("factor") double factor) {
        if ((base == null) == (value == null)) {
            throw new InvalidHyperparameterException("base", "exactly one of base (a schedule) and value (a constant)"
                    + " must be given, got base=" + base + ", value=" + value);
        }
        if (value != null) {
            Check.nonNegative("value", value);
        }
        Check.nonNegative("factor", factor);
        this.base = base;
        this.value = value;
        this.factor = factor;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return factor * (base != null ? base.valueAt(iteration, epoch) : value);
    }

    /** The scaled schedule, or null when the base is the constant {@link #getValue()}. */
    public ISchedule getBase() {
        return base;
    }

    /** The constant base value, or NaN when the base is the schedule {@link #getBase()}. */
    public double getValue() {
        return value != null ? value : Double.NaN;
    }

    /** The factor, finite and >= 0. */
    public double getFactor() {
        return factor;
    }

    @Override
    public ScaledSchedule clone() {
        return new ScaledSchedule(base == null ? null : base.clone(), value, factor);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScaledSchedule other)) {
            return false;
        }
        return Double.compare(factor, other.factor) == 0 && Objects.equals(value, other.value)
                && Objects.equals(base, other.base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, value, factor);
    }

    @Override
    public String toString() {
        return "ScaledSchedule(" + (base != null ? base : value) + " × " + factor + ")";
    }
}
