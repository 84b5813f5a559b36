package io.github.descent4j.dl4j;

/**
 * The work {@link SelectiveProjectionDecay} does on one chunk of a parameter array, in double precision: the
 * sums Σ g·(θ − θ₀) for its condition step, ‖θ − θ₀‖² and ‖θ − u − θ₀‖² for its projection step, and the
 * rewrite u ← u + shrink·(θ − u − θ₀) that follows.
 * <p>
 * <b>Why these loops look as they do.</b> C2 (JDK 17) neither vectorises nor reorders a floating-point sum,
 * so one running sum is a chain of dependent additions bound by the adder's latency; and it does not
 * vectorise float-to-double conversion either, so widening a chunk into a {@code double[]} in a loop of its
 * own costs a second pass over it. Each kernel therefore widens values where it uses them and keeps
 * independent partial sums, so the additions of neighbouring elements overlap; the rewrite of u is unrolled
 * by hand (C2's code for the plain loop was several times slower in a microbenchmark). What remains is
 * bound by the scalar conversions (benchmarks/RESULTS.md). The float and double overloads are the same
 * loops: Java has no generics over primitive arrays, and a common {@code double[]} staging is the cost this
 * class avoids.
 * <p>
 * <b>Summation order.</b> Element {@code i} of a chunk goes to partial sum {@code i mod 8} (the norms:
 * {@code i mod 4}) for {@code i} below the chunk length rounded down to a multiple of the lane count, the
 * rest to the first; the partial sums are combined pairwise in a fixed order. The result depends only on
 * the values and the chunk boundaries, never on timing or on which thread ran the chunk.
 */
final class ProjectionSums {
    private ProjectionSums() {}

    /**
     * Σ g·(θ − θ₀) over {@code n} elements: {@code g[i]}, {@code theta[i]} and {@code anchor[at + i]}.
     */
    static double gradientOffsetDot(float[] g, float[] theta, float[] anchor, int at, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            int j = at + i;
            s0 += (double) g[i] * ((double) theta[i] - anchor[j]);
            s1 += (double) g[i + 1] * ((double) theta[i + 1] - anchor[j + 1]);
            s2 += (double) g[i + 2] * ((double) theta[i + 2] - anchor[j + 2]);
            s3 += (double) g[i + 3] * ((double) theta[i + 3] - anchor[j + 3]);
            s4 += (double) g[i + 4] * ((double) theta[i + 4] - anchor[j + 4]);
            s5 += (double) g[i + 5] * ((double) theta[i + 5] - anchor[j + 5]);
            s6 += (double) g[i + 6] * ((double) theta[i + 6] - anchor[j + 6]);
            s7 += (double) g[i + 7] * ((double) theta[i + 7] - anchor[j + 7]);
        }
        for (; i < n; i++) {
            s0 += (double) g[i] * ((double) theta[i] - anchor[at + i]);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** {@link #gradientOffsetDot(float[], float[], float[], int, int)} on doubles, θ₀ from {@code anchor[i]}. */
    static double gradientOffsetDot(double[] g, double[] theta, double[] anchor, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            s0 += g[i] * (theta[i] - anchor[i]);
            s1 += g[i + 1] * (theta[i + 1] - anchor[i + 1]);
            s2 += g[i + 2] * (theta[i + 2] - anchor[i + 2]);
            s3 += g[i + 3] * (theta[i + 3] - anchor[i + 3]);
            s4 += g[i + 4] * (theta[i + 4] - anchor[i + 4]);
            s5 += g[i + 5] * (theta[i + 5] - anchor[i + 5]);
            s6 += g[i + 6] * (theta[i + 6] - anchor[i + 6]);
            s7 += g[i + 7] * (theta[i + 7] - anchor[i + 7]);
        }
        for (; i < n; i++) {
            s0 += g[i] * (theta[i] - anchor[i]);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * Adds ‖θ − θ₀‖² to {@code sums[0]} and ‖θ − u − θ₀‖² to {@code sums[1]} over {@code n} elements:
     * {@code theta[i]}, {@code u[i]} and {@code anchor[at + i]}; θ − u − θ₀ is evaluated as (θ − u) − θ₀.
     */
    static void offsetNorms(float[] theta, float[] u, float[] anchor, int at, int n, double[] sums) {
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int j = at + i;
            double t0 = theta[i], t1 = theta[i + 1], t2 = theta[i + 2], t3 = theta[i + 3];
            double a0 = anchor[j], a1 = anchor[j + 1], a2 = anchor[j + 2], a3 = anchor[j + 3];
            double b0 = t0 - a0, b1 = t1 - a1, b2 = t2 - a2, b3 = t3 - a3;
            double d0 = (t0 - u[i]) - a0, d1 = (t1 - u[i + 1]) - a1, d2 = (t2 - u[i + 2]) - a2, d3 = (t3 - u[i + 3]) - a3;
            c0 += b0 * b0;
            c1 += b1 * b1;
            c2 += b2 * b2;
            c3 += b3 * b3;
            p0 += d0 * d0;
            p1 += d1 * d1;
            p2 += d2 * d2;
            p3 += d3 * d3;
        }
        for (; i < n; i++) {
            double t = theta[i];
            double a = anchor[at + i];
            double b = t - a;
            double d = (t - u[i]) - a;
            c0 += b * b;
            p0 += d * d;
        }
        sums[0] += (c0 + c1) + (c2 + c3);
        sums[1] += (p0 + p1) + (p2 + p3);
    }

    /** {@link #offsetNorms(float[], float[], float[], int, int, double[])} on doubles, θ₀ from {@code anchor[i]}. */
    static void offsetNorms(double[] theta, double[] u, double[] anchor, int n, double[] sums) {
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double t0 = theta[i], t1 = theta[i + 1], t2 = theta[i + 2], t3 = theta[i + 3];
            double a0 = anchor[i], a1 = anchor[i + 1], a2 = anchor[i + 2], a3 = anchor[i + 3];
            double b0 = t0 - a0, b1 = t1 - a1, b2 = t2 - a2, b3 = t3 - a3;
            double d0 = (t0 - u[i]) - a0, d1 = (t1 - u[i + 1]) - a1, d2 = (t2 - u[i + 2]) - a2, d3 = (t3 - u[i + 3]) - a3;
            c0 += b0 * b0;
            c1 += b1 * b1;
            c2 += b2 * b2;
            c3 += b3 * b3;
            p0 += d0 * d0;
            p1 += d1 * d1;
            p2 += d2 * d2;
            p3 += d3 * d3;
        }
        for (; i < n; i++) {
            double t = theta[i];
            double a = anchor[i];
            double b = t - a;
            double d = (t - u[i]) - a;
            c0 += b * b;
            p0 += d * d;
        }
        sums[0] += (c0 + c1) + (c2 + c3);
        sums[1] += (p0 + p1) + (p2 + p3);
    }

    /**
     * u ← u + shrink·((θ − u) − θ₀) over {@code n} elements: {@code theta[i]}, {@code u[i]} and
     * {@code anchor[at + i]}, evaluated in double and rounded to float once.
     */
    static void shrinkUpdate(float[] theta, float[] u, float[] anchor, int at, int n, double shrink) {
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int j = at + i;
            double u0 = u[i], u1 = u[i + 1], u2 = u[i + 2], u3 = u[i + 3];
            double r0 = u0 + shrink * (((double) theta[i] - u0) - anchor[j]);
            double r1 = u1 + shrink * (((double) theta[i + 1] - u1) - anchor[j + 1]);
            double r2 = u2 + shrink * (((double) theta[i + 2] - u2) - anchor[j + 2]);
            double r3 = u3 + shrink * (((double) theta[i + 3] - u3) - anchor[j + 3]);
            u[i] = (float) r0;
            u[i + 1] = (float) r1;
            u[i + 2] = (float) r2;
            u[i + 3] = (float) r3;
        }
        for (; i < n; i++) {
            double ui = u[i];
            u[i] = (float) (ui + shrink * (((double) theta[i] - ui) - anchor[at + i]));
        }
    }
}
