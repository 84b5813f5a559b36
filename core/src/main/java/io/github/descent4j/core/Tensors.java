package io.github.descent4j.core;

import java.util.Arrays;

/** Small reductions over flat arrays shared by the adapters. */
public final class Tensors {
    private Tensors() {}

    /** Σ x² over {@code values[from..to)}. */
    public static double squaredNorm(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i] * values[i];
        }
        return sum;
    }

    /** Σ x² over every element of every tensor. */
    public static double squaredNorm(double[][] tensors) {
        double sum = 0;
        for (double[] t : tensors) {
            sum += squaredNorm(t, 0, t.length);
        }
        return sum;
    }

    /**
     * Whether every value in {@code values[from..to)} is finite. Uses x * 0, which is 0 for every finite
     * x and NaN otherwise, so the loop has no branch and no false positive from overflow.
     */
    public static boolean allFinite(double[] values, int from, int to) {
        double probe = 0;
        for (int i = from; i < to; i++) {
            probe += values[i] * 0.0;
        }
        return probe == 0;
    }

    /** Index of the first non-finite value in the range, or -1. */
    public static int firstNonFinite(double[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Double.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Throws {@link NonFiniteGradientException} naming tensor {@code tensor} if the range holds NaN or ±∞. */
    public static void requireFinite(int tensor, double[] values, int from, int to, String description) {
        if (!allFinite(values, from, to)) {
            int at = firstNonFinite(values, from, to);
            throw new NonFiniteGradientException(tensor, "[" + at + "]", values[at], description);
        }
    }

    /** Human-readable shape, e.g. {@code [3, 4]}. */
    public static String shape(int... dims) {
        return Arrays.toString(dims);
    }
}
