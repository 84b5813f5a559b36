package io.github.descent4j.testkit;

/** Entry point of descent4j's AssertJ assertions. */
public final class Descent4jAssertions {
    private Descent4jAssertions() {}

    /** Assertions on a flat array of values, e.g. parameters after a step. */
    public static ArrayCloseness assertThatValues(double[] actual) {
        return new ArrayCloseness(actual);
    }
}
