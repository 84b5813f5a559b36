package io.github.descent4j.core.layerwise.search;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GaussianProcessTest {

    @Test
    void choleskyReproducesTheMatrixAndSolves() {
        Random random = new Random(1);
        int n = 6;
        double[][] b = new double[n][n];
        for (double[] row : b) {
            for (int j = 0; j < n; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += b[i][k] * b[j][k];
                }
                a[i][j] += i == j ? 0.5 : 0;
            }
        }
        Cholesky c = Cholesky.decompose(a);
        double[][] l = c.lower();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double llt = 0;
                for (int k = 0; k < n; k++) {
                    llt += l[i][k] * l[j][k];
                }
                assertThat(llt).isCloseTo(a[i][j], within(1e-10));
                if (j > i) {
                    assertThat(l[i][j]).isZero();
                }
            }
        }
        double[] rhs = {1, -2, 3, 0.5, 0, 4};
        double[] x = c.solve(rhs);
        for (int i = 0; i < n; i++) {
            double ax = 0;
            for (int j = 0; j < n; j++) {
                ax += a[i][j] * x[j];
            }
            assertThat(ax).isCloseTo(rhs[i], within(1e-9));
        }
        assertThatThrownBy(() -> Cholesky.decompose(new double[][] {{1, 2}, {2, 1}}))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void thePosteriorInterpolatesTheTrainingPointsAndIsUncertainAwayFromThem() {
        double[][] x = {{0.1, 0.2}, {0.8, 0.3}, {0.4, 0.9}, {0.6, 0.6}};
        double[] y = {3, -1, 10, 2};
        double noise = 1e-6;
        GaussianProcess gp = GaussianProcess.fit(x, y, GpHyperparameters.of(1, new double[] {0.3, 0.3}, noise));
        double scale2 = gp.targetScale() * gp.targetScale();
        for (int i = 0; i < x.length; i++) {
            GaussianProcess.Prediction p = gp.predict(x[i]);
            assertThat(p.mean()).isCloseTo(y[i], within(1e-3));
            // Posterior variance at a training point is at most the noise (jitter) variance, in target units.
            assertThat(p.variance()).isLessThanOrEqualTo(noise * scale2 * 1.01);
        }
        GaussianProcess.Prediction far = gp.predict(new double[] {5, 5});
        assertThat(far.variance()).isCloseTo(scale2, within(1e-6 * scale2)); // prior variance σ² = 1 (standardised)
        double mean = (3 - 1 + 10 + 2) / 4.0;
        assertThat(far.mean()).isCloseTo(mean, within(1e-6)); // reverts to the constant mean
    }

    @Test
    void theFittedHyperparametersBeatTheDefaultStartOnTheLikelihood() {
        Random random = new Random(4);
        double[][] x = LatinHypercube.sample(15, 2, random);
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.sin(6 * x[i][0]) + 0.01 * x[i][1]; // depends almost only on the first input
        }
        GaussianProcess fitted = new HyperparameterFit(3).fit(x, y, new Random(9));
        GaussianProcess start = GaussianProcess.fit(x, y, GpHyperparameters.of(1, new double[] {0.3, 0.3}, 1e-4));
        assertThat(fitted.logMarginalLikelihood()).isGreaterThan(start.logMarginalLikelihood());
        double[] logLength = fitted.hyperparameters().values();
        assertThat(logLength[2]).as("irrelevant input gets the longer length scale").isGreaterThan(logLength[1]);
    }

    @Test
    void expectedImprovementVanishesWhereNoImprovementIsPlausibleAndGrowsWithUncertainty() {
        // Mean far above the incumbent with small uncertainty: no improvement is plausible.
        assertThat(ExpectedImprovement.of(10, 0.1, 0)).isLessThan(1e-100);
        assertThat(ExpectedImprovement.of(10, 0, 0)).isZero();
        // Mean far below the incumbent: EI is the sure gain.
        assertThat(ExpectedImprovement.of(-5, 0.1, 0)).isCloseTo(5, within(1e-6));
        // At the incumbent EI = σ φ(0) = σ / sqrt(2π); more uncertainty, more improvement.
        assertThat(ExpectedImprovement.of(0, 2, 0)).isCloseTo(2 / Math.sqrt(2 * Math.PI), within(1e-6));
        assertThat(ExpectedImprovement.of(1, 2, 0)).isGreaterThan(ExpectedImprovement.of(1, 1, 0));
        assertThat(ExpectedImprovement.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(ExpectedImprovement.normalCdf(-1)).isCloseTo(0.158655254, within(1e-6));
    }

    @Test
    void aLatinHypercubeHasOnePointPerStratumInEveryDimension() {
        double[][] points = LatinHypercube.sample(7, 3, new Random(2));
        for (int j = 0; j < 3; j++) {
            boolean[] hit = new boolean[7];
            for (double[] p : points) {
                int s = (int) (p[j] * 7);
                assertThat(hit[s]).isFalse();
                hit[s] = true;
            }
        }
    }
}
