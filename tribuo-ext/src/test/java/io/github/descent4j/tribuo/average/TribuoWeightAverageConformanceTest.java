package io.github.descent4j.tribuo.average;

import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenAverageCase;
import io.github.descent4j.testkit.GoldenAverageCaseWriter;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import io.github.descent4j.tribuo.ArrayParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.SGD;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replays every {@code weight-average} golden case through {@link WeightAveraging} over Tribuo's own {@code SGD}
 * (torch.optim.SGD's momentum is Tribuo's STANDARD momentum) on parameters of the case's tensors (rank ≥ 3 as the
 * matrix [d₀, d₁·…·dₖ]), with the negated gradients Tribuo's objectives hand optimisers: after every step the
 * parameters must equal {@code after} and {@link WeightAveraging#average()} {@code average} (the initial
 * parameters until the first update, as torch), at 1e-9 relative; after {@code finalise} the parameters hold the
 * last average.
 */
class TribuoWeightAverageConformanceTest {
    private static final double TOLERANCE = 1e-9;

    @Test
    void everyWeightAverageCaseMatches() {
        runAll(GoldenCases.directory());
    }

    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        int written = GoldenAverageCaseWriter.writeSuite(dir, 5, 63);
        assertThat(runAll(dir)).containsOnly(Map.entry("EMA", written / 2), Map.entry("SWA", written / 2));
    }

    @Test
    void anUnknownAlgorithmOrZeroCasesFail(@TempDir Path dir) throws Exception {
        GoldenAverageCaseWriter.writeSuite(dir, 2, 4);
        Files.writeString(dir.resolve("x.json"), Files.readString(dir.resolve("gen-ema-2.json")).replace("\"EMA\"", "\"Polyak\""));
        assertThatThrownBy(() -> runAll(dir)).isInstanceOf(AssertionError.class).hasMessageContaining("does not know")
                .hasMessageContaining("(Polyak): unknown weight-average algorithm");
        Path noAverages = Files.createDirectory(dir.resolve("none"));
        GoldenCaseWriter.gradientSequence(noAverages.resolve("a.json"), "a", "Adam", GoldenCaseWriter.GRADIENT_SEQUENCE_SETTINGS.get("Adam"),
                new int[][]{{3}}, 2, 1, false);
        assertThatThrownBy(() -> runAll(noAverages)).isInstanceOf(AssertionError.class).hasMessageContaining("cases run");
    }

    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("TribuoWeightAverageConformanceTest", dir);
        for (GoldenCase golden : GoldenAverageCase.of(GoldenCases.load(dir))) {
            GoldenAverageCase c = GoldenAverageCase.read(golden);
            Optional<String> refusal = c.refusal();
            if (refusal.isPresent()) {
                tally.unknown(golden, refusal.get());
                continue;
            }
            replay(c);
            tally.ran(golden.algorithm());
        }
        return tally.finish();
    }

    static int[] tribuoShape(int[] shape) {
        if (shape.length <= 2) {
            return shape;
        }
        int rest = 1;
        for (int i = 1; i < shape.length; i++) {
            rest *= shape[i];
        }
        return new int[]{shape[0], rest};
    }

    private static void replay(GoldenAverageCase c) {
        String name = c.golden().name();
        int[][] shapes = c.golden().tensors().stream().map(t -> tribuoShape(t.shape())).toArray(int[][]::new);
        ArrayParameters params = new ArrayParameters(shapes, c.golden().initialValues());
        StochasticGradientOptimiser sgd = c.momentum() == 0 ? SGD.getSimpleSGD(c.learningRate())
                : SGD.getSimpleSGD(c.learningRate(), c.momentum(), SGD.Momentum.STANDARD);
        WeightAveraging averaging = new WeightAveraging(sgd, c.rule());
        averaging.initialise(params);
        int stepNo = 0;
        double[][] last = null;
        for (GoldenAverageCase.AverageStep step : c.steps()) {
            stepNo++;
            Tensor[] negated = new Tensor[shapes.length];
            for (int t = 0; t < shapes.length; t++) {
                double[] g = step.gradients()[t].clone();
                for (int i = 0; i < g.length; i++) {
                    g[i] = -g[i];   // Tribuo objectives hand optimisers the negative loss gradient
                }
                negated[t] = ArrayParameters.dense(shapes[t], g);
            }
            params.update(averaging.step(negated, 1.0));
            double[][] average = averaging.average();
            for (int t = 0; t < shapes.length; t++) {
                assertThatValues(ArrayParameters.flat(params.get()[t])).as("%s step %d tensor %d (trained)", name, stepNo, t)
                        .isCloseTo(step.after()[t], TOLERANCE);
                assertThatValues(average[t]).as("%s step %d tensor %d (average)", name, stepNo, t)
                        .isCloseTo(step.average()[t], TOLERANCE);
            }
            last = step.average();
        }
        assertThat(stepNo).as("steps of %s", name).isPositive();
        assertThat(averaging.averagedCount()).isEqualTo(Math.max(0, stepNo - c.startStep()));
        double[][] trained = new double[shapes.length][];
        for (int t = 0; t < shapes.length; t++) {
            trained[t] = ArrayParameters.flat(params.get()[t]);
        }
        averaging.finalise();
        for (int t = 0; t < shapes.length; t++) {
            assertThatValues(ArrayParameters.flat(params.get()[t])).as("%s tensor %d after finalise", name, t)
                    .isCloseTo(averaging.averagedCount() > 0 ? last[t] : trained[t], TOLERANCE);
        }
    }
}
