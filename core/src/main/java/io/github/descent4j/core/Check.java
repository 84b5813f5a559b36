package io.github.descent4j.core;

/**
 * Argument validation shared by every descent4j optimiser and adapter.
 * <p>
 * Every check names the parameter and the allowed range, so a misconfigured optimiser fails
 * at construction time with a message a user can act on, instead of producing NaN weights later.
 * Every failure is an {@link InvalidHyperparameterException}, an {@link IllegalArgumentException}.
 */
public final class Check {
    private Check() {}

    /** Requires a finite value strictly greater than zero. */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw invalid(name, value, "a finite number > 0");
        }
        return value;
    }

    /** Requires a finite value greater than or equal to zero. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw invalid(name, value, "a finite number >= 0");
        }
        return value;
    }

    /** Requires a value in [0, 1): momentum and averaging coefficients. */
    public static double unitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw invalid(name, value, "in [0, 1)");
        }
        return value;
    }

    /** Requires a finite value (any sign). */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw invalid(name, value, "a finite number");
        }
        return value;
    }

    /** Requires an integer of at least {@code min}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new InvalidHyperparameterException(name, name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    private static InvalidHyperparameterException invalid(String name, double value, String range) {
        return new InvalidHyperparameterException(name, name + " must be " + range + ", got " + value);
    }
}
