package io.github.descent4j.tribuo.optim;

import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.Optimisers;
import io.github.descent4j.core.NonFiniteGradientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Conventions every descent4j rule optimiser shares in Tribuo: weights, NaN, laziness, copies. */
class UpdateRuleOptimiserSemanticsTest {
    private static final int[][] SHAPES = {{3, 4}, {4}};

    static Stream<Arguments> optimisers() {
        return Optimisers.ruleOptimisers().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static ArrayParameters parameters(long seed) {
        Random r = new Random(seed);
        double[][] values = new double[SHAPES.length][];
        for (int t = 0; t < SHAPES.length; t++) {
            int n = SHAPES[t].length == 1 ? SHAPES[t][0] : SHAPES[t][0] * SHAPES[t][1];
            values[t] = r.doubles(n, -1, 1).toArray();
        }
        return new ArrayParameters(SHAPES, values);
    }

    private static Tensor[] gradient(long seed) {
        ArrayParameters p = parameters(seed + 1000);
        Tensor[] out = new Tensor[SHAPES.length];
        for (int t = 0; t < SHAPES.length; t++) {
            out[t] = p.get()[t].copy();
        }
        return out;
    }

    private static double[][] snapshot(ArrayParameters p) {
        return p.get().length == 0 ? new double[0][] : java.util.Arrays.stream(p.get()).map(ArrayParameters::flat).toArray(double[][]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void weightScalesTheLearningRateOfTheStep(String name, DoubleFunction<UpdateRuleOptimiser> factory) {
        ArrayParameters weighted = parameters(1);
        ArrayParameters scaled = parameters(1);
        UpdateRuleOptimiser a = factory.apply(0.1);
        UpdateRuleOptimiser b = factory.apply(0.1 * 0.3);
        a.initialise(weighted);
        b.initialise(scaled);
        for (int s = 0; s < 3; s++) {
            weighted.update(a.step(gradient(s), 0.3));
            scaled.update(b.step(gradient(s), 1.0));
        }
        double[][] x = snapshot(weighted);
        double[][] y = snapshot(scaled);
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                assertThat(x[t][i]).as("%s tensor %d [%d]", name, t, i).isCloseTo(y[t][i], within(1e-12));
            }
        }
        assertThat(x[0]).as("the weighted steps moved the parameters").isNotEqualTo(snapshot(parameters(1))[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void nonFiniteGradientIsReportedAndChangesNothing(String name, DoubleFunction<UpdateRuleOptimiser> factory) {
        ArrayParameters p = parameters(2);
        ArrayParameters twin = parameters(2);
        UpdateRuleOptimiser optimiser = factory.apply(0.05);
        UpdateRuleOptimiser reference = factory.apply(0.05);
        optimiser.initialise(p);
        reference.initialise(twin);
        p.update(optimiser.step(gradient(1), 1.0));
        twin.update(reference.step(gradient(1), 1.0));

        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY}) {
            Tensor[] poisoned = gradient(2);
            ((DenseMatrix) poisoned[0]).set(1, 2, bad);
            assertThatThrownBy(() -> optimiser.step(poisoned, 1.0))
                    .isInstanceOf(NonFiniteGradientException.class)
                    .hasMessageContaining("gradient tensor 0")
                    .hasMessageContaining("[1, 2]")
                    .hasMessageContaining(String.valueOf(bad));
        }
        assertThat(optimiser.getStepCount()).isEqualTo(1);
        // State untouched: the next finite step agrees exactly with an optimiser that never saw the NaN.
        p.update(optimiser.step(gradient(3), 1.0));
        twin.update(reference.step(gradient(3), 1.0));
        assertThat(snapshot(p)).isDeepEqualTo(snapshot(twin));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void sparseGradientsUpdateOnlyTheActiveCoordinates(String name, DoubleFunction<UpdateRuleOptimiser> factory) {
        ArrayParameters p = parameters(3);
        UpdateRuleOptimiser optimiser = factory.apply(0.05);
        optimiser.initialise(p);
        p.update(optimiser.step(gradient(4), 1.0));   // a dense step first, so every buffer is non-zero
        double[][] before = snapshot(p);
        Tensor[] bufferBefore = new Tensor[optimiser.getStepCount() > 0 && hasBuffer(optimiser) ? 1 : 0];
        if (bufferBefore.length == 1) {
            bufferBefore[0] = optimiser.getStateBuffer(0, 0).copy();
        }

        // Row 0 has columns 1 and 3 active, rows 1-2 are empty; the vector tensor has index 2 active.
        DenseSparseMatrix sparse = new DenseSparseMatrix(List.of(
                SparseVector.createSparseVector(4, new int[]{1, 3}, new double[]{0.5, -0.25}),
                SparseVector.createSparseVector(4, new int[0], new double[0]),
                SparseVector.createSparseVector(4, new int[0], new double[0])));
        SparseVector sparseBias = SparseVector.createSparseVector(4, new int[]{2}, new double[]{0.75});
        Tensor[] update = optimiser.step(new Tensor[]{sparse, sparseBias}, 1.0);
        assertThat(update[0]).isInstanceOf(DenseSparseMatrix.class);
        p.update(update);
        double[][] after = snapshot(p);
        for (int i = 0; i < 12; i++) {
            boolean active = i == 1 || i == 3;
            if (active) {
                assertThat(after[0][i]).as("%s active coordinate %d moved", name, i).isNotEqualTo(before[0][i]);
            } else {
                assertThat(after[0][i]).as("%s inactive coordinate %d", name, i).isEqualTo(before[0][i]);
                if (bufferBefore.length == 1) {
                    DenseMatrix buf = (DenseMatrix) optimiser.getStateBuffer(0, 0);
                    assertThat(buf.get(i / 4, i % 4)).as("%s lazy state at %d", name, i)
                            .isEqualTo(((DenseMatrix) bufferBefore[0]).get(i / 4, i % 4));
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            if (i == 2) {
                assertThat(after[1][i]).isNotEqualTo(before[1][i]);
            } else {
                assertThat(after[1][i]).isEqualTo(before[1][i]);
            }
        }
    }

    private static boolean hasBuffer(UpdateRuleOptimiser o) {
        try {
            o.getStateBuffer(0, 0);
            return true;
        } catch (ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void copyKeepsEveryConfiguredFieldAndHasIndependentState(String name, DoubleFunction<UpdateRuleOptimiser> factory) {
        UpdateRuleOptimiser original = factory.apply(0.07);
        UpdateRuleOptimiser copy = original.copy();
        assertThat(copy).isNotSameAs(original);
        assertThat(copy.getProvenance()).isEqualTo(original.getProvenance());
        assertThat(copy.toString()).isEqualTo(original.toString());

        ArrayParameters p = parameters(5);
        ArrayParameters q = parameters(5);
        original.initialise(p);
        copy.initialise(q);
        p.update(original.step(gradient(6), 1.0));
        p.update(original.step(gradient(7), 1.0));
        q.update(copy.step(gradient(7), 1.0));
        assertThat(copy.getStepCount()).isEqualTo(1);
        assertThat(original.getStepCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void resetForgetsTheParameters(String name, DoubleFunction<UpdateRuleOptimiser> factory) {
        UpdateRuleOptimiser optimiser = factory.apply(0.1);
        optimiser.initialise(parameters(8));
        optimiser.step(gradient(8), 1.0);
        optimiser.reset();
        assertThatThrownBy(() -> optimiser.step(gradient(9), 1.0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("initialise");
        assertThat(optimiser.getStepCount()).isZero();
    }

    @Test
    void mismatchedGradientShapeIsRejected() {
        SignSGD optimiser = new SignSGD(0.1);
        optimiser.initialise(parameters(9));
        Tensor[] wrong = {new DenseMatrix(4, 3), gradient(1)[1]};
        assertThatThrownBy(() -> optimiser.step(wrong, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradient tensor 0").hasMessageContaining("[4, 3]");
    }

    @Test
    void normalizedSgdTakesAZeroStepOnAZeroGradient() {
        ArrayParameters p = parameters(10);
        double[][] before = snapshot(p);
        NormalizedSGD optimiser = new NormalizedSGD(0.5, 0.9);
        optimiser.initialise(p);
        Tensor[] zero = p.getEmptyCopy();
        p.update(optimiser.step(zero, 1.0));
        assertThat(snapshot(p)).isDeepEqualTo(before);
    }

    @Test
    void adaGradNormAccumulatesTheSquaredGlobalNorm() {
        ArrayParameters p = parameters(11);
        AdaGradNorm optimiser = new AdaGradNorm(0.5, 0.3);
        optimiser.initialise(p);
        assertThat(optimiser.getAccumulatedSquare()).isEqualTo(0.09);
        double expected = 0.09;
        for (int s = 0; s < 3; s++) {
            Tensor[] g = gradient(s);
            expected += g[0].twoNorm() * g[0].twoNorm() + g[1].twoNorm() * g[1].twoNorm();
            p.update(optimiser.step(g, 1.0));
        }
        assertThat(optimiser.getAccumulatedSquare()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void tribuoAdamIsWrongWhereOursMatchesTheClosedForm() {
        // One coordinate, g = 0.5 (loss gradient), lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
        // Adam's first step is lr * m̂ / (√v̂ + ε) = 0.1 * 0.5 / (0.5 + 1e-8), almost exactly lr.
        double expectedStep = 0.1 * 0.5 / (0.5 + 1e-8);
        double ours = firstStep(new Adam(0.1, 0.9, 0.999, 1e-8), 1.0);
        double tribuo = firstStep(new org.tribuo.math.optimisers.Adam(0.1, 0.9, 0.999, 1e-8), 1.0);
        assertThat(ours).isCloseTo(-expectedStep, within(1e-15));
        // Tribuo 4.3.2 multiplies by √v + ε instead of dividing: a step about 4000 times too small.
        assertThat(Math.abs(tribuo)).isLessThan(Math.abs(ours) / 1000);
        // ...and ignores the example weight, which ours honours.
        assertThat(firstStep(new Adam(0.1, 0.9, 0.999, 1e-8), 0.5)).isCloseTo(ours * 0.5, within(1e-15));
        assertThat(firstStep(new org.tribuo.math.optimisers.Adam(0.1, 0.9, 0.999, 1e-8), 0.5)).isEqualTo(tribuo);
    }

    private static double firstStep(org.tribuo.math.StochasticGradientOptimiser optimiser, double weight) {
        ArrayParameters p = new ArrayParameters(new int[][]{{1}}, new double[][]{{0.0}});
        optimiser.initialise(p);
        Tensor[] negated = {ArrayParameters.dense(new int[]{1}, new double[]{-0.5})};
        p.update(optimiser.step(negated, weight));
        return ArrayParameters.flat(p.get()[0])[0];
    }
}
