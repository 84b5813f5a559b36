package io.github.descent4j.core.layerwise.search;

import java.util.Arrays;

/**
 * One evaluated point of a search: the point in the caller's coordinates and the objective value there.
 * Equality compares the point's elements (a record over an array would compare identities).
 */
public record Trial(double[] point, double value) {

    public Trial {
        point = point.clone();
    }

    @Override
    public double[] point() {
        return point.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trial t && Arrays.equals(point, t.point)
                && Double.doubleToLongBits(value) == Double.doubleToLongBits(t.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(point) + Double.hashCode(value);
    }

    @Override
    public String toString() {
        return "Trial" + Arrays.toString(point) + " = " + value;
    }
}
