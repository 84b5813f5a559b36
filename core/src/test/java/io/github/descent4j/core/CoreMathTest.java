package io.github.descent4j.core;

import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.spd.SelectiveProjection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoreMathTest {

    @Test
    void signIsExactForEveryFiniteDoubleAndZeroForZeros() {
        double[] positives = {Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 0.5, 1, 3.7e10, Double.MAX_VALUE};
        for (double x : positives) {
            assertThat(UpdateRule.sign(x)).as("sign(%s)", x).isEqualTo(1.0);
            assertThat(UpdateRule.sign(-x)).as("sign(-%s)", x).isEqualTo(-1.0);
        }
        assertThat(UpdateRule.sign(0.0)).isEqualTo(0.0);
        assertThat(UpdateRule.sign(-0.0)).isZero();
    }

    @Test
    void projectionRatioIsClampedAndGuardsZeroOverZero() {
        assertThat(SelectiveProjection.ratio(0, 0)).isZero();
        assertThat(SelectiveProjection.ratio(2, 1)).isEqualTo(0.5);
        assertThat(SelectiveProjection.ratio(1, 2)).isZero();          // moved toward the anchor: no decay
        assertThat(SelectiveProjection.ratio(1, -5)).isEqualTo(1.0);   // clamped from above
        assertThat(SelectiveProjection.applies(-1e-12)).isTrue();
        assertThat(SelectiveProjection.applies(0)).isFalse();
    }

    @Test
    void flatProjectionStepPullsTowardTheAnchorOnlyWhenTheGradientPointsAway() {
        double[] anchor = {0, 0};
        double[] params = {1, 0};
        double[] proposed = {2, 0};
        // g = (-1, 0): c = −⟨g, θ − θ₀⟩ = 1 > 0, no projection.
        assertThat(SelectiveProjection.step(params.clone(), anchor, new double[]{-1, 0}, proposed.clone(), 0.5)).isFalse();
        // g = (1, 0): c = −1 < 0; r = (2 − 1)/2 = 0.5; θ̃ ← 2 − 0.5·0.5·2 = 1.5.
        double[] p = params.clone();
        assertThat(SelectiveProjection.step(p, anchor, new double[]{1, 0}, proposed.clone(), 0.5)).isTrue();
        assertThat(p).containsExactly(1.5, 0);
    }

    @Test
    void finitenessProbeFindsNaNAndInfinityButNotLargeValues() {
        assertThat(Tensors.allFinite(new double[]{Double.MAX_VALUE, -Double.MAX_VALUE, 0}, 0, 3)).isTrue();
        assertThat(Tensors.allFinite(new double[]{1, Double.NaN}, 0, 2)).isFalse();
        assertThat(Tensors.allFinite(new double[]{1, Double.NEGATIVE_INFINITY}, 0, 2)).isFalse();
        assertThat(Tensors.allFinite(new double[]{1, Double.NaN}, 0, 1)).isTrue();
        assertThatThrownBy(() -> Tensors.requireFinite(3, new double[]{0, 1, Double.NaN}, 0, 3, "flat tensor of 3"))
                .isInstanceOf(NonFiniteGradientException.class)
                .hasMessageContaining("gradient tensor 3").hasMessageContaining("[2]");
    }

    @Test
    void checksNameTheParameterAndTheRange() {
        assertThatThrownBy(() -> Check.positive("learningRate", Double.NaN))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessage("learningRate must be a finite number > 0, got NaN");
        assertThatThrownBy(() -> Check.unitInterval("beta1", 1.0)).hasMessage("beta1 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> Check.nonNegative("weightDecay", Double.NEGATIVE_INFINITY))
                .hasMessageStartingWith("weightDecay must be a finite number >= 0");
        assertThat(((InvalidHyperparameterException) catchThrowable(() -> Check.atLeast("batch", 0, 1))).parameter()).isEqualTo("batch");
        assertThat(Check.unitInterval("beta", 0.0)).isZero();
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void flatOptimizerRejectsMismatchedAndNonFiniteGradientsWithoutStepping() {
        FlatOptimiser o = new FlatOptimiser(new SignumRule(0.9), 0.1, new double[][]{{1, 2}});
        assertThatThrownBy(() -> o.step(new double[][]{{1}})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lossGradients[0] must have 2 elements");
        assertThatThrownBy(() -> o.step(new double[][]{{1, Double.NaN}})).isInstanceOf(NonFiniteGradientException.class);
        assertThat(o.steps()).isZero();
        assertThat(o.parameters()[0]).containsExactly(1, 2);
    }
}
