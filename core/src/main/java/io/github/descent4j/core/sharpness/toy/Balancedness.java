package io.github.descent4j.core.sharpness.toy;

/**
 * The balancedness of Li, Zhang and He (NeurIPS 2024) for a pair of factors: B = ½(‖x‖² − ‖y‖²). Gradient flow
 * on a scale-invariant objective conserves it; SAM drives |B| towards 0 (the paper's Theorems 1 and 2).
 */
public final class Balancedness {
    private Balancedness() {}

    /** B = ½(‖x‖² − ‖y‖²). */
    public static double of(double[] x, double[] y) {
        double sx = 0.0;
        for (double v : x) {
            sx += v * v;
        }
        double sy = 0.0;
        for (double v : y) {
            sy += v * v;
        }
        return 0.5 * (sx - sy);
    }
}
