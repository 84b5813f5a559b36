package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;

import java.util.Arrays;

/**
 * The space the layer-wise search explores: one base-10 logarithm of a learning-rate multiplier per block
 * of layers, input side first, each in [log₁₀ lower, log₁₀ upper]. A point x becomes the multipliers
 * 10^x and, through {@link LearningRateDistribution#explicit}, a distribution over any depth (with as many
 * blocks as trained layers, one multiplier per layer; with fewer, resampled by linear interpolation).
 * Searching the logarithm treats 10⁻³ → 10⁻² like 1 → 10, which is how learning rates behave.
 *
 * @param blocks          number of searched multipliers, ≥ 1
 * @param lowerMultiplier smallest multiplier, finite, > 0
 * @param upperMultiplier largest multiplier, finite, > lowerMultiplier
 */
public record LogMultiplierSpace(int blocks, double lowerMultiplier, double upperMultiplier) {

    /** Default bounds around the base rate: 10⁻³ … 10. */
    public static final double DEFAULT_LOWER = 1e-3;
    public static final double DEFAULT_UPPER = 10.0;

    public LogMultiplierSpace {
        Check.atLeast("blocks", blocks, 1);
        Check.positive("lowerMultiplier", lowerMultiplier);
        Check.positive("upperMultiplier", upperMultiplier);
        if (!(lowerMultiplier < upperMultiplier)) {
            throw new InvalidHyperparameterException("lowerMultiplier", "multiplier bounds must have lower < upper, got "
                    + lowerMultiplier + " and " + upperMultiplier);
        }
    }

    public static LogMultiplierSpace withDefaultBounds(int blocks) {
        return new LogMultiplierSpace(blocks, DEFAULT_LOWER, DEFAULT_UPPER);
    }

    public double[] lower() {
        double[] b = new double[blocks];
        Arrays.fill(b, Math.log10(lowerMultiplier));
        return b;
    }

    public double[] upper() {
        double[] b = new double[blocks];
        Arrays.fill(b, Math.log10(upperMultiplier));
        return b;
    }

    /** The point of the flat rate (every multiplier 1), clamped into the box. */
    public double[] flatPoint() {
        double[] p = new double[blocks];
        Arrays.fill(p, Math.min(Math.max(0.0, Math.log10(lowerMultiplier)), Math.log10(upperMultiplier)));
        return p;
    }

    /** 10^x per block. */
    public double[] multipliers(double[] point) {
        if (point.length != blocks) {
            throw new InvalidHyperparameterException("point", "point must have " + blocks + " coordinates, got "
                    + point.length);
        }
        double[] m = new double[blocks];
        for (int i = 0; i < blocks; i++) {
            m[i] = Math.pow(10.0, Check.finite("point[" + i + "]", point[i]));
        }
        return m;
    }

    public LearningRateDistribution distribution(double[] point) {
        return LearningRateDistribution.explicit(multipliers(point));
    }
}
