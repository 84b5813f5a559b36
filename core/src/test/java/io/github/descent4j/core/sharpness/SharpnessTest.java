package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SharpnessTest {

    /** Gradient of 0.5‖θ‖² + sum θ³/3 per tensor: g = θ + θ², so g′ differs from g visibly. */
    private static double[][] gradientOf(double[][] p) {
        double[][] g = new double[p.length][];
        for (int t = 0; t < p.length; t++) {
            g[t] = new double[p[t].length];
            for (int i = 0; i < p[t].length; i++) {
                g[t][i] = p[t][i] + p[t][i] * p[t][i];
            }
        }
        return g;
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            out[t] = a[t].clone();
        }
        return out;
    }

    @Test
    void zeroGradientGivesZeroPerturbationAndNoNaN() {
        double[][] params = {{1.0, -2.0}, {3.0}};
        double[][] zero = {{0.0, 0.0}, {0.0}};
        for (SharpnessAwareMinimization m : List.of(
                SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.05),
                SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.5),
                SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.5, 0.01))) {
            assertThat(m.perturbation(params, zero)).isEqualTo(new double[][]{{0.0, 0.0}, {0.0}});
        }
        // ASAM with T = |θ| = 0 where the gradient is non-zero: ‖T g‖ = 0, still ε = 0
        double[][] atZero = {{0.0, 0.0}, {0.0}};
        SharpnessAwareMinimization asam = SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, atZero), 0.5);
        assertThat(asam.perturbation(atZero, new double[][]{{1.0, 2.0}, {3.0}})).isEqualTo(new double[][]{{0.0, 0.0}, {0.0}});

        // a full step at a stationary point leaves θ unchanged
        double[][] p = {{0.0, -1.0}};
        SharpnessAwareMinimization sam = SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, p), 0.05);
        List<double[][]> calls = new ArrayList<>();
        double[][] used = sam.step(q -> {
            calls.add(copy(q));
            return gradientOf(q);
        });
        assertThat(p[0]).containsExactly(0.0, -1.0);
        assertThat(calls).as("ε = 0: g′ is still taken, at θ itself").hasSize(2);
        assertThat(calls.get(1)).isEqualTo(new double[][]{{0.0, -1.0}});
        assertThat(used).isEqualTo(new double[][]{{0.0, 0.0}});
        assertThat(sam.base().steps()).isEqualTo(1);
    }

    /** The pre-Optimiser SAM step, written out: ε from {@code perturbation}, θ + ε, g′, restore, base step. */
    private static void previousStep(SharpnessAwareMinimization sam, FlatOptimiser base, GradientOracle oracle) {
        double[][] params = base.parameters();
        double[][] g = oracle.gradient(params);
        double[][] epsilon = sam.perturbation(params, g);
        double[][] saved = copy(params);
        for (int t = 0; t < params.length; t++) {
            for (int i = 0; i < params[t].length; i++) {
                params[t][i] += epsilon[t][i];
            }
        }
        double[][] perturbedGradient = oracle.gradient(params);
        for (int t = 0; t < params.length; t++) {
            System.arraycopy(saved[t], 0, params[t], 0, params[t].length);
        }
        base.step(perturbedGradient);
    }

    @Test
    void theStepThroughSharpnessAwareStepIsBitForBitThePreviousStep() {
        double[][] init = {{0.5, -0.25, 0.0}, {1.5}};
        for (int variant = 0; variant < 3; variant++) {
            double[][] p = copy(init);
            double[][] q = copy(init);
            FlatOptimiser other = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, q);
            SharpnessAwareMinimization now;
            SharpnessAwareMinimization before;
            FlatOptimiser base = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, p);
            switch (variant) {
                case 0 -> { now = SharpnessAwareMinimization.sam(base, 0.05); before = SharpnessAwareMinimization.sam(other, 0.05); }
                case 1 -> { now = SharpnessAwareMinimization.asam(base, 0.5); before = SharpnessAwareMinimization.asam(other, 0.5); }
                default -> { now = SharpnessAwareMinimization.asam(base, 0.5, 0.01); before = SharpnessAwareMinimization.asam(other, 0.5, 0.01); }
            }
            for (int step = 0; step < 6; step++) {
                now.step(SharpnessTest::gradientOf);
                previousStep(before, other, SharpnessTest::gradientOf);
                assertThat(p).as("variant %d step %d", variant, step).isDeepEqualTo(q);
            }
        }
    }

    @Test
    void aGradientWhoseSquaredNormOverflowsIsPerturbedByTheOverflowSafeNorm() {
        double[][] params = {{1.0, -2.0}, {0.5}};
        double[][] huge = {{3e200, -4e200}, {0.0}};
        for (SharpnessAwareMinimization m : List.of(
                SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 1e-300, params), 0.5),
                SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 1e-300, params), 0.5, 0.01))) {
            double[][] before = copy(params);
            double[][] expected = m.perturbation(before, huge);
            assertThat(expected[0][0]).isNotZero();
            List<double[][]> seen = new ArrayList<>();
            m.step(huge, q -> {
                seen.add(copy(q));
                return new double[][]{{0.0, 0.0}, {0.0}};
            });
            for (int t = 0; t < before.length; t++) {
                for (int i = 0; i < before[t].length; i++) {
                    assertThat(seen.get(0)[t][i]).isEqualTo(before[t][i] + expected[t][i]);
                }
            }
            assertThat(params).isDeepEqualTo(before);   // restored, and the base stepped with g′ = 0
        }
        // a norm beyond Double.MAX_VALUE cannot give a radius-ρ perturbation: refused, nothing changed
        SharpnessAwareMinimization sam = SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.5);
        double[][] before = copy(params);
        assertThatThrownBy(() -> sam.step(new double[][]{{Double.MAX_VALUE, Double.MAX_VALUE}, {0.0}}, q -> q))
                .isInstanceOf(ArithmeticException.class);
        assertThat(params).isDeepEqualTo(before);
        assertThatThrownBy(() -> sam.step(new double[][]{{1.0, Double.NaN}, {0.0}}, q -> q))
                .isInstanceOf(NonFiniteGradientException.class);
        assertThatThrownBy(() -> sam.step(new double[][]{{1.0}}, q -> q)).hasMessageContaining("gradient must have 2 tensors");
        assertThat(sam.base().steps()).isZero();
    }

    @Test
    void perturbationFollowsTheStatedRules() {
        double[][] params = {{3.0, -1.0}, {2.0}};
        double[][] g = {{1.0, 2.0}, {-2.0}};
        double[][] eps = SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.3)
                .perturbation(params, g);
        // ‖g‖ = 3 over all tensors: ε = 0.1 g
        assertThat(eps[0]).containsExactly(new double[]{0.1, 0.2}, within(1e-15));
        assertThat(eps[1]).containsExactly(new double[]{-0.2}, within(1e-15));

        // ASAM, η = 1: T = (4, 2 | 3), T g = (4, 4 | -6), ‖T g‖ = sqrt(68); ε = ρ T² g / ‖T g‖
        double[][] asam = SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.3, 1.0)
                .perturbation(params, g);
        double s = 0.3 / Math.sqrt(68);
        assertThat(asam[0]).containsExactly(new double[]{16 * s, 8 * s}, within(1e-15));
        assertThat(asam[1]).containsExactly(new double[]{-18 * s}, within(1e-15));
    }

    @Test
    void thetaIsRestoredAfterThePerturbedGradientAndBaseStepsWithIt() {
        double[][] params = {{0.5, -0.25}, {1.5}};
        double[][] before = copy(params);
        List<double[][]> seen = new ArrayList<>();
        GradientOracle oracle = p -> {
            seen.add(copy(p));
            return gradientOf(p);
        };
        SharpnessAwareMinimization sam = SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.05);
        double[][] used = sam.step(oracle);

        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isEqualTo(before);                   // g at θ
        double[][] eps = sam.perturbation(before, gradientOf(before));
        for (int t = 0; t < before.length; t++) {
            for (int i = 0; i < before[t].length; i++) {
                assertThat(seen.get(1)[t][i]).isEqualTo(before[t][i] + eps[t][i]);   // g′ at θ + ε
                assertThat(params[t][i]).isEqualTo(before[t][i] - 0.1 * used[t][i]);  // stepped from the restored θ
            }
        }
        assertThat(used).isEqualTo(gradientOf(seen.get(1)));
    }

    @Test
    void thetaIsRestoredExactlyEvenWhenTheOracleFails() {
        double[][] params = {{0.1, 0.2, 0.3}};
        double[][] before = copy(params);
        SharpnessAwareMinimization sam = SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, params), 2.0);
        assertThatThrownBy(() -> sam.step(gradientOf(params), p -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(params).isEqualTo(before);
        assertThat(sam.base().steps()).isZero();
    }

    @Test
    void invalidHyperparametersNameTheParameterAndRange() {
        FlatOptimiser base = new FlatOptimiser(new SgdRule(), 0.1, new double[][]{{1.0}, {2.0}});
        for (double rho : new double[]{0.0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SharpnessAwareMinimization.sam(base, rho))
                    .isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("rho").hasMessageContaining("> 0")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("rho"));
            assertThatThrownBy(() -> SharpnessAwareMinimization.asam(base, rho)).isInstanceOf(InvalidHyperparameterException.class);
        }
        for (double eta : new double[]{-1e-3, Double.NaN}) {
            assertThatThrownBy(() -> SharpnessAwareMinimization.asam(base, 0.5, eta))
                    .isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("eta").hasMessageContaining(">= 0")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("eta"));
        }
        for (double alpha : new double[]{-0.5, Double.NaN}) {
            assertThatThrownBy(() -> AlphaSchedule.constant(alpha))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("alpha").hasMessageContaining(">= 0");
            assertThatThrownBy(() -> AlphaSchedule.linear(alpha, 10)).isInstanceOf(InvalidHyperparameterException.class);
            assertThatThrownBy(() -> AlphaSchedule.cosine(alpha, 10)).isInstanceOf(InvalidHyperparameterException.class);
        }
        assertThatThrownBy(() -> AlphaSchedule.linear(1.0, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> BalancednessAwareRegularization.nbar(base, -0.1, AlphaSchedule.constant(1)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> new BalancednessAwareRegularization(base, 0.1, BalancednessAwareRegularization.Variant.OBAR,
                AlphaSchedule.constant(1), 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> SharpnessAwareMinimization.sam(null, 0.05)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("base");
        assertThatThrownBy(() -> SharpnessAwareMinimization.asam(null, 0.5, 0.01)).hasMessageStartingWith("base");
        assertThatThrownBy(() -> BalancednessAwareRegularization.nbar(null, 0.1, AlphaSchedule.constant(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("base must not be null");
        assertThatThrownBy(() -> BalancednessAwareRegularization.obar(base, 0.1, null)).hasMessage("alpha must not be null");
        BalancednessAwareRegularization bar = BalancednessAwareRegularization.nbar(base, 0.1, AlphaSchedule.constant(1));
        assertThatThrownBy(() -> bar.step(new double[][]{{1.0}, {2.0, 3.0}})).hasMessage("gradients[1] must have 1 elements, got 2");
        assertThat(bar.steps()).isZero();
    }

    @Test
    void alphaSchedules() {
        assertThat(AlphaSchedule.constant(0.5).alpha(7)).isEqualTo(0.5);
        AlphaSchedule linear = AlphaSchedule.linear(2.0, 4);
        assertThat(new double[]{linear.alpha(0), linear.alpha(1), linear.alpha(3), linear.alpha(4), linear.alpha(9)})
                .containsExactly(2.0, 1.5, 0.5, 0.0, 0.0);
        AlphaSchedule cosine = AlphaSchedule.cosine(2.0, 4);
        assertThat(cosine.alpha(0)).isEqualTo(2.0);
        assertThat(cosine.alpha(2)).isCloseTo(1.0, within(1e-15));
        assertThat(cosine.alpha(4)).isZero();
    }

    @Test
    void barRescalesByTheStatedRuleThenAddsTheBaseStepFromTheOldGradients() {
        // x large with small gradient, y small with large gradient
        double[] x0 = {3.0, 4.0};
        double[] y0 = {1.0};
        double[][] g = {{0.1, 0.0}, {2.0}};
        double lr = 0.1;
        double a = 0.5;

        double[][] p = {x0.clone(), y0.clone()};
        BalancednessAwareRegularization nbar = BalancednessAwareRegularization.nbar(new FlatOptimiser(new SgdRule(), lr, p), lr,
                AlphaSchedule.constant(a));
        assertThat(nbar.balancedness()).isEqualTo(0.5 * (25 - 1));
        nbar.step(g);
        // nBAR: ‖g_x‖ < ‖g_y‖ → shrink x, grow y
        assertThat(p[0]).containsExactly(new double[]{3.0 * 0.95 - 0.01, 4.0 * 0.95}, within(1e-15));
        assertThat(p[1]).containsExactly(new double[]{1.0 * 1.05 - 0.2}, within(1e-15));

        double[][] q = {x0.clone(), y0.clone()};
        BalancednessAwareRegularization obar = BalancednessAwareRegularization.obar(new FlatOptimiser(new SgdRule(), lr, q), lr,
                AlphaSchedule.constant(a));
        obar.step(g);
        // oBAR: ‖x‖ ≥ ‖y‖ → shrink x, grow y
        assertThat(q[0]).containsExactly(new double[]{3.0 * 0.95 - 0.01, 4.0 * 0.95}, within(1e-15));
        assertThat(q[1]).containsExactly(new double[]{1.0 * 1.05 - 0.2}, within(1e-15));
        assertThat(obar.steps()).isEqualTo(1);

        // the reverse branches
        double[] x = {1.0};
        double[] y = {2.0};
        BalancednessAwareRegularization.rescale(BalancednessAwareRegularization.Variant.OBAR, x, y, new double[]{0}, new double[]{0}, 0.1);
        assertThat(x).containsExactly(1.1);
        assertThat(y).containsExactly(1.8);
        BalancednessAwareRegularization.rescale(BalancednessAwareRegularization.Variant.NBAR, x, y, new double[]{1}, new double[]{1}, 0.5);
        assertThat(x[0]).isCloseTo(1.65, within(1e-15));   // tie: grow x
        assertThat(y[0]).isCloseTo(0.9, within(1e-15));
        assertThat(BalancednessAwareRegularization.balancedness(new double[]{1, 1}, new double[]{2})).isEqualTo(-1.0);
    }

    @Test
    void chunkedPerturbationPiecesAddUpToTheWholePerturbation() {
        double[][] params = {{3.0, -1.0, 0.5}, {2.0}};
        double[][] g = {{1.0, 2.0, -0.5}, {-2.0}};
        for (boolean adaptive : new boolean[]{false, true}) {
            double eta = adaptive ? 0.01 : 0.0;
            SharpnessAwareMinimization whole = adaptive
                    ? SharpnessAwareMinimization.asam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.3, eta)
                    : SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 0.1, params), 0.3);
            double[][] expected = whole.perturbation(params, g);
            // the first tensor in two chunks [0, 2) and [2, 3), as an adapter streaming it would
            double sq = SharpnessPerturbation.squaredNorm(adaptive, eta, params[0], g[0], 0, 2)
                    + SharpnessPerturbation.squaredNorm(adaptive, eta, params[0], g[0], 2, 3)
                    + SharpnessPerturbation.squaredNorm(adaptive, eta, params[1], g[1], 0, 1);
            double scale = SharpnessPerturbation.scale(0.3, sq);
            double[][] perturbed = copy(params);
            SharpnessPerturbation.addPerturbation(adaptive, eta, scale, perturbed[0], g[0], 0, 2, perturbed[0]);
            SharpnessPerturbation.addPerturbation(adaptive, eta, scale, perturbed[0], g[0], 2, 3, perturbed[0]);
            SharpnessPerturbation.addPerturbation(adaptive, eta, scale, perturbed[1], g[1], 0, 1, perturbed[1]);
            for (int t = 0; t < params.length; t++) {
                for (int i = 0; i < params[t].length; i++) {
                    assertThat(perturbed[t][i]).as("adaptive=%s tensor %d [%d]", adaptive, t, i)
                            .isEqualTo(params[t][i] + expected[t][i]);
                }
            }
        }
        assertThat(SharpnessPerturbation.scale(0.5, 0.0)).isZero();
        assertThat(SharpnessPerturbation.scale(0.5, 4.0)).isEqualTo(0.25);
        assertThatThrownBy(() -> SharpnessPerturbation.scale(0.5, Double.NaN))
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("NaN");
    }

    @Test
    void barScaleFactorsFollowTheVariantsRules() {
        var nbar = BalancednessAwareRegularization.Variant.NBAR;
        var obar = BalancednessAwareRegularization.Variant.OBAR;
        // nBAR reads the gradient norms only
        assertThat(BalancednessAwareRegularization.scaleFactors(nbar, 1, 9, 4, 1, 0.1)).containsExactly(1.1, 0.9);
        assertThat(BalancednessAwareRegularization.scaleFactors(nbar, 9, 1, 1, 4, 0.1)).containsExactly(0.9, 1.1);
        assertThat(BalancednessAwareRegularization.scaleFactors(nbar, 9, 1, 2, 2, 0.1)).containsExactly(1.1, 0.9);
        // oBAR reads the factor norms only: the larger factor shrinks, a tie shrinks x
        assertThat(BalancednessAwareRegularization.scaleFactors(obar, 9, 1, 1, 4, 0.1)).containsExactly(0.9, 1.1);
        assertThat(BalancednessAwareRegularization.scaleFactors(obar, 1, 9, 4, 1, 0.1)).containsExactly(1.1, 0.9);
        assertThat(BalancednessAwareRegularization.scaleFactors(obar, 2, 2, 4, 1, 0.1)).containsExactly(0.9, 1.1);
        assertThat(BalancednessAwareRegularization.balancednessFromSquaredNorms(9, 1)).isEqualTo(4.0);
        assertThat(BalancednessAwareRegularization.alphaEta(AlphaSchedule.linear(1.0, 4), 2, 0.1)).isCloseTo(0.05, within(1e-15));
        assertThatThrownBy(() -> BalancednessAwareRegularization.alphaEta(AlphaSchedule.constant(1.0), 0, Double.NaN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("learning rate");
    }
}
