package io.github.descent4j.dl4j.sharpness;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link BalancednessAwareTraining} on real networks: the nBAR/oBAR golden cases at 1e-9 (the unit tests are in
 * {@code Dl4jBalancednessTest}). The factorisation mapping below also serves SAM/ASAM factorisation cases in
 * {@code Dl4jSharpnessGoldenConformanceTest}.
 * <p>
 * <b>Golden mapping.</b> A case's {@code f = ½‖X Yᵀ − M‖²} (X m×r, Y n×r) is a two-layer network (identity
 * activations, no biases, DOUBLE): layer 0's {@code W} (m×r) is X, layer 1's {@code W} (r×n) is Yᵀ, and the
 * minibatch is the m×m identity, so the output is X Yᵀ. DL4J's {@link LossL2} sums squares and its updater
 * divides the gradient by the minibatch size m, so inputs and targets M are scaled by c = √(m/2): the updater
 * then sees exactly ∇f, and the reported score is f. The pair is (layer 0 W, layer 1 W), whose product is
 * X Yᵀ; ‖Yᵀ‖ = ‖Y‖ and ‖∇_{Yᵀ}‖ = ‖∇_Y‖, so decisions and B are those of the case.
 */
class Dl4jBalancednessGoldenConformanceTest {
    private static final double TOLERANCE = 1e-9;

    record Factorization(int m, int n, int r, double[] target) {
        static Factorization of(GoldenCase c) {
            JsonNode p = c.json().path("problem");
            assertThat(p.path("type").asText()).as("%s problem", c.name()).isEqualTo("factorization");
            return new Factorization(p.path("m").asInt(), p.path("n").asInt(), p.path("r").asInt(), GoldenCase.toDoubleArray(p.path("M")));
        }

        DataSet dataSet() {
            double c = Math.sqrt(m / 2.0);
            INDArray input = Nd4j.eye(m).castTo(DataType.DOUBLE).muli(c);
            INDArray labels = Nd4j.create(target, new long[]{m, n}, 'c').castTo(DataType.DOUBLE).muli(c);
            return new DataSet(input, labels);
        }
    }

    /** The two-layer network of the class comment, X and Yᵀ as its weights, with {@code updater}. */
    static Model factorNetwork(Factorization f, IUpdater updater, boolean graph) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).updater(updater);
        DenseLayer first = new DenseLayer.Builder().nIn(f.m()).nOut(f.r()).activation(Activation.IDENTITY).hasBias(false).build();
        OutputLayer second = new OutputLayer.Builder(new LossL2()).nIn(f.r()).nOut(f.n()).activation(Activation.IDENTITY).hasBias(false).build();
        if (graph) {
            ComputationGraph g = new ComputationGraph(base.graphBuilder().addInputs("in")
                    .addLayer("x", first, "in").addLayer("y", second, "x").setOutputs("y").build());
            g.init();
            return g;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(base.list().layer(first).layer(second).build());
        net.init();
        return net;
    }

    static INDArray param(Model model, boolean graph, int layer) {
        return model.getParam(graph ? (layer == 0 ? "x_W" : "y_W") : layer + "_W");
    }

    /** nBAR and oBAR balance two factors of a network: only their factorisation cases have one. */
    private static final Set<String> BAR = Set.of("nBAR", "oBAR");

    @Test
    void nbarAndObarCasesMatchThroughAMultiLayerNetwork() {
        runAll(GoldenCases.directory(), false);
    }

    @Test
    void nbarAndObarCasesMatchThroughAComputationGraph() {
        runAll(GoldenCases.directory(), true);
    }

    /** Generated factorisation cases of both variants (X [4, 2], Y [3, 2]). */
    @Test
    void generatedCasesMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 51);
        assertThat(runAll(dir, false)).containsExactlyInAnyOrderEntriesOf(Map.of("nBAR/linear", 1, "oBAR/linear", 1));
        assertThat(runAll(dir, true)).containsOnlyKeys("nBAR/linear", "oBAR/linear");
    }

    /**
     * Replays every nBAR/oBAR factorisation case of {@code dir}; quadratic BAR cases (no factor pair in a network)
     * and SAM/ASAM cases (replayed by {@code Dl4jSharpnessGoldenConformanceTest}) are counted as skipped. Fails on an
     * unknown algorithm or when none ran.
     */
    static Map<String, Integer> runAll(Path dir, boolean graph) {
        ConformanceTally tally = new ConformanceTally("Dl4jBalancednessGoldenConformanceTest ("
                + (graph ? "ComputationGraph" : "MultiLayerNetwork") + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), "function")) {
            String type = c.json().path("problem").path("type").asText();
            if (Dl4jSharpnessGoldenConformanceTest.SAM.contains(c.algorithm())) {
                tally.skipped(c.algorithm() + ": replayed by Dl4jSharpnessGoldenConformanceTest");
            } else if (!BAR.contains(c.algorithm())) {
                tally.unknown(c, "not a sharpness-aware method");
            } else if (type.equals("quadratic")) {
                tally.skipped(c.algorithm() + " on a quadratic: no factor pair of layers");
            } else if (type.equals("factorization")) {
                replay(c, graph);
                tally.ran(c.algorithm() + "/" + c.json().path("hyperparameters").path("schedule").asText());
            } else {
                tally.unknown(c, "unknown problem type '" + type + "'");
            }
        }
        return tally.finish();
    }

    private static void replay(GoldenCase c, boolean graph) {
        assertThat(c.json().path("hyperparameters").path("base").asText()).as("%s base", c.name()).isEqualTo("SGD");
        Factorization f = Factorization.of(c);
        double lr = c.hyperparameter("learningRate");
        double alpha0 = c.hyperparameter("alpha0");
        int steps = c.steps().size();
        String schedule = c.json().path("hyperparameters").path("schedule").asText();
        AlphaScheduleConfig alpha = switch (schedule) {
            case "constant" -> AlphaScheduleConfig.constant(alpha0);
            case "linear" -> AlphaScheduleConfig.linear(alpha0, steps);
            case "cosine" -> AlphaScheduleConfig.cosine(alpha0, steps);
            default -> throw new AssertionError(c.name() + ": unknown schedule " + schedule);
        };
        FactorPair pair = graph ? FactorPair.weights("x", "y") : FactorPair.of(0, "W", 1, "W");
        BalancednessAwareTraining bar = c.algorithm().equals("nBAR")
                ? BalancednessAwareTraining.nbar(alpha, pair) : BalancednessAwareTraining.obar(alpha, pair);

        Model model = factorNetwork(f, new Sgd(lr), graph);
        double[][] initial = c.initialValues();
        param(model, graph, 0).assign(Nd4j.create(initial[0], new long[]{f.m(), f.r()}, 'c'));
        param(model, graph, 1).assign(Nd4j.create(initial[1], new long[]{f.n(), f.r()}, 'c').transpose());
        bar.attachTo(model);
        DataSet data = f.dataSet();
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            Dl4jSharpnessGoldenConformanceTest.fit(model, data);
            stepNo++;
            double[] x = param(model, graph, 0).dup('c').reshape(f.m() * f.r()).toDoubleVector();
            double[] y = param(model, graph, 1).transpose().dup('c').reshape(f.n() * f.r()).toDoubleVector();
            assertThatValues(x).as("%s step %d X", c.name(), stepNo).isCloseTo(step.after()[0], TOLERANCE);
            assertThatValues(y).as("%s step %d Y", c.name(), stepNo).isCloseTo(step.after()[1], TOLERANCE);
            double expectedB = BalancednessAwareRegularization.balancedness(step.after()[0], step.after()[1]);
            assertThat(bar.balancedness(model)[0]).as("%s step %d B", c.name(), stepNo)
                    .isCloseTo(expectedB, within(TOLERANCE * Math.max(1, Math.abs(expectedB))));
        }
        assertThat(stepNo).isPositive();
    }
}
