package io.github.descent4j.core.spd;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.SgdRule;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The {@link SelectiveProjectionDecay} wrapper on its own: the stated update, the anchors, and bad input. */
class SelectiveProjectionDecayTest {

    @Test
    void projectsTheBaseProposalBackByTheStatedRule() {
        // θ = (1, 0), θ₀ = 0, g = (1, −3): c = −⟨g, θ⟩ = −1 < 0. SGD lr 1: θ̃ = (0, 3), d = 1, ‖θ̃‖ = 3,
        // r = 2/3, λ = 0.5: θ̃ ← θ̃ − (1/3) θ̃ = (0, 2).
        double[][] p = {{1, 0}};
        SelectiveProjectionDecay spd = SelectiveProjectionDecay.towardZero(new FlatOptimiser(new SgdRule(), 1.0, p), 0.5);
        spd.step(new double[][]{{1, -3}});
        assertThat(p[0]).containsExactly(new double[]{0, 2}, within(1e-15));
        assertThat(spd.lastApplied()).containsExactly(true);
        assertThat(spd.steps()).isEqualTo(1);

        // g = (−1, −3): c = 1 > 0, the proposal stands: θ̃ = (0, 2) − (−1, −3) = (1, 5)
        spd.step(new double[][]{{-1, -3}});
        assertThat(p[0]).containsExactly(1, 5);
        assertThat(spd.lastApplied()).containsExactly(false);
    }

    @Test
    void decidesPerTensorAndLeavesTheParametersAloneUntilStep() {
        double[][] p = {{1, 0}, {2}};
        SelectiveProjectionDecay spd = SelectiveProjectionDecay.towardZero(new FlatOptimiser(new SgdRule(), 1.0, p), 0.5);
        double[][] step = spd.proposeStep(new double[][]{{1, -3}, {-1}});
        assertThat(p).isDeepEqualTo(new double[][]{{1, 0}, {2}});
        assertThat(spd.lastApplied()).containsExactly(true, false);   // tensor 1: c = −(−1)(2) = 2 > 0
        assertThat(step[0]).containsExactly(new double[]{1, -2}, within(1e-15));   // θ − θ̃
        assertThat(step[1]).containsExactly(-1.0);
    }

    @Test
    void theDefaultAnchorIsACopyOfTheParametersAtConstructionAndExplicitAnchorsAreCopied() {
        double[][] p = {{1, 2}, {3}};
        SelectiveProjectionDecay spd = new SelectiveProjectionDecay(new FlatOptimiser(new SgdRule(), 0.1, p), 1.0);
        p[0][0] = 7;
        assertThat(spd.anchor()).isDeepEqualTo(new double[][]{{1, 2}, {3}});
        double[][] anchor = {{0, 1}, {5}};
        SelectiveProjectionDecay explicit = new SelectiveProjectionDecay(new FlatOptimiser(new SgdRule(), 0.1, p), 1.0, anchor);
        anchor[1][0] = 9;
        assertThat(explicit.anchor()).isDeepEqualTo(new double[][]{{0, 1}, {5}});
        assertThat(SelectiveProjectionDecay.towardZero(new FlatOptimiser(new SgdRule(), 0.1, p), 1.0).anchor())
                .isDeepEqualTo(new double[][]{{0, 0}, {0}});
        assertThat(explicit.lambda()).isEqualTo(1.0);
        assertThat(explicit.lastApplied()).containsExactly(false, false);
    }

    @Test
    void agreesWithTheOneTensorStaticStepOverAdam() {
        Random random = new Random(11);
        double[][] p = {random.doubles(5, -1, 1).toArray(), random.doubles(3, -1, 1).toArray()};
        double[][] anchor = {random.doubles(5, -1, 1).toArray(), random.doubles(3, -1, 1).toArray()};
        double[][] q = {p[0].clone(), p[1].clone()};
        SelectiveProjectionDecay spd = new SelectiveProjectionDecay(new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.05, p),
                0.8, anchor);
        FlatOptimiser adam = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.05, q);
        int applied = 0;
        int notApplied = 0;
        for (int step = 0; step < 12; step++) {
            double[][] g = {random.doubles(5, -1, 1).toArray(), random.doubles(3, -1, 1).toArray()};
            double[][] u = adam.proposeStep(g);
            for (int t = 0; t < q.length; t++) {
                double[] proposed = q[t].clone();
                for (int i = 0; i < proposed.length; i++) {
                    proposed[i] -= u[t][i];
                }
                boolean a = SelectiveProjection.step(q[t], anchor[t], g[t], proposed, 0.8);
                applied += a ? 1 : 0;
                notApplied += a ? 0 : 1;
            }
            spd.step(g);
            for (int t = 0; t < q.length; t++) {
                for (int i = 0; i < q[t].length; i++) {   // θ − (θ − θ̃) against θ̃: rounding only
                    assertThat(p[t][i]).as("step %d tensor %d [%d]", step, t, i).isCloseTo(q[t][i], within(1e-15));
                }
            }
        }
        assertThat(applied).isPositive();
        assertThat(notApplied).isPositive();
    }

    @Test
    void badInputNamesTheParameter() {
        double[][] p = {{1, 2}, {3}};
        FlatOptimiser base = new FlatOptimiser(new SgdRule(), 0.1, p);
        assertThatThrownBy(() -> new SelectiveProjectionDecay(null, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("base must not be null");
        assertThatThrownBy(() -> new SelectiveProjectionDecay(null, 0.5, new double[][]{{0}})).hasMessageStartingWith("base");
        assertThatThrownBy(() -> SelectiveProjectionDecay.towardZero(null, 0.5)).hasMessageStartingWith("base");
        for (double lambda : new double[]{-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new SelectiveProjectionDecay(base, lambda))
                    .isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("lambda").hasMessageContaining(">= 0")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("lambda"));
        }
        assertThatThrownBy(() -> new SelectiveProjectionDecay(base, 0.5, new double[][]{{0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("anchor must have 2 tensors, got 1");
        assertThatThrownBy(() -> new SelectiveProjectionDecay(base, 0.5, new double[][]{{0, 0}, {0, 0}}))
                .hasMessage("anchor[1] must have 1 elements, got 2");
        assertThatThrownBy(() -> new SelectiveProjectionDecay(base, 0.5, new double[][]{{0, 0}, null}))
                .hasMessage("anchor[1] must have 1 elements, got null");
        assertThatThrownBy(() -> new SelectiveProjectionDecay(base, 0.5, null)).hasMessage("anchor must have 2 tensors, got null");

        SelectiveProjectionDecay spd = new SelectiveProjectionDecay(base, 0.5);
        assertThatThrownBy(() -> spd.step(new double[][]{{1, 2}})).hasMessage("lossGradients must have 2 tensors, got 1");
        assertThatThrownBy(() -> spd.step(new double[][]{{1, 2}, {Double.NaN}})).isInstanceOf(NonFiniteGradientException.class);
        assertThat(spd.steps()).isZero();
        assertThat(p).isDeepEqualTo(new double[][]{{1, 2}, {3}});
    }
}
