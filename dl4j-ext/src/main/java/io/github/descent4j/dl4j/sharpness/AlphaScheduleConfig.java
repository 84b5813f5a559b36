package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.sharpness.AlphaSchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Objects;

/**
 * The JSON-serializable description of a BAR coefficient schedule α_t, built into descent4j-core's
 * {@link AlphaSchedule} (which states the formulas): constant α₀, linear decay α₀(1 − t/T), or cosine decay
 * α₀·½(1 + cos(πt/T)), with t the network's iteration count and T the horizon in iterations.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class AlphaScheduleConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The shape of the schedule. */
    public enum Kind { CONSTANT, LINEAR, COSINE }

    @JsonProperty("kind")
    private final Kind kind;
    @JsonProperty("alpha0")
    private final double alpha0;
    /** The horizon T in iterations; 0 for {@link Kind#CONSTANT}. */
    @JsonProperty("totalSteps")
    private final long totalSteps;
    private final transient AlphaSchedule schedule;

    @JsonCreator
    private AlphaScheduleConfig(@JsonProperty("kind") Kind kind, @JsonProperty("alpha0") double alpha0,
                                @JsonProperty("totalSteps") long totalSteps) {
        if (kind == null) {
            throw new InvalidHyperparameterException("kind", "kind must be one of CONSTANT, LINEAR, COSINE, got null");
        }
        this.kind = kind;
        this.alpha0 = alpha0;
        this.totalSteps = kind == Kind.CONSTANT ? 0 : totalSteps;
        this.schedule = build();   // validates α₀ >= 0 and T >= 1
    }

    private AlphaSchedule build() {
        return switch (kind) {
            case CONSTANT -> AlphaSchedule.constant(alpha0);
            case LINEAR -> AlphaSchedule.linear(alpha0, totalSteps);
            case COSINE -> AlphaSchedule.cosine(alpha0, totalSteps);
        };
    }

    /** α_t = α₀, a finite number &gt;= 0. */
    public static AlphaScheduleConfig constant(double alpha0) {
        return new AlphaScheduleConfig(Kind.CONSTANT, alpha0, 0);
    }

    /** α_t = α₀(1 − t/T), 0 from iteration T on. */
    public static AlphaScheduleConfig linear(double alpha0, long totalSteps) {
        return new AlphaScheduleConfig(Kind.LINEAR, alpha0, totalSteps);
    }

    /** α_t = α₀·½(1 + cos(πt/T)), 0 from iteration T on. */
    public static AlphaScheduleConfig cosine(double alpha0, long totalSteps) {
        return new AlphaScheduleConfig(Kind.COSINE, alpha0, totalSteps);
    }

    /** The core schedule this describes. */
    public AlphaSchedule schedule() {
        return schedule != null ? schedule : build();
    }

    public Kind getKind() {
        return kind;
    }

    public double getAlpha0() {
        return alpha0;
    }

    public long getTotalSteps() {
        return totalSteps;
    }

    private Object readResolve() {
        return new AlphaScheduleConfig(kind, alpha0, totalSteps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlphaScheduleConfig other && kind == other.kind
                && Double.compare(alpha0, other.alpha0) == 0 && totalSteps == other.totalSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, alpha0, totalSteps);
    }

    @Override
    public String toString() {
        return kind == Kind.CONSTANT ? "constant(" + alpha0 + ")" : kind.name().toLowerCase() + "(" + alpha0 + ", T=" + totalSteps + ")";
    }
}
