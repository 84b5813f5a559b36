package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SharpnessPerturbation} on its own: the properties framework adapters rely on. */
class SharpnessPerturbationTest {
    private static final double[][] PARAMS = {{0.7, -1.3, 0.0, 2.5}, {-0.4, 0.9}};
    private static final double[][] GRADIENT = {{0.2, 0.0, -1.1, 0.0}, {0.0, 0.6}};

    private static List<SharpnessPerturbation> all() {
        return List.of(SharpnessPerturbation.sam(0.05), SharpnessPerturbation.asam(0.5),
                SharpnessPerturbation.asam(0.5, 0.01));
    }

    @Test
    void matchesSharpnessAwareMinimizationBitForBit() {
        FlatOptimiser base = new FlatOptimiser(new SgdRule(), 0.1, new double[][]{PARAMS[0].clone(), PARAMS[1].clone()});
        assertThat(SharpnessPerturbation.sam(0.05).perturbation(PARAMS, GRADIENT))
                .isDeepEqualTo(SharpnessAwareMinimization.sam(base, 0.05).perturbation(PARAMS, GRADIENT));
        assertThat(SharpnessPerturbation.asam(0.5, 0.01).perturbation(PARAMS, GRADIENT))
                .isDeepEqualTo(SharpnessAwareMinimization.asam(base, 0.5, 0.01).perturbation(PARAMS, GRADIENT));
    }

    @Test
    void writingIntoABufferOrIntoTheGradientGivesTheSameValues() {
        for (SharpnessPerturbation p : all()) {
            double[][] expected = p.perturbation(PARAMS, GRADIENT);
            double[][] buffer = {{9, 9, 9, 9}, {9, 9}};   // stale contents must be overwritten
            p.perturbationInto(PARAMS, GRADIENT, buffer);
            assertThat(buffer).as("%s into a buffer", p).isDeepEqualTo(expected);
            double[][] aliased = {GRADIENT[0].clone(), GRADIENT[1].clone()};
            p.perturbationInto(PARAMS, aliased, aliased);
            assertThat(aliased).as("%s into the gradient", p).isDeepEqualTo(expected);
        }
        double[][] stale = {{9, 9, 9, 9}, {9, 9}};
        SharpnessPerturbation.sam(0.05).perturbationInto(PARAMS, new double[][]{{0, 0, 0, 0}, {0, 0}}, stale);
        assertThat(stale).isDeepEqualTo(new double[][]{{0, 0, 0, 0}, {0, 0}});
    }

    @Test
    void onlyTheGradientsSupportMattersAndANegatedGradientGivesTheNegatedPerturbation() {
        // The non-zero coordinates of GRADIENT, gathered into one compact tensor with their θ.
        double[][] compactParams = {{0.7, 0.0, 0.9}};
        double[][] compactGradient = {{0.2, -1.1, 0.6}};
        double[][] negated = {{-0.2, 1.1, -0.6}};
        for (SharpnessPerturbation p : all()) {
            double[][] full = p.perturbation(PARAMS, GRADIENT);
            assertThat(full[0][1]).isZero();
            assertThat(full[0][3]).isZero();
            assertThat(full[1][0]).isZero();
            double[] compact = p.perturbation(compactParams, compactGradient)[0];
            assertThat(compact).as("%s compact", p).containsExactly(full[0][0], full[0][2], full[1][1]);
            double[] minus = p.perturbation(compactParams, negated)[0];
            assertThat(minus).as("%s negated", p).containsExactly(-compact[0], -compact[1], -compact[2]);
        }
    }

    @Test
    void hugeGradientsWhoseSquaredNormOverflowsStillGetTheRadiusRho() {
        double[][] params = {{1.0, -2.0}, {0.5}};
        double[][] huge = {{3e200, -4e200}, {0.0}};
        double[] sam = SharpnessPerturbation.sam(0.5).perturbation(params, huge)[0];
        assertThat(sam[0]).isCloseTo(0.3, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(sam[1]).isCloseTo(-0.4, org.assertj.core.api.Assertions.within(1e-15));
        // ASAM, η = 0: T g = (3e200, 8e200), ε = ρ T² g / ‖T g‖
        double[] asam = SharpnessPerturbation.asam(0.5).perturbation(params, huge)[0];
        double norm = Math.hypot(3, 8);
        assertThat(asam[0]).isCloseTo(0.5 * 3 / norm, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(asam[1]).isCloseTo(0.5 * 4 * -4 / norm, org.assertj.core.api.Assertions.within(1e-15));
    }

    @Test
    void badInputNamesTheParameter() {
        for (double rho : new double[]{0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SharpnessPerturbation.sam(rho)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("rho").hasMessageContaining("> 0");
            assertThatThrownBy(() -> SharpnessPerturbation.asam(rho, 0.0)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("rho");
        }
        for (double eta : new double[]{-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SharpnessPerturbation.asam(0.5, eta)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("eta").hasMessageContaining(">= 0");
        }
        assertThatThrownBy(() -> SharpnessPerturbation.of(0.5, false, 0.01)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("eta").hasMessageContaining("adaptive = true");
        assertThatThrownBy(() -> SharpnessPerturbation.of(0.0, false, 0.0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("rho");
        assertThatThrownBy(() -> SharpnessPerturbation.of(0.5, true, -1.0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("eta");
        assertThat(SharpnessPerturbation.of(0.5, true, 0.01).eta()).isEqualTo(0.01);
        assertThat(SharpnessPerturbation.of(0.5, false, 0.0).adaptive()).isFalse();
        SharpnessPerturbation sam = SharpnessPerturbation.sam(0.1);
        assertThatThrownBy(() -> sam.perturbationInto(PARAMS, GRADIENT, new double[][]{{0, 0, 0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out must have 2 tensors");
        assertThatThrownBy(() -> sam.perturbation(PARAMS, new double[][]{{0, 0, 0}, {0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradient[0] must have 4 elements");
        assertThat(sam).hasToString("SAM(rho=0.1)");
        assertThat(SharpnessPerturbation.asam(0.5, 0.01)).hasToString("ASAM(rho=0.5,eta=0.01)");
    }
}
