package io.github.descent4j.dl4j.updater;

import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every gradient-sequence golden case of the DL4J updaters ({@link #UPDATERS}) through the
 * {@link GradientUpdater}, the way a DL4J updater block runs it:
 * <ul>
 *   <li>the case's tensors are concatenated into one block (so global norms run over all of them);</li>
 *   <li>the state view is sized as DL4J sizes it, {@code Σ stateSize(nᵢ)} over the tensors, and lives at
 *       an offset inside a larger array filled with NaN (DL4J allocates it uninitialised; the guard cells
 *       must stay untouched); the gradient is also a view at an offset;</li>
 *   <li>after {@code applyUpdater}, Lion's and AdamW's decoupled decay is DL4J's own {@link WeightDecay} with the
 *       learning rate applied (the post-updater regularisation step), then the update is subtracted.</li>
 * </ul>
 * Every step is compared with the float64 reference: at 1e-9 relative in double precision and 1e-5 in
 * float, ND4J's default.
 */
class Dl4jGoldenConformanceTest {
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-5;

    /** Algorithms of gradient-sequence cases this module implements, mapped to their configuration. */
    static final Map<String, Function<GoldenCase, UpdateRuleUpdater>> UPDATERS = Map.of(
            "SignSGD", c -> new SignSGD(c.hyperparameter("learningRate"), c.hyperparameter("momentum")),
            "Signum", c -> new Signum(c.hyperparameter("learningRate"), c.hyperparameter("beta")),
            "Lion", c -> new Lion(c.hyperparameter("learningRate"), c.hyperparameter("beta1"), c.hyperparameter("beta2")),
            "NormalizedSGD", c -> new NormalizedSGD(c.hyperparameter("learningRate"), c.hyperparameter("momentum")),
            "AdaGradNorm", c -> new AdaGradNorm(c.hyperparameter("learningRate"), c.hyperparameter("b0")),
            "Adam", c -> new Adam(c.hyperparameter("learningRate"), c.hyperparameter("beta1"), c.hyperparameter("beta2"),
                    c.hyperparameter("epsilon")),
            "AdamW", c -> new AdamW(c.hyperparameter("learningRate"), c.hyperparameter("beta1"), c.hyperparameter("beta2"),
                    c.hyperparameter("epsilon"), c.hyperparameter("weightDecay")));

    /**
     * The hyperparameters the replays of this module implement, per algorithm (with SGD, the clip base): a case that
     * switches on any other (torch's {@code amsgrad}, {@code maximize}, Adam's coupled {@code weightDecay}, …) is
     * refused rather than replayed without it. {@code weightDecay} is read only where it is decoupled (Lion, AdamW),
     * which is how the replays apply it.
     */
    static final Map<String, Set<String>> READS = Map.of(
            "SignSGD", Set.of("learningRate", "momentum"),
            "Signum", Set.of("learningRate", "beta"),
            "Lion", Set.of("learningRate", "beta1", "beta2", "weightDecay"),
            "NormalizedSGD", Set.of("learningRate", "momentum"),
            "AdaGradNorm", Set.of("learningRate", "b0"),
            "Adam", Set.of("learningRate", "beta1", "beta2", "epsilon"),
            "AdamW", Set.of("learningRate", "beta1", "beta2", "epsilon", "weightDecay"),
            "SGD", Set.of("learningRate", "momentum", "nesterov"));

    /** The settings {@code c} switches on that the replays here do not implement (empty when none). */
    static List<String> unreadSettings(GoldenCase c) {
        return c.unreadSettings(READS.getOrDefault(c.algorithm(), Set.of()));
    }

    /**
     * Gradient-sequence algorithms this module does not implement as an updater: DL4J's own baselines and AdamSPD,
     * which {@code Dl4jSpdGoldenConformanceTest} replays.
     */
    static final Map<String, String> ELSEWHERE = Map.of("SGD", "a DL4J baseline", "AdaGrad", "a DL4J baseline",
            "AdamSPD", "replayed by Dl4jSpdGoldenConformanceTest",
            "ClipByGlobalNorm", "a listener over the network: replayed by Dl4jNetworkGoldenConformanceTest");

    @Test
    void everyCaseMatchesInDoublePrecision() {
        runAll(GoldenCases.directory(), DataType.DOUBLE, DOUBLE_TOLERANCE);
    }

    @Test
    void everyCaseMatchesInFloat() {
        runAll(GoldenCases.directory(), DataType.FLOAT, FLOAT_TOLERANCE);
    }

    /** Generated cases of one, two and three tensors of unrelated shapes (a vector, [2, 5], [4, 1, 3]), every algorithm. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 31);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            Map<String, Integer> ran = runAll(dir, type, type == DataType.DOUBLE ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE);
            assertThat(ran).containsOnlyKeys(UPDATERS.keySet()).allSatisfy((algorithm, n) ->
                    assertThat(n).as(algorithm).isEqualTo(GoldenCaseWriter.UNRELATED_SHAPES.length));
        }
    }

    /** Replays every case of {@code dir} with a DL4J updater here; fails on an unknown algorithm or when none ran. */
    static Map<String, Integer> runAll(Path dir, DataType dataType, double tolerance) {
        ConformanceTally tally = new ConformanceTally("Dl4jGoldenConformanceTest (" + dataType + ", " + tolerance + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (UPDATERS.containsKey(c.algorithm()) && !unreadSettings(c).isEmpty()) {
                tally.unknown(c, "settings the DL4J replay does not implement: " + unreadSettings(c));
            } else if (UPDATERS.containsKey(c.algorithm())) {
                replay(c, dataType, tolerance);
                tally.ran(c.algorithm());
            } else if (ELSEWHERE.containsKey(c.algorithm())) {
                tally.skipped(c.algorithm() + ": " + ELSEWHERE.get(c.algorithm()));
            } else {
                tally.unknown(c, "no DL4J updater");
            }
        }
        return tally.finish();
    }

    private static void replay(GoldenCase c, DataType dataType, double tolerance) {
        UpdateRuleUpdater config = UPDATERS.get(c.algorithm()).apply(c);
        if (config instanceof AdamW adamW) {
            config = adamW.withDecayInstalled();   // this replay applies the WeightDecay itself, as the block does
        }
        double[][] initial = c.initialValues();
        int[] offsets = new int[initial.length + 1];
        long stateLength = 0;
        for (int t = 0; t < initial.length; t++) {
            offsets[t + 1] = offsets[t] + initial[t].length;
            stateLength += config.stateSize(initial[t].length);   // DL4J sums stateSize per parameter variable
        }
        int n = offsets[initial.length];
        int guard = 3;
        INDArray stateHost = Nd4j.create(dataType, guard + stateLength + guard).assign(Double.NaN);
        INDArray view = stateHost.get(NDArrayIndex.interval(guard, guard + stateLength));
        GradientUpdater<?> updater = config.instantiate(view, true);
        INDArray params = Nd4j.createFromArray(concat(initial, n)).castTo(dataType);
        INDArray gradientHost = Nd4j.create(dataType, 2 + n + 5);
        INDArray gradient = gradientHost.get(NDArrayIndex.interval(2, 2 + n));
        double weightDecay = c.hyperparameter("weightDecay", 0.0);
        int iteration = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            gradient.assign(Nd4j.createFromArray(concat(step.gradients(), n)).castTo(dataType));
            updater.applyUpdater(gradient, iteration, 0);
            if (weightDecay != 0) {
                new WeightDecay(weightDecay, true).apply(params, gradient, config.getLearningRate(iteration, 0), iteration, 0);
            }
            params.subi(gradient);
            iteration++;
            for (int t = 0; t < initial.length; t++) {
                double[] actual = params.get(NDArrayIndex.interval(offsets[t], offsets[t + 1])).toDoubleVector();
                assertThatValues(actual).as("%s %s step %d tensor %d", c.name(), dataType, iteration, t)
                        .isCloseTo(step.after()[t], tolerance);
            }
        }
        assertThat(iteration).as("steps in " + c.name()).isPositive();
        assertThat(((UpdateRuleGradientUpdater) updater).getStepCount()).isEqualTo(iteration);
        double[] host = stateHost.toDoubleVector();
        for (int i = 0; i < guard; i++) {
            assertThat(host[i]).as("guard cell before the view").isNaN();
            assertThat(host[host.length - 1 - i]).as("guard cell after the view").isNaN();
        }
        for (int i = guard; i < host.length - guard; i++) {
            assertThat(host[i]).as("state value %d of %s", i - guard, c.name()).isFinite();
        }
    }

    private static double[] concat(double[][] tensors, int n) {
        double[] out = new double[n];
        int at = 0;
        for (double[] t : tensors) {
            System.arraycopy(t, 0, out, at, t.length);
            at += t.length;
        }
        return out;
    }
}
