package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.spd.SelectiveProjection;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
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
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SelectiveProjectionDecay} as configuration: JSON and YAML round trips of
 * {@code MultiLayerConfiguration} and {@code ComputationGraphConfiguration} (before and after anchors were
 * captured), validation, misconfiguration, and the regularisation apply path on its own.
 */
class Dl4jSpdConfigurationTest {
    /** Number of parameters of the test network (4·6 + 6 + 6·3 + 3). */
    private static final int PARAMS = 51;

    private static List<Supplier<List<Regularization>>> factories() {
        INDArray anchor = Nd4j.linspace(DataType.FLOAT, -1, 1, PARAMS);
        return List.of(
                () -> SelectiveProjectionDecay.of(0.5),
                () -> SelectiveProjectionDecay.towardZero(1.25),
                () -> SelectiveProjectionDecay.toward(0.3, anchor));
    }

    private static int occurrences(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    @Test
    void multiLayerAndGraphConfigurationsRoundTripThroughJsonAndYaml() {
        for (Supplier<List<Regularization>> spd : factories()) {
            List<MultiLayerConfiguration> confs = List.of(
                    Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-3), spd),
                    Dl4jSpdNetworkTest.perLayerConf(DataType.FLOAT, new Adam(1e-3), spd));
            for (MultiLayerConfiguration conf : confs) {
                String json = conf.toJson();
                assertThat(json).contains(SelectiveProjectionDecay.class.getName())
                        .contains(SelectiveProjectionDecay.Projection.class.getName());
                MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
                assertThat(back).isEqualTo(conf);
                assertThat(back.toJson()).isEqualTo(json);
                assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
                List<Regularization> restored = ((BaseLayer) back.getConf(1).getLayer()).getRegularizationBias();
                SelectiveProjectionDecay original = (SelectiveProjectionDecay) spd.get().get(0);
                assertThat(restored.get(0)).isEqualTo(original);
                assertThat(((SelectiveProjectionDecay) restored.get(0)).getLambda()).isEqualTo(original.getLambda());
                assertThat(((SelectiveProjectionDecay) restored.get(0)).getAnchorType()).isEqualTo(original.getAnchorType());
                assertThat(restored.get(1)).isInstanceOf(SelectiveProjectionDecay.Projection.class);
            }
            ComputationGraphConfiguration graph = Dl4jSpdNetworkTest.graphConf(DataType.FLOAT, new Adam(1e-3), spd);
            String json = graph.toJson();
            ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
            assertThat(back).isEqualTo(graph);
            assertThat(back.toJson()).isEqualTo(json);
            assertThat(ComputationGraphConfiguration.fromYaml(graph.toYaml())).isEqualTo(graph);
            BaseLayer hidden = (BaseLayer) ((LayerVertex) back.getVertices().get("hidden")).getLayerConf().getLayer();
            assertThat(hidden.getRegularization()).contains(spd.get().get(0));
        }
    }

    @Test
    void anchorsAreWrittenOncePerDocumentAndRestoredExactly() {
        // An explicit anchor used globally (every layer, listed twice, weights and biases): one copy in the JSON.
        INDArray anchor = Nd4j.rand(DataType.FLOAT, 1, PARAMS);
        List<Regularization> spd = SelectiveProjectionDecay.toward(0.3, anchor);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).updater(new Adam(1e-3))
                .regularization(spd).regularizationBias(spd).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        String json = conf.toJson();
        assertThat(occurrences(json, "\"values\"")).as("anchor arrays in the JSON").isEqualTo(1);
        assertThat(occurrences(json, SelectiveProjectionDecay.class.getName() + "\"")).as("condition steps in the JSON").isEqualTo(8);
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        net.init();
        DataSet data = Dl4jSpdNetworkTest.data(DataType.FLOAT);
        net.fit(data);
        INDArray w1 = net.getParam("1_W");
        double[] expected = Arrays.copyOfRange(anchor.toDoubleVector(), (int) w1.offset(), (int) (w1.offset() + w1.length()));
        assertThat(SelectiveProjectionDecay.anchorOf(w1).dup('f').reshape('f', new long[]{w1.length()}).toDoubleVector())
                .as("explicit anchor of 1_W after a JSON round trip").containsExactly(expected);

        // Captured anchors: one segment per parameter array, in a MultiLayerConfiguration and in a graph.
        MultiLayerConfiguration captured = Dl4jSpdNetworkTest.globalConf(DataType.DOUBLE, new Adam(1e-2),
                () -> SelectiveProjectionDecay.of(0.5));
        MultiLayerNetwork trained = new MultiLayerNetwork(captured);
        trained.init();
        trained.fit(Dl4jSpdNetworkTest.data(DataType.DOUBLE));
        String capturedJson = captured.toJson();
        assertThat(occurrences(capturedJson, "\"values\"")).as("captured anchors in the JSON").isEqualTo(4);
        assertThat(capturedJson).contains("\"DOUBLE\"");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(capturedJson);
        assertThat(back).isEqualTo(captured);
        assertThat(back.toJson()).isEqualTo(capturedJson);
        assertThat(MultiLayerConfiguration.fromYaml(captured.toYaml())).isEqualTo(captured);
        assertThat(captured.clone()).isEqualTo(captured);
        assertThat(back).isNotEqualTo(Dl4jSpdNetworkTest.globalConf(DataType.DOUBLE, new Adam(1e-2),
                () -> SelectiveProjectionDecay.of(0.5))).as("a configuration without the anchors differs");

        ComputationGraph graph = new ComputationGraph(Dl4jSpdNetworkTest.graphConf(DataType.FLOAT, new Sgd(0.1),
                () -> SelectiveProjectionDecay.of(0.5)));
        graph.init();
        graph.fit(data);
        String graphJson = graph.getConfiguration().toJson();
        assertThat(occurrences(graphJson, "\"values\"")).isEqualTo(4);
        assertThat(ComputationGraphConfiguration.fromJson(graphJson)).isEqualTo(graph.getConfiguration());
        assertThat(ComputationGraphConfiguration.fromYaml(graph.getConfiguration().toYaml())).isEqualTo(graph.getConfiguration());
    }

    @Test
    void javaSerialisationKeepsSettingsAndAnchors() throws IOException, ClassNotFoundException {
        MultiLayerConfiguration conf = Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-2), () -> SelectiveProjectionDecay.of(0.5));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.fit(Dl4jSpdNetworkTest.data(DataType.FLOAT));
        Regularization condition = ((BaseLayer) conf.getConf(0).getLayer()).getRegularization().get(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(condition);
        }
        Object back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        assertThat(back).isEqualTo(condition).hasToString(condition.toString());
        assertThat(condition.toString()).isEqualTo("SelectiveProjectionDecay(lambda=0.5, anchor=INITIAL, anchorSegments=2)");
    }

    // ---- bad input ----

    @Test
    void invalidLambdaOrAnchorIsRejectedNamingTheParameterAndRange() {
        for (double lambda : new double[]{-1e-3, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            INDArray anchor = Nd4j.ones(DataType.FLOAT, 3);
            List<Runnable> calls = List.of(() -> SelectiveProjectionDecay.of(lambda),
                    () -> SelectiveProjectionDecay.towardZero(lambda),
                    () -> SelectiveProjectionDecay.toward(lambda, anchor));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run).isInstanceOf(InvalidHyperparameterException.class)
                        .hasMessage("lambda must be a finite number >= 0, got " + lambda)
                        .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("lambda"));
            }
        }
        assertThat(((SelectiveProjectionDecay) SelectiveProjectionDecay.of(0).get(0)).getLambda()).as("λ = 0 is allowed").isZero();
        INDArray withNaN = Nd4j.createFromArray(1.0, Double.NaN, 2.0);
        for (INDArray anchor : new INDArray[]{null, Nd4j.empty(DataType.FLOAT), withNaN}) {
            assertThatThrownBy(() -> SelectiveProjectionDecay.toward(0.5, anchor)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("anchor")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("anchor"));
        }
        assertThatThrownBy(() -> SelectiveProjectionDecay.toward(0.5, withNaN)).hasMessageContaining("finite").hasMessageContaining("index 1");
    }

    @Test
    void handEditedJsonIsValidatedToo() {
        String json = Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-3), () -> SelectiveProjectionDecay.of(0.5)).toJson();
        assertThat(json).contains("\"lambda\" : 0.5");
        assertThatThrownBy(() -> MultiLayerConfiguration.fromJson(json.replace("\"lambda\" : 0.5", "\"lambda\" : -2.0")))
                .satisfies(e -> assertThat(causeOfType(e, InvalidHyperparameterException.class))
                        .as("cause naming the parameter").isNotNull()
                        .satisfies(c -> assertThat(c.parameter()).isEqualTo("lambda"))
                        .satisfies(c -> assertThat(c.getMessage()).isEqualTo("lambda must be a finite number >= 0, got -2.0")));
        assertThatThrownBy(() -> MultiLayerConfiguration.fromJson(json.replace("\"anchor\" : \"INITIAL\"", "\"anchor\" : \"EXPLICIT\"")))
                .satisfies(e -> assertThat(causeOfType(e, InvalidHyperparameterException.class).parameter()).isEqualTo("anchor"));
    }

    private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    @Test
    void misconfigurationsFailClearly() {
        DataSet data = Dl4jSpdNetworkTest.data(DataType.FLOAT);
        // An explicit anchor shorter than the network.
        MultiLayerNetwork shortAnchor = new MultiLayerNetwork(Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-3),
                () -> SelectiveProjectionDecay.toward(0.5, Nd4j.zeros(DataType.FLOAT, 30))));
        shortAnchor.init();
        assertThatThrownBy(() -> shortAnchor.fit(data)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("[30, 48)");

        // The projection step without its condition step.
        Supplier<List<Regularization>> projectionOnly = () -> new ArrayList<>(List.of(SelectiveProjectionDecay.of(0.5).get(1)));
        MultiLayerNetwork orphan = new MultiLayerNetwork(Dl4jSpdNetworkTest.perLayerConf(DataType.FLOAT, new Adam(1e-3), projectionOnly));
        orphan.init();
        assertThatThrownBy(() -> orphan.fit(data)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without its condition step");

        // Two different SPD configurations on the same parameters (layer-level, plus a global one DL4J appends).
        MultiLayerNetwork twice = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).regularization(SelectiveProjectionDecay.of(0.3)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).regularization(SelectiveProjectionDecay.of(0.5)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        twice.init();
        assertThatThrownBy(() -> twice.fit(data)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two different Selective Projection Decay configurations");

        // Other regularisations in the same list are fine, and equal SPD configurations count once.
        List<Regularization> mixed = new ArrayList<>(List.of(new L2Regularization(1e-4)));
        mixed.addAll(SelectiveProjectionDecay.of(0.5));
        MultiLayerNetwork ok = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).regularization(SelectiveProjectionDecay.of(0.5)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).regularization(mixed).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        ok.init();
        ok.fit(data);
        assertThat(SelectiveProjectionDecay.updateCount(ok.getParam("0_W"))).isEqualTo(1);
    }

    // ---- the regularisation apply path on its own ----

    @Test
    void theApplyPathMatchesTheCoreOnContiguousAndStridedArraysOfEveryPrecision() {
        Nd4j.getRandom().setSeed(3);
        double[] theta = Nd4j.randn(DataType.DOUBLE, 1, 10).toDoubleVector();
        double[] anchor = Nd4j.randn(DataType.DOUBLE, 1, 10).toDoubleVector();
        double[] g = Nd4j.randn(DataType.DOUBLE, 1, 10).toDoubleVector();
        double[] u = new double[10];
        double c = 0;
        for (int i = 0; i < 10; i++) {
            u[i] = 0.3 * g[i];
            c -= g[i] * (theta[i] - anchor[i]);
        }
        if (!SelectiveProjection.applies(c)) {   // make the projection apply
            for (int i = 0; i < 10; i++) {
                g[i] = -g[i];
                u[i] = -u[i];
            }
        }
        double[] expected = theta.clone();
        double[] proposed = new double[10];
        for (int i = 0; i < 10; i++) {
            proposed[i] = theta[i] - u[i];
        }
        assertThat(SelectiveProjection.step(expected, anchor.clone(), g, proposed, 0.8)).isTrue();
        // The anchor and θ are rounded to each precision below; compare with the double reference loosely there.

        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT, DataType.HALF}) {
            for (boolean strided : new boolean[]{false, true}) {
                // A column of a c-ordered [10, 2] matrix is not contiguous: it takes the heap-copy path.
                INDArray params = strided ? Nd4j.create(type, 10, 2).getColumn(1) : Nd4j.create(type, 1, 10);
                INDArray grad = strided ? Nd4j.create(type, 10, 2).getColumn(0) : Nd4j.create(type, 1, 10);
                List<Regularization> spd = SelectiveProjectionDecay.of(0.8);
                // Update 0 at θ = anchor captures it (c = 0: nothing moves); update 1 starts from θ.
                params.assign(Nd4j.createFromArray(anchor).reshape(params.shape()));
                grad.assign(Nd4j.createFromArray(g).reshape(grad.shape()));
                spd.get(0).apply(params, grad, 0.1, 0, 0);
                spd.get(1).apply(params, grad, 0.1, 0, 0);
                assertThat(grad.toDoubleVector()).as("no projection at the anchor")
                        .containsExactly(Nd4j.createFromArray(g).castTo(type).toDoubleVector());
                params.assign(Nd4j.createFromArray(theta).reshape(params.shape()));
                spd.get(0).apply(params, grad, 0.1, 1, 0);
                grad.assign(Nd4j.createFromArray(u).reshape(grad.shape()));
                spd.get(1).apply(params, grad, 0.1, 1, 0);
                spd.get(1).apply(params, grad, 0.1, 1, 0);   // a duplicate projection step is a no-op
                params.subi(grad);
                double tolerance = type == DataType.DOUBLE ? 1e-12 : type == DataType.FLOAT ? 1e-6 : 5e-3;
                double[] actual = params.toDoubleVector();
                for (int i = 0; i < 10; i++) {
                    assertThat(actual[i]).as("%s %s [%d]", type, strided ? "strided" : "contiguous", i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance * Math.max(1, Math.abs(expected[i]))));
                }
                assertThat(SelectiveProjectionDecay.applicationCount(params)).isEqualTo(1);
                assertThat(SelectiveProjectionDecay.updateCount(params)).isEqualTo(2);
            }
        }
    }
}
