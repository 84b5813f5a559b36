package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BayesianOptimiserTest {

    static final double BRANIN_MINIMUM = 0.397887;
    static final int BUDGET = 40;
    static final int SEEDS = 10;

    static double branin(double[] x) {
        double a = 1, b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, r = 6, s = 10, t = 1 / (8 * Math.PI);
        double u = x[1] - b * x[0] * x[0] + c * x[0] - r;
        return a * u * u + s * (1 - t) * Math.cos(x[0]) + s;
    }

    static BayesianOptimiser.Builder braninSearch(long seed) {
        return BayesianOptimiser.builder().bounds(new double[] {-5, 0}, new double[] {10, 15})
                .initialDesign(10).budget(BUDGET).seed(seed);
    }

    static double randomSearch(ToDoubleFunction<double[]> f, double[] lo, double[] hi, int budget, long seed) {
        Random random = new Random(seed);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < budget; i++) {
            double[] x = new double[lo.length];
            for (int j = 0; j < x.length; j++) {
                x[j] = lo[j] + random.nextDouble() * (hi[j] - lo[j]);
            }
            best = Math.min(best, f.applyAsDouble(x));
        }
        return best;
    }

    @Test
    void braninReachesTheMinimumForMostSeedsAndBeatsRandomSearch() {
        double bayesSum = 0;
        double randomSum = 0;
        int close = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            double found = braninSearch(seed).build().minimise(BayesianOptimiserTest::branin).bestValue();
            double random = randomSearch(BayesianOptimiserTest::branin, new double[] {-5, 0}, new double[] {10, 15},
                    BUDGET, seed);
            assertThat(found).isGreaterThanOrEqualTo(BRANIN_MINIMUM - 1e-6);
            bayesSum += found;
            randomSum += random;
            if (found - BRANIN_MINIMUM < 0.5) {
                close++;
            }
            System.out.printf("Branin seed %d: bayes %.4f random %.4f%n", seed, found, random);
        }
        System.out.printf("Branin over %d seeds, %d trials: bayes mean %.4f (%d within 0.5), random mean %.4f%n",
                SEEDS, BUDGET, bayesSum / SEEDS, close, randomSum / SEEDS);
        assertThat(close).isGreaterThanOrEqualTo(8);
        assertThat(bayesSum / SEEDS).isLessThan(randomSum / SEEDS);
    }

    @Test
    void shiftedQuadraticIn3dFindsItsMinimum() {
        double[] centre = {0.7, -1.3, 2.1};
        ToDoubleFunction<double[]> f = x -> {
            double s = 3;
            for (int i = 0; i < 3; i++) {
                s += (i + 1) * (x[i] - centre[i]) * (x[i] - centre[i]);
            }
            return s;
        };
        SearchResult result = BayesianOptimiser.builder().bounds(new double[] {-4, -4, -4}, new double[] {4, 4, 4})
                .initialDesign(8).budget(30).seed(3).build().minimise(f);
        System.out.printf("3-D quadratic: best %.5f at %s%n", result.bestValue(),
                java.util.Arrays.toString(result.bestPoint()));
        assertThat(result.bestValue()).isBetween(3.0, 3.05);
        assertThat(result.history()).hasSize(30);
    }
}
