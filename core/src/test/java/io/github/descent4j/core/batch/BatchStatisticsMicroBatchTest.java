package io.github.descent4j.core.batch;

import io.github.descent4j.core.NonFiniteGradientException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link BatchStatistics#ofMicroBatchMeans}: exact per-example statistics for micro-batches of one example,
 * the ANOVA formulas for unequal sizes, and unbiasedness on Gaussian gradients with a known covariance.
 */
class BatchStatisticsMicroBatchTest {
    private static final int D = 5;
    private static final double[] MU = {0.6, -0.3, 0.2, 0.0, 0.4};
    /** Lower-triangular factor of the per-example covariance Σ = L Lᵀ. */
    private static final double[][] L = {
            {1.0, 0, 0, 0, 0},
            {0.5, 0.8, 0, 0, 0},
            {-0.2, 0.3, 0.6, 0, 0},
            {0.1, 0.0, -0.4, 1.2, 0},
            {0.0, 0.2, 0.1, -0.3, 0.5}};

    private static double[][] sigma() {
        double[][] s = new double[D][D];
        for (int a = 0; a < D; a++) {
            for (int c = 0; c < D; c++) {
                for (int k = 0; k < D; k++) {
                    s[a][c] += L[a][k] * L[c][k];
                }
            }
        }
        return s;
    }

    private static double quadratic(double[][] s, double[] v) {
        double q = 0;
        for (int a = 0; a < D; a++) {
            for (int c = 0; c < D; c++) {
                q += v[a] * s[a][c] * v[c];
            }
        }
        return q;
    }

    private static double[] gaussianGradient(Random r) {
        double[] z = new double[D];
        for (int k = 0; k < D; k++) {
            z[k] = r.nextGaussian();
        }
        double[] g = MU.clone();
        for (int a = 0; a < D; a++) {
            for (int k = 0; k <= a; k++) {
                g[a] += L[a][k] * z[k];
            }
        }
        return g;
    }

    /** Near-equal sizes: the first b mod m micro-batches hold one example more. */
    private static int[] sizes(int b, int m) {
        int[] s = new int[m];
        for (int k = 0; k < m; k++) {
            s[k] = b / m + (k < b % m ? 1 : 0);
        }
        return s;
    }

    private static double[][] means(double[][] g, int[] sizes) {
        double[][] h = new double[sizes.length][D];
        int i = 0;
        for (int k = 0; k < sizes.length; k++) {
            for (int n = 0; n < sizes[k]; n++, i++) {
                for (int j = 0; j < D; j++) {
                    h[k][j] += g[i][j];
                }
            }
            for (int j = 0; j < D; j++) {
                h[k][j] /= sizes[k];
            }
        }
        return h;
    }

    @Test
    void microBatchesOfOneExampleAreExactlyThePerExampleStatistics() {
        Random r = new Random(5);
        for (int trial = 0; trial < 10; trial++) {
            int b = 2 + r.nextInt(12);
            double[][] g = new double[b][];
            for (int i = 0; i < b; i++) {
                g[i] = gaussianGradient(r);
            }
            int[] ones = new int[b];
            java.util.Arrays.fill(ones, 1);
            BatchStatistics micro = BatchStatistics.ofMicroBatchMeans(g, ones);
            BatchStatistics perExample = BatchStatistics.of(g);
            assertThat(micro.batchSize()).isEqualTo(b);
            assertThat(micro.meanGradientNormSquared()).isEqualTo(perExample.meanGradientNormSquared());
            assertThat(micro.traceVariance()).isEqualTo(perExample.traceVariance());
            assertThat(micro.innerProductVariance()).isEqualTo(perExample.innerProductVariance());
            assertThat(micro.orthogonalVariance()).isEqualTo(perExample.orthogonalVariance());
        }
    }

    @Test
    void unequalSizesFollowTheSizeWeightedFormulas() {
        double[][] h = {{1, 2}, {3, -1}, {0, 0.5}};
        int[] s = {3, 3, 2};
        double b = 8;
        double[] mean = {(3 * 1 + 3 * 3 + 2 * 0) / b, (3 * 2 + 3 * -1 + 2 * 0.5) / b};
        double n2 = mean[0] * mean[0] + mean[1] * mean[1];
        double trace = 0;
        double ipVar = 0;
        double orth = 0;
        for (int k = 0; k < 3; k++) {
            double d0 = h[k][0] - mean[0];
            double d1 = h[k][1] - mean[1];
            trace += s[k] * (d0 * d0 + d1 * d1);
            double ip = h[k][0] * mean[0] + h[k][1] * mean[1];
            ipVar += s[k] * (ip - n2) * (ip - n2);
            double u0 = h[k][0] - ip / n2 * mean[0];
            double u1 = h[k][1] - ip / n2 * mean[1];
            orth += s[k] * (u0 * u0 + u1 * u1);
        }
        BatchStatistics stats = BatchStatistics.ofMicroBatchMeans(h, s);
        assertThat(stats.batchSize()).isEqualTo(8);
        assertThat(stats.meanGradientNormSquared()).isCloseTo(n2, within(1e-14));
        assertThat(stats.traceVariance()).isCloseTo(trace / 2, within(1e-13));
        assertThat(stats.innerProductVariance()).isCloseTo(ipVar / 2, within(1e-13));
        assertThat(stats.orthogonalVariance()).isCloseTo(orth / 2, within(1e-13));
    }

    /**
     * Over N independent batches the mean estimation error is within 4.5 standard errors
     * (empirical standard deviation of the error / √N) of zero; a 1/s or m-denominator mistake is off by
     * about 80 standard errors. Targets: tr Σ; ḡᵀΣḡ; tr Σ − ḡᵀΣḡ/‖ḡ‖² (per draw, with the batch's ḡ).
     */
    @Test
    void estimatesAreUnbiasedForThePerExampleVariances() {
        double[][] s = sigma();
        double traceSigma = 0;
        for (int a = 0; a < D; a++) {
            traceSigma += s[a][a];
        }
        int draws = 20000;
        for (int[] bm : new int[][] {{24, 4}, {23, 5}, {12, 2}}) {
            int b = bm[0];
            int m = bm[1];
            int[] sizes = sizes(b, m);
            Random r = new Random(17 + b * 31L + m);
            double[][] errors = new double[3][draws];
            for (int t = 0; t < draws; t++) {
                double[][] g = new double[b][];
                for (int i = 0; i < b; i++) {
                    g[i] = gaussianGradient(r);
                }
                BatchStatistics est = BatchStatistics.ofMicroBatchMeans(means(g, sizes), sizes);
                double[] gbar = new double[D];
                for (double[] row : g) {
                    for (int j = 0; j < D; j++) {
                        gbar[j] += row[j] / b;
                    }
                }
                double q = quadratic(s, gbar);
                double n2 = 0;
                for (double x : gbar) {
                    n2 += x * x;
                }
                assertThat(est.meanGradientNormSquared()).isCloseTo(n2, within(1e-12));
                errors[0][t] = est.traceVariance() - traceSigma;
                errors[1][t] = est.innerProductVariance() - q;
                errors[2][t] = est.orthogonalVariance() - (traceSigma - q / n2);
            }
            String[] names = {"trace variance", "inner-product variance", "orthogonal variance"};
            for (int k = 0; k < 3; k++) {
                double mean = 0;
                for (double x : errors[k]) {
                    mean += x / draws;
                }
                double var = 0;
                for (double x : errors[k]) {
                    var += (x - mean) * (x - mean) / (draws - 1);
                }
                double standardError = Math.sqrt(var / draws);
                assertThat(standardError).isPositive();
                assertThat(Math.abs(mean)).as("%s, b=%d, m=%d: mean error %s, standard error %s", names[k], b, m,
                        mean, standardError).isLessThanOrEqualTo(4.5 * standardError);
            }
        }
    }

    @Test
    void zeroMeanGradientWithSpreadGrowsToTheCap() {
        BatchStatistics stats = BatchStatistics.ofMicroBatchMeans(new double[][] {{1, -1}, {-1, 1}}, new int[] {2, 2});
        assertThat(stats.meanGradientNormSquared()).isZero();
        assertThat(stats.traceVariance()).isEqualTo(8.0);
        assertThat(stats.normTest(1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(BatchStatistics.nextBatchSize(4, stats.augmentedTest(1, 1), 64)).isEqualTo(64);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> BatchStatistics.ofMicroBatchMeans(new double[][] {{1, 2}}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 micro-batches");
        assertThatThrownBy(() -> BatchStatistics.ofMicroBatchMeans(new double[][] {{1}, {2}}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one size per micro-batch");
        assertThatThrownBy(() -> BatchStatistics.ofMicroBatchMeans(new double[][] {{1}, {2}}, new int[] {3, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size of micro-batch 1 must be >= 1");
        assertThatThrownBy(() -> BatchStatistics.ofMicroBatchMeans(new double[][] {{1, 2}, {3}}, new int[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 values");
        assertThatThrownBy(() -> BatchStatistics.ofMicroBatchMeans(new double[][] {{1}, {Double.NaN}}, new int[] {1, 1}))
                .isInstanceOf(NonFiniteGradientException.class);
    }
}
