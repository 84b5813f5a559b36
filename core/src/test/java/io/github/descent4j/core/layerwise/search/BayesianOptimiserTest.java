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
            if (found - BRANIN_MINIMUM < 0.05) {
                close++;
            }
            System.out.printf("Branin seed %d: bayes %.4f random %.4f%n", seed, found, random);
        }
        System.out.printf("Branin over %d seeds, %d trials: bayes mean %.4f (%d within 0.05), random mean %.4f%n",
                SEEDS, BUDGET, bayesSum / SEEDS, close, randomSum / SEEDS);
        // Measured (seeds 0..9, 10 LHS + 30 BO trials): every BO run within 0.001 of the minimum, mean 0.3981;
        // random search mean 1.3482. Asserted with margin: 9 of 10 within 0.05, and BO's mean below random's.
        assertThat(close).isGreaterThanOrEqualTo(9);
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

    @Test
    void theSameSeedGivesTheSameSearchAndAnotherSeedADifferentOne() {
        SearchResult a = braninSearch(11).budget(15).build().minimise(BayesianOptimiserTest::branin);
        SearchResult b = braninSearch(11).budget(15).build().minimise(BayesianOptimiserTest::branin);
        SearchResult c = braninSearch(12).budget(15).build().minimise(BayesianOptimiserTest::branin);
        assertThat(a.history()).isEqualTo(b.history());
        assertThat(a.history()).isNotEqualTo(c.history());
    }

    @Test
    void askIsRepeatableUntilTold() {
        BayesianOptimiser bo = braninSearch(5).initialDesign(3).budget(6).build();
        for (int t = 0; t < 5; t++) {
            double[] x = bo.ask();
            assertThat(bo.ask()).containsExactly(x);
            bo.tell(x, branin(x));
        }
    }

    @Test
    void resumingFromTheStateGivesTheSameProposalsAsAnUninterruptedRun() {
        SearchResult uninterrupted = braninSearch(7).budget(20).build().minimise(BayesianOptimiserTest::branin);

        BayesianOptimiser first = braninSearch(7).budget(20).build();
        for (int t = 0; t < 13; t++) { // stop inside the BO phase (after the 10-point design)
            double[] x = first.ask();
            first.tell(x, branin(x));
        }
        SearchState saved = first.state();
        // A copy as a serialiser would rebuild it: new arrays and trial objects from plain numbers.
        SearchState copy = new SearchState(saved.lower().clone(), saved.upper().clone(), saved.initialDesign(),
                saved.budget(), saved.seed(), saved.history().stream().map(t -> new Trial(t.point(), t.value())).toList());
        assertThat(copy).isEqualTo(saved);
        SearchResult resumed = BayesianOptimiser.resume(copy).minimise(BayesianOptimiserTest::branin);

        assertThat(resumed.history()).hasSize(20).isEqualTo(uninterrupted.history());
        assertThat(resumed.best()).isEqualTo(uninterrupted.best());

        // Resuming inside the initial design continues the same Latin hypercube.
        BayesianOptimiser early = braninSearch(7).budget(20).build();
        double[] x0 = early.ask();
        early.tell(x0, branin(x0));
        assertThat(BayesianOptimiser.resume(early.state()).minimise(BayesianOptimiserTest::branin).history())
                .isEqualTo(uninterrupted.history());
    }

    @Test
    void theInitialDesignIsALatinHypercubeInsideTheBounds() {
        BayesianOptimiser bo = braninSearch(2).initialDesign(10).budget(10).build();
        SearchResult r = bo.minimise(BayesianOptimiserTest::branin);
        boolean[][] hit = new boolean[2][10];
        double[] lo = {-5, 0};
        for (Trial t : r.history()) {
            for (int j = 0; j < 2; j++) {
                int stratum = (int) ((t.point()[j] - lo[j]) / 15 * 10);
                assertThat(stratum).isBetween(0, 9);
                assertThat(hit[j][stratum]).as("stratum %d of dimension %d hit twice", stratum, j).isFalse();
                hit[j][stratum] = true;
            }
        }
        assertThat(bo.done()).isTrue();
        assertThatThrownBy(bo::ask).isInstanceOf(IllegalStateException.class).hasMessageContaining("budget");
    }

    @Test
    void badSettingsNameTheParameter() {
        double[] lo = {0, 0};
        double[] hi = {1, 1};
        assertParameter(() -> BayesianOptimiser.builder().bounds(new double[] {0, 2}, hi).build(), "bounds");
        assertParameter(() -> BayesianOptimiser.builder().bounds(new double[] {0, 1}, hi).build(), "bounds");
        assertParameter(() -> BayesianOptimiser.builder().bounds(new double[0], new double[0]).build(), "bounds");
        assertParameter(() -> BayesianOptimiser.builder().bounds(new double[] {0}, hi).build(), "bounds");
        assertParameter(() -> BayesianOptimiser.builder().build(), "bounds");
        assertParameter(() -> BayesianOptimiser.builder().bounds(new double[] {Double.NEGATIVE_INFINITY, 0}, hi)
                .build(), "lower[0]");
        assertParameter(() -> BayesianOptimiser.builder().bounds(lo, new double[] {1, Double.NaN}).build(),
                "upper[1]");
        assertParameter(() -> BayesianOptimiser.builder().bounds(lo, hi).initialDesign(0).build(), "initialDesign");
        assertParameter(() -> BayesianOptimiser.builder().bounds(lo, hi).initialDesign(5).budget(4).build(),
                "budget");
        BayesianOptimiser bo = BayesianOptimiser.builder().bounds(lo, hi).initialDesign(2).budget(4).build();
        assertParameter(() -> bo.tell(new double[] {0.5}, 1), "point");
        assertParameter(() -> bo.tell(new double[] {0.5, 1.5}, 1), "point");
        assertParameter(() -> bo.tell(new double[] {0.5, 0.5}, Double.NaN), "value");
        assertThat(bo.history()).isEmpty();
    }

    private static void assertParameter(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String name) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidHyperparameterException.class,
                e -> assertThat(e.parameter()).isEqualTo(name)).hasMessageContaining(name);
    }
}
