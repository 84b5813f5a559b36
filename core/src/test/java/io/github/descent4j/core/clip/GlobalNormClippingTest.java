package io.github.descent4j.core.clip;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.SgdRule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GlobalNormClippingTest {

    @Test
    void theNormRunsOverEveryTensorAndOnlyLargeGradientsAreScaled() {
        double[][] params = {{0, 0}, {0}};
        GlobalNormClipping clip = new GlobalNormClipping(new FlatOptimiser(new SgdRule(), 1.0, params), 1.0);
        clip.step(new double[][]{{3, 0}, {4}});   // norm 5 across two tensors
        assertThat(clip.lastNorm()).isEqualTo(5.0);
        double coef = 1.0 / (5.0 + 1e-6);
        assertThat(clip.lastCoefficient()).isEqualTo(coef);
        assertThat(params[0][0]).isCloseTo(-3 * coef, within(1e-15));
        assertThat(params[1][0]).isCloseTo(-4 * coef, within(1e-15));
        clip.step(new double[][]{{0.3, 0}, {0.4}});   // norm 0.5: passed unchanged
        assertThat(clip.lastCoefficient()).isEqualTo(1.0);
        assertThat(params[1][0]).isCloseTo(-4 * coef - 0.4, within(1e-15));
        // At the bound itself torch's 1e-6 makes coef just below 1, so it scales (by 1 − 1e-6).
        assertThat(GlobalNormClipping.coefficient(1.0, 1.0)).isLessThan(1.0).isCloseTo(1 - 1e-6, within(1e-11));
        assertThat(GlobalNormClipping.coefficient(1.0, 0.0)).isEqualTo(1.0);
    }

    @Test
    void badInputIsRefusedNamingTheParameterAndNothingMoves() {
        double[][] params = {{1, 2}};
        FlatOptimiser adam = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, params);
        for (double bad : new double[]{0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new GlobalNormClipping(adam, bad)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("maxNorm");
        }
        assertThatThrownBy(() -> new GlobalNormClipping(null, 1)).hasMessageContaining("base");
        GlobalNormClipping clip = new GlobalNormClipping(adam, 1.0);
        assertThatThrownBy(() -> clip.step(new double[][]{{Double.NaN, 1}})).isInstanceOf(NonFiniteGradientException.class);
        assertThatThrownBy(() -> clip.step(new double[][]{{Double.POSITIVE_INFINITY, 1}})).isInstanceOf(NonFiniteGradientException.class);
        assertThat(params[0]).containsExactly(1, 2);
        assertThat(adam.steps()).isZero();
    }

    @Test
    void aGradientWhoseSquaredNormOverflowsIsMeasuredWithRescaling() {
        double norm = GlobalNormClipping.globalNorm(new double[][]{{3e200}, {4e200}});
        assertThat(norm).isCloseTo(5e200, within(1e186));
        double[][] params = {{0}, {0}};
        GlobalNormClipping clip = new GlobalNormClipping(new FlatOptimiser(new SgdRule(), 1.0, params), 2.0);
        clip.step(new double[][]{{3e200}, {4e200}});
        assertThat(params[0][0]).isCloseTo(-1.2, within(1e-12));
        assertThat(params[1][0]).isCloseTo(-1.6, within(1e-12));
    }
}
