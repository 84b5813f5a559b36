package io.github.descent4j.dl4j.spd;

/**
 * The work {@link SelectiveProjectionDecay} does on one chunk of a parameter array, in double precision. The
 * condition step computes the offsets d = θ − θ₀, keeps them, and sums Σ g·d and ‖d‖²; the projection step,
 * with the update u, sums ‖d − u‖² (= ‖θ̃ − θ₀‖² for θ̃ = θ − u) and then rewrites u ← u + shrink·(d − u).
 * <p>
 * <b>Why these loops look as they do.</b> C2 (JDK 17) neither vectorises nor reorders a floating-point sum,
 * so one running sum is a chain of dependent additions bound by the adder's latency; and it does not
 * vectorise float-to-double conversion either (about 0.2 ns per value, scalar), so widening a chunk into a
 * {@code double[]} in a loop of its own costs a second pass over it. Each kernel therefore widens values
 * where it uses them and keeps independent partial sums, so the additions of neighbouring elements overlap;
 * the loops without a sum are unrolled by hand (C2's code for the plain loop was several times slower in a
 * microbenchmark). Keeping d in double between the two steps saves the projection's two passes four of
 * their six conversions (θ and θ₀ in each), the larger part of their cost (docs/benchmarks-history.md). The
 * float and double overloads are the same loops: Java has no generics over primitive arrays.
 * <p>
 * <b>Summation order.</b> Element {@code i} of a chunk goes to partial sum {@code i mod 8} (the norms:
 * {@code i mod 4}) for {@code i} below the chunk length rounded down to a multiple of the lane count, the
 * rest to the first; the partial sums are combined pairwise in a fixed order. The result depends only on
 * the values and the chunk boundaries, never on timing or on which thread ran the chunk.
 */
final class ProjectionSums {
    private ProjectionSums() {}

    /**
     * Σ g·d over {@code n} elements, with d = θ − θ₀ stored into {@code offsets[to + i]}: {@code g[i]},
     * {@code theta[i]} and θ₀ = {@code anchor[at + i]}.
     */
    static double gradientOffsetDot(float[] g, float[] theta, float[] anchor, int at, int n, double[] offsets, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            int j = at + i;
            int k = to + i;
            double d0 = (double) theta[i] - anchor[j];
            double d1 = (double) theta[i + 1] - anchor[j + 1];
            double d2 = (double) theta[i + 2] - anchor[j + 2];
            double d3 = (double) theta[i + 3] - anchor[j + 3];
            double d4 = (double) theta[i + 4] - anchor[j + 4];
            double d5 = (double) theta[i + 5] - anchor[j + 5];
            double d6 = (double) theta[i + 6] - anchor[j + 6];
            double d7 = (double) theta[i + 7] - anchor[j + 7];
            offsets[k] = d0;
            offsets[k + 1] = d1;
            offsets[k + 2] = d2;
            offsets[k + 3] = d3;
            offsets[k + 4] = d4;
            offsets[k + 5] = d5;
            offsets[k + 6] = d6;
            offsets[k + 7] = d7;
            s0 += g[i] * d0;
            s1 += g[i + 1] * d1;
            s2 += g[i + 2] * d2;
            s3 += g[i + 3] * d3;
            s4 += g[i + 4] * d4;
            s5 += g[i + 5] * d5;
            s6 += g[i + 6] * d6;
            s7 += g[i + 7] * d7;
        }
        for (; i < n; i++) {
            double d = (double) theta[i] - anchor[at + i];
            offsets[to + i] = d;
            s0 += g[i] * d;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** The double overload of {@link #gradientOffsetDot(float[], float[], float[], int, int, double[], int)}, θ₀ from {@code anchor[i]}. */
    static double gradientOffsetDot(double[] g, double[] theta, double[] anchor, int n, double[] offsets, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            int k = to + i;
            double d0 = theta[i] - anchor[i];
            double d1 = theta[i + 1] - anchor[i + 1];
            double d2 = theta[i + 2] - anchor[i + 2];
            double d3 = theta[i + 3] - anchor[i + 3];
            double d4 = theta[i + 4] - anchor[i + 4];
            double d5 = theta[i + 5] - anchor[i + 5];
            double d6 = theta[i + 6] - anchor[i + 6];
            double d7 = theta[i + 7] - anchor[i + 7];
            offsets[k] = d0;
            offsets[k + 1] = d1;
            offsets[k + 2] = d2;
            offsets[k + 3] = d3;
            offsets[k + 4] = d4;
            offsets[k + 5] = d5;
            offsets[k + 6] = d6;
            offsets[k + 7] = d7;
            s0 += g[i] * d0;
            s1 += g[i + 1] * d1;
            s2 += g[i + 2] * d2;
            s3 += g[i + 3] * d3;
            s4 += g[i + 4] * d4;
            s5 += g[i + 5] * d5;
            s6 += g[i + 6] * d6;
            s7 += g[i + 7] * d7;
        }
        for (; i < n; i++) {
            double d = theta[i] - anchor[i];
            offsets[to + i] = d;
            s0 += g[i] * d;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * ‖d‖² over {@code n} elements, d = {@code offsets[from + i]}: element {@code i} to partial sum
     * {@code i mod 4}, combined as {@code (c0 + c1) + (c2 + c3)}.
     */
    static double offsetSquaredNorm(double[] offsets, int from, int n) {
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int k = from + i;
            double b0 = offsets[k], b1 = offsets[k + 1], b2 = offsets[k + 2], b3 = offsets[k + 3];
            c0 += b0 * b0;
            c1 += b1 * b1;
            c2 += b2 * b2;
            c3 += b3 * b3;
        }
        for (; i < n; i++) {
            double b = offsets[from + i];
            c0 += b * b;
        }
        return (c0 + c1) + (c2 + c3);
    }

    /** ‖d − u‖² over {@code n} elements, d = {@code offsets[from + i]}, in the order of {@link #offsetSquaredNorm}. */
    static double proposedSquaredNorm(double[] offsets, int from, float[] u, int n) {
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int k = from + i;
            double e0 = offsets[k] - u[i], e1 = offsets[k + 1] - u[i + 1];
            double e2 = offsets[k + 2] - u[i + 2], e3 = offsets[k + 3] - u[i + 3];
            p0 += e0 * e0;
            p1 += e1 * e1;
            p2 += e2 * e2;
            p3 += e3 * e3;
        }
        for (; i < n; i++) {
            double e = offsets[from + i] - u[i];
            p0 += e * e;
        }
        return (p0 + p1) + (p2 + p3);
    }

    /** The double overload of {@link #proposedSquaredNorm(double[], int, float[], int)}. */
    static double proposedSquaredNorm(double[] offsets, int from, double[] u, int n) {
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int k = from + i;
            double e0 = offsets[k] - u[i], e1 = offsets[k + 1] - u[i + 1];
            double e2 = offsets[k + 2] - u[i + 2], e3 = offsets[k + 3] - u[i + 3];
            p0 += e0 * e0;
            p1 += e1 * e1;
            p2 += e2 * e2;
            p3 += e3 * e3;
        }
        for (; i < n; i++) {
            double e = offsets[from + i] - u[i];
            p0 += e * e;
        }
        return (p0 + p1) + (p2 + p3);
    }

    /**
     * u ← u + shrink·(d − u) over {@code n} elements, d = {@code offsets[from + i]}: evaluated in double and
     * rounded to float once.
     */
    static void shrinkUpdate(double[] offsets, int from, float[] u, int n, double shrink) {
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int k = from + i;
            double u0 = u[i], u1 = u[i + 1], u2 = u[i + 2], u3 = u[i + 3];
            double r0 = u0 + shrink * (offsets[k] - u0);
            double r1 = u1 + shrink * (offsets[k + 1] - u1);
            double r2 = u2 + shrink * (offsets[k + 2] - u2);
            double r3 = u3 + shrink * (offsets[k + 3] - u3);
            u[i] = (float) r0;
            u[i + 1] = (float) r1;
            u[i + 2] = (float) r2;
            u[i + 3] = (float) r3;
        }
        for (; i < n; i++) {
            double ui = u[i];
            u[i] = (float) (ui + shrink * (offsets[from + i] - ui));
        }
    }

    /** The double overload of {@link #shrinkUpdate(double[], int, float[], int, double)}. */
    static void shrinkUpdate(double[] offsets, int from, double[] u, int n, double shrink) {
        for (int i = 0; i < n; i++) {
            u[i] += shrink * (offsets[from + i] - u[i]);
        }
    }
}
