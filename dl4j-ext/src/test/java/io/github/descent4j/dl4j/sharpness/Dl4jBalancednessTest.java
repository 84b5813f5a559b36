package io.github.descent4j.dl4j.sharpness;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link BalancednessAwareTraining} on real networks: the nBAR/oBAR golden cases at 1e-9, the balancedness
 * accessor, invalid pairs, JSON.
 * <p>
 * <b>Golden mapping.</b> A case's {@code f = ½‖X Yᵀ − M‖²} (X m×r, Y n×r) is a two-layer network (identity
 * activations, no biases, DOUBLE): layer 0's {@code W} (m×r) is X, layer 1's {@code W} (r×n) is Yᵀ, and the
 * minibatch is the m×m identity, so the output is X Yᵀ. DL4J's {@link LossL2} sums squares and its updater
 * divides the gradient by the minibatch size m, so inputs and targets M are scaled by c = √(m/2): the updater
 * then sees exactly ∇f, and the reported score is f. The pair is (layer 0 W, layer 1 W), whose product is
 * X Yᵀ; ‖Yᵀ‖ = ‖Y‖ and ‖∇_{Yᵀ}‖ = ‖∇_Y‖, so decisions and B are those of the case.
 */
class Dl4jBalancednessTest {
    private static final double TOLERANCE = 1e-9;

    private record Factorization(int m, int n, int r, double[] target) {
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

    private static NeuralNetConfiguration.Builder base(double lr) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).updater(new Sgd(lr));
    }

    private static Model factorNetwork(Factorization f, double lr, boolean graph) {
        DenseLayer first = new DenseLayer.Builder().nIn(f.m()).nOut(f.r()).activation(Activation.IDENTITY).hasBias(false).build();
        OutputLayer second = new OutputLayer.Builder(new LossL2()).nIn(f.r()).nOut(f.n()).activation(Activation.IDENTITY).hasBias(false).build();
        if (graph) {
            ComputationGraph g = new ComputationGraph(base(lr).graphBuilder().addInputs("in")
                    .addLayer("x", first, "in").addLayer("y", second, "x").setOutputs("y").build());
            g.init();
            return g;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(base(lr).list().layer(first).layer(second).build());
        net.init();
        return net;
    }

    private static INDArray param(Model model, boolean graph, int layer) {
        return model.getParam(graph ? (layer == 0 ? "x_W" : "y_W") : layer + "_W");
    }

    @Test
    void nbarAndObarCasesMatchThroughAMultiLayerNetwork() {
        replayAll(false);
    }

    @Test
    void nbarAndObarCasesMatchThroughAComputationGraph() {
        replayAll(true);
    }

    private static void replayAll(boolean graph) {
        Map<String, Integer> ran = new TreeMap<>();
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.all(), "function")) {
            if (c.algorithm().equals("nBAR") || c.algorithm().equals("oBAR")) {
                replay(c, graph);
                ran.merge(c.algorithm() + "/" + c.json().path("hyperparameters").path("schedule").asText(), 1, Integer::sum);
            }
        }
        System.out.println("Dl4jBalancednessTest (" + (graph ? "ComputationGraph" : "MultiLayerNetwork") + "): cases run " + ran);
        assertThat(ran.values().stream().mapToInt(Integer::intValue).sum()).as("BAR golden cases replayed").isPositive();
        assertThat(ran.keySet()).as("variants covered").anyMatch(k -> k.startsWith("nBAR")).anyMatch(k -> k.startsWith("oBAR"));
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

        Model model = factorNetwork(f, lr, graph);
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

    /** Dense 4→3 → Dense 3→3 → BatchNorm → output 3→2: pairs that exist, and several that do not fit. */
    private static MultiLayerNetwork mixedNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(base(0.1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.IDENTITY).hasBias(false).build())
                .layer(new DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.IDENTITY).hasBias(true).updater(new Adam(0.01)).build())
                .layer(new BatchNormalization.Builder().nIn(3).nOut(3).build())
                .layer(new OutputLayer.Builder(new LossL2()).nIn(3).nOut(2).activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void invalidPairsFailWhenAttachedWithAMessageNamingTheProblem() {
        MultiLayerNetwork net = mixedNetwork();
        AlphaScheduleConfig alpha = AlphaScheduleConfig.constant(0.1);
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 7, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pair 0").hasMessageContaining("no layer '7'");
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 3, "A")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parameter 'A'").hasMessageContaining("[W, b]");
        // x = layer 3's W (3×2), y = layer 0's W (4×3): 2 columns against 4 rows
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(3, "W", 0, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns must equal y's rows")
                .hasMessageContaining("[3, 2]").hasMessageContaining("[4, 3]");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 3, "b")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrices");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 2, "mean")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoOp");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 3, "W"), FactorPair.of(0, "W", 1, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pair 1").hasMessageContaining("appears twice");
        // x (Sgd 0.1) and y (Adam 0.01) have different learning rates
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 1, "W")).attachTo(net))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("learning rate");
        assertThat(net.getListeners()).as("nothing attached after a failure").isEmpty();

        BalancednessAwareTraining ok = BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 3, "W")).attachTo(net);
        assertThat(net.getListeners()).containsExactly(ok);
    }

    @Test
    void balancednessIsHalfTheDifferenceOfSquaredNormsAndBarMovesIt() {
        MultiLayerNetwork net = mixedNetwork();
        INDArray x = net.getParam("0_W");
        INDArray y = net.getParam("3_W");
        double expected = 0.5 * (x.norm2Number().doubleValue() * x.norm2Number().doubleValue()
                - y.norm2Number().doubleValue() * y.norm2Number().doubleValue());
        BalancednessAwareTraining bar = BalancednessAwareTraining.obar(AlphaScheduleConfig.constant(2.0), FactorPair.of(0, "W", 3, "W"));
        assertThat(bar.balancedness(net)).hasSize(1);
        assertThat(bar.balancedness(net)[0]).isCloseTo(expected, within(1e-12));

        // oBAR shrinks the larger factor, so |B| falls faster than with the same training without BAR
        MultiLayerNetwork plain = net.clone();
        bar.attachTo(net);
        var random = new java.util.Random(4);
        double[][] features = new double[16][4];
        double[][] labels = new double[16][2];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 4; j++) {
                features[i][j] = random.nextGaussian();
            }
            labels[i][0] = random.nextGaussian();
            labels[i][1] = random.nextGaussian();
        }
        DataSet data = new DataSet(Nd4j.create(features).castTo(DataType.DOUBLE), Nd4j.create(labels).castTo(DataType.DOUBLE));
        for (int i = 0; i < 20; i++) {
            net.fit(data);
            plain.fit(data);
        }
        double withBar = Math.abs(bar.balancedness(net)[0]);
        double without = Math.abs(bar.balancedness(plain)[0]);
        assertThat(withBar).as("|B| with oBAR vs without").isLessThan(0.9 * without);
    }

    @Test
    void configurationRoundTripsThroughJsonAndValidates() throws Exception {
        List<BalancednessAwareTraining> configs = List.of(
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.5), FactorPair.of(0, "W", 1, "W")),
                BalancednessAwareTraining.obar(AlphaScheduleConfig.linear(1.0, 100), FactorPair.weights("a", "b"), FactorPair.of("lora", "A", "lora", "B")),
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.cosine(0.2, 50), FactorPair.of(2, "W", 3, "W")));
        for (BalancednessAwareTraining bar : configs) {
            String json = bar.toJson();
            BalancednessAwareTraining back = BalancednessAwareTraining.fromJson(json);
            assertThat(back).isEqualTo(bar).hasSameHashCodeAs(bar);
            assertThat(back.toJson()).isEqualTo(json);
            assertThat(new ObjectMapper().readValue(json, BalancednessAwareTraining.class)).isEqualTo(bar);
            assertThat(back.getAlpha().schedule().alpha(0)).isEqualTo(bar.getAlpha().getAlpha0());
        }
        assertThatThrownBy(() -> AlphaScheduleConfig.constant(-0.1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> AlphaScheduleConfig.linear(Double.NaN, 10)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> AlphaScheduleConfig.cosine(0.1, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one factor pair");
        assertThatThrownBy(() -> FactorPair.of("0", " ", "1", "W")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("xParam");
        String bad = configs.get(0).toJson().replace("\"alpha0\":0.5", "\"alpha0\":-1.0");
        assertThatThrownBy(() -> BalancednessAwareTraining.fromJson(bad)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha");
    }
}
