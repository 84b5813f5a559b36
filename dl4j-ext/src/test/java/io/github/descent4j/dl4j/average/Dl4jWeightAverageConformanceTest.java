package io.github.descent4j.dl4j.average;

import io.github.descent4j.dl4j.updater.TransformChain;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenAverageCase;
import io.github.descent4j.testkit.GoldenAverageCaseWriter;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replays every {@code weight-average} golden case through a real {@link org.deeplearning4j.nn.multilayer.MultiLayerNetwork}
 * ({@link GoldenDenseNetwork}: the case's tensors of any shapes as dense layers, the case's gradients fed to the
 * network's own updater, DL4J's {@code Sgd} for plain SGD and descent4j's {@code heavyBallMomentum | scaleByLearningRate}
 * chain (torch.optim.SGD's momentum) otherwise) with a {@link WeightAveraging} attached: after every step the
 * trained parameters must equal {@code after}, and the average, read by swapping it into the network, {@code average};
 * at 1e-9 relative in a double network and 1e-5 in a float network. Before the start step the listener has no
 * average, and the case's average must still be the initial parameters (torch's copy).
 */
class Dl4jWeightAverageConformanceTest {
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-5;

    @Test
    void everyCaseMatchesThroughADoubleAndAFloatNetwork() {
        runAll(GoldenCases.directory(), DataType.DOUBLE, DOUBLE_TOLERANCE);
        runAll(GoldenCases.directory(), DataType.FLOAT, FLOAT_TOLERANCE);
    }

    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        int written = GoldenAverageCaseWriter.writeSuite(dir, 4, 52);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            assertThat(runAll(dir, type, type == DataType.DOUBLE ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE))
                    .containsOnly(Map.entry("EMA", written / 2), Map.entry("SWA", written / 2));
        }
    }

    @Test
    void anUnknownAlgorithmOrZeroCasesFail(@TempDir Path dir) throws Exception {
        GoldenAverageCaseWriter.writeSuite(dir, 2, 3);
        Files.writeString(dir.resolve("x.json"), Files.readString(dir.resolve("gen-swa-1.json")).replace("\"SWA\"", "\"LAWA\""));
        assertThatThrownBy(() -> runAll(dir, DataType.DOUBLE, DOUBLE_TOLERANCE)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not know").hasMessageContaining("(LAWA): unknown weight-average algorithm");
        Path noAverages = Files.createDirectory(dir.resolve("none"));
        GoldenCaseWriter.gradientSequence(noAverages.resolve("a.json"), "a", "Adam", GoldenCaseWriter.GRADIENT_SEQUENCE_SETTINGS.get("Adam"),
                new int[][]{{3}}, 2, 1, false);
        assertThatThrownBy(() -> runAll(noAverages, DataType.FLOAT, FLOAT_TOLERANCE)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("cases run");
    }

    static Map<String, Integer> runAll(Path dir, DataType type, double tolerance) {
        ConformanceTally tally = new ConformanceTally("Dl4jWeightAverageConformanceTest (" + type + ", " + tolerance + ")", dir);
        for (GoldenCase golden : GoldenAverageCase.of(GoldenCases.load(dir))) {
            GoldenAverageCase c = GoldenAverageCase.read(golden);
            Optional<String> refusal = c.refusal();
            if (refusal.isPresent()) {
                tally.unknown(golden, refusal.get());
                continue;
            }
            replay(c, type, tolerance);
            tally.ran(golden.algorithm());
        }
        return tally.finish();
    }

    private static IUpdater sgd(GoldenAverageCase c) {
        return c.momentum() == 0 ? new Sgd(c.learningRate())
                : new TransformChain(c.learningRate(), "heavyBallMomentum(momentum=" + c.momentum() + ") | scaleByLearningRate()");
    }

    private static void replay(GoldenAverageCase c, DataType type, double tolerance) {
        String name = c.golden().name();
        GoldenDenseNetwork network = new GoldenDenseNetwork(c.golden().tensors(), sgd(c), type);
        WeightAveraging listener = WeightAveraging.of(c.rule());
        network.net.addListeners(listener);
        double[][] initial = c.golden().initialValues();
        int stepNo = 0;
        for (GoldenAverageCase.AverageStep step : c.steps()) {
            stepNo++;
            network.step(step.gradients());
            for (int t = 0; t < network.tensorCount(); t++) {
                assertThatValues(network.values(t)).as("%s %s step %d tensor %d (trained)", name, type, stepNo, t)
                        .isCloseTo(step.after()[t], tolerance);
            }
            if (stepNo <= c.startStep()) {
                assertThat(listener.averagedCount()).as("%s step %d before the start", name, stepNo).isZero();
                for (int t = 0; t < network.tensorCount(); t++) {
                    assertThat(step.average()[t]).as("%s: torch's average before the first update", name).containsExactly(initial[t]);
                }
                continue;
            }
            assertThat(listener.averagedCount()).isEqualTo(stepNo - c.startStep());
            listener.swapIn();
            for (int t = 0; t < network.tensorCount(); t++) {
                assertThatValues(network.values(t)).as("%s %s step %d tensor %d (average)", name, type, stepNo, t)
                        .isCloseTo(step.average()[t], tolerance);
            }
            listener.swapOut();
        }
        assertThat(stepNo).as("steps of %s", name).isPositive();
    }
}
