package io.github.descent4j.dl4j.average;

import io.github.descent4j.core.average.AveragingRule;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything a {@link WeightAveraging} needs to continue bit for bit: the rule, the update count n and the
 * average's exact values (a {@code double[]} for double networks, a {@code float[]} otherwise, which holds float,
 * half and bfloat16 values exactly), with their ND4J data type and shape. Java-serializable, which is how
 * {@link WeightAveraging#writeTo} stores it in a {@code ModelSerializer} file.
 *
 * @param rule the averaging rule
 * @param averagedCount n, the updates taken (0: no average yet, and {@code shape} empty)
 * @param dataType the ND4J data type name of the average (and of the network's parameters)
 * @param shape the shape of the network's flattened parameter view
 * @param doubles the values when {@code dataType} is DOUBLE, else null
 * @param floats the values otherwise, else null
 */
public record WeightAverageState(AveragingRule rule, long averagedCount, String dataType, long[] shape, double[] doubles,
                                 float[] floats) implements Serializable {
    private static final long serialVersionUID = 1L;

    public WeightAverageState {
        Objects.requireNonNull(rule, "rule");
        if (averagedCount < 0) {
            throw new IllegalArgumentException("averagedCount must be >= 0, got " + averagedCount);
        }
        if (averagedCount > 0 && (doubles == null) == (floats == null)) {
            throw new IllegalArgumentException("an average needs exactly one of doubles and floats");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightAverageState s && s.rule.equals(rule) && s.averagedCount == averagedCount
                && Objects.equals(s.dataType, dataType) && Arrays.equals(s.shape, shape) && Arrays.equals(s.doubles, doubles)
                && Arrays.equals(s.floats, floats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, averagedCount, dataType, Arrays.hashCode(shape), Arrays.hashCode(doubles), Arrays.hashCode(floats));
    }

    @Override
    public String toString() {
        return "WeightAverageState(" + rule + ", averagedCount=" + averagedCount + ", " + dataType + " " + Arrays.toString(shape) + ")";
    }
}
