package io.github.descent4j.testkit;

import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertion that a flat {@code double[]} matches a reference elementwise to a relative tolerance:
 * {@code |actual − expected| <= tolerance * max(|expected|, 1e-8)}. The floor keeps exact zeros
 * comparable without making values near zero absurdly strict.
 * <pre>
 *   Descent4jAssertions.assertThatValues(after).isCloseTo(expected, 1e-9);
 * </pre>
 */
public final class ArrayCloseness extends AbstractAssert<ArrayCloseness, double[]> {
    private static final double FLOOR = 1e-8;

    ArrayCloseness(double[] actual) {
        super(actual, ArrayCloseness.class);
    }

    /** Fails on a length mismatch, a non-finite value, or any element outside the tolerance. */
    public ArrayCloseness isCloseTo(double[] expected, double relativeTolerance) {
        return isCloseTo(expected, relativeTolerance, FLOOR);
    }

    /**
     * As {@link #isCloseTo(double[], double)} with {@code |actual − expected| <= tolerance * max(|expected|, floor)}:
     * for float32 runs, where an entry that cancelled to near zero keeps only the absolute precision of the
     * tensor's larger entries.
     */
    public ArrayCloseness isCloseTo(double[] expected, double relativeTolerance, double floor) {
        isNotNull();
        if (actual.length != expected.length) {
            failWithMessage("%sexpected %d values but got %d", prefix(), expected.length, actual.length);
        }
        int worst = -1;
        double worstError = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
            if (!(error <= relativeTolerance) && (worst < 0 || !(error <= worstError))) {
                worst = i;
                worstError = error;
            }
        }
        if (worst >= 0) {
            failWithMessage("%svalue [%d] is %s but the reference is %s (relative error %s > %s)",
                    prefix(), worst, actual[worst], expected[worst], worstError, relativeTolerance);
        }
        return this;
    }

    private String prefix() {
        String d = info.descriptionText();
        return d == null || d.isEmpty() ? "" : "[" + d + "] ";
    }
}
