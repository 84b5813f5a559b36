package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.spd.SelectiveProjection;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.profiler.ProfilerConfig;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SelectiveProjectionDecay} in real DL4J networks trained with {@code fit}: agreement with the
 * framework-free reference per tensor, global versus per-layer configuration (one instance shared by all
 * layers and listed twice by DL4J), anchors per parameter array, {@code ModelSerializer} save → restore →
 * continue, {@code clone()}, one configuration shared by two networks, and workspaces.
 */
class Dl4jSpdNetworkTest {
    private static final double LAMBDA = 0.7;

    static DataSet data(DataType dataType) {
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.randn(dataType, 16, 4);
        INDArray labels = Nd4j.zeros(dataType, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    private static DenseLayer.Builder hidden() {
        return new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH);
    }

    private static OutputLayer.Builder output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX);
    }

    private static NeuralNetConfiguration.Builder base(DataType dataType, IUpdater updater, WorkspaceMode workspaces) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(dataType).updater(updater)
                .trainingWorkspaceMode(workspaces).inferenceWorkspaceMode(workspaces);
    }

    /** SPD configured once for the whole network (weights and biases), as a user would write it. */
    static MultiLayerConfiguration globalConf(DataType dataType, IUpdater updater, Supplier<List<Regularization>> spd) {
        return globalConf(dataType, updater, spd, WorkspaceMode.ENABLED);
    }

    static MultiLayerConfiguration globalConf(DataType dataType, IUpdater updater, Supplier<List<Regularization>> spd,
                                              WorkspaceMode workspaces) {
        return base(dataType, updater, workspaces)
                .regularization(spd.get())
                .regularizationBias(spd.get())
                .list()
                .layer(hidden().build())
                .layer(output().build())
                .build();
    }

    /** SPD configured on each layer, with its own instances. */
    static MultiLayerConfiguration perLayerConf(DataType dataType, IUpdater updater, Supplier<List<Regularization>> spd) {
        return base(dataType, updater, WorkspaceMode.ENABLED).list()
                .layer(hidden().regularization(spd.get()).regularizationBias(spd.get()).build())
                .layer(output().regularization(spd.get()).regularizationBias(spd.get()).build())
                .build();
    }

    static ComputationGraphConfiguration graphConf(DataType dataType, IUpdater updater, Supplier<List<Regularization>> spd) {
        return base(dataType, updater, WorkspaceMode.ENABLED)
                .regularization(spd.get())
                .regularizationBias(spd.get())
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", hidden().build(), "in")
                .addLayer("out", output().build(), "hidden")
                .setOutputs("out")
                .build();
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static void fit(MultiLayerNetwork net, DataSet data, int steps) {
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
    }

    private static Map<String, double[]> paramsByName(MultiLayerNetwork net) {
        Map<String, double[]> out = new LinkedHashMap<>();
        net.paramTable().forEach((name, p) -> out.put(name, p.dup('f').reshape('f', new long[]{p.length()}).toDoubleVector()));
        return out;
    }

    private static double[] anchorByName(MultiLayerNetwork net, String name) {
        INDArray anchor = SelectiveProjectionDecay.anchorOf(net.getParam(name));
        assertThat(anchor).as("anchor of %s", name).isNotNull();
        return anchor.dup('f').reshape('f', new long[]{anchor.length()}).toDoubleVector();
    }

    private static long applications(MultiLayerNetwork net) {
        long sum = 0;
        for (String name : net.paramTable().keySet()) {
            sum += SelectiveProjectionDecay.applicationCount(net.getParam(name));
        }
        return sum;
    }

    // ---- the math in a fitted network ----

    @Test
    void aFittedNetworkMatchesTheFrameworkFreeReferencePerTensor() {
        DataSet data = data(DataType.DOUBLE);
        double lr = 0.1;
        record Case(String name, Supplier<List<Regularization>> spd, IUpdater updater, boolean zeroAnchor) {}
        List<Case> cases = List.of(
                new Case("Adam, initial anchor", () -> SelectiveProjectionDecay.of(LAMBDA), new Adam(lr), false),
                new Case("Adam, zero anchor", () -> SelectiveProjectionDecay.towardZero(LAMBDA), new Adam(lr), true),
                new Case("Sgd, initial anchor", () -> SelectiveProjectionDecay.of(LAMBDA), new Sgd(1.5), false));
        for (Case c : cases) {
            MultiLayerNetwork net = init(globalConf(DataType.DOUBLE, c.updater(), c.spd()));
            List<INDArray> tensors = new ArrayList<>(net.paramTable().values());
            double[] theta = net.params().toDoubleVector();
            double[] anchor = c.zeroAnchor() ? new double[theta.length] : theta.clone();
            int n = theta.length;
            long stateSize = c.updater().stateSize(n);
            GradientUpdater<?> reference = c.updater().clone().instantiate(
                    stateSize == 0 ? null : Nd4j.create(DataType.DOUBLE, stateSize), true);
            for (int step = 0; step < 8; step++) {
                net.setInput(data.getFeatures());
                net.setLabels(data.getLabels());
                net.computeGradientAndScore();
                double[] g = net.gradient().gradient().toDoubleVector();
                for (int i = 0; i < n; i++) {
                    g[i] /= data.numExamples();   // DL4J divides the summed gradient by the minibatch size
                }
                INDArray u = Nd4j.createFromArray(g.clone());
                reference.applyUpdater(u, step, 0);
                double[] update = u.toDoubleVector();
                int at = 0;
                for (INDArray tensor : tensors) {
                    int len = (int) tensor.length();
                    double[] t = Arrays.copyOfRange(theta, at, at + len);
                    double[] proposed = new double[len];
                    for (int i = 0; i < len; i++) {
                        proposed[i] = t[i] - update[at + i];
                    }
                    SelectiveProjection.step(t, Arrays.copyOfRange(anchor, at, at + len), Arrays.copyOfRange(g, at, at + len),
                            proposed, LAMBDA);
                    System.arraycopy(t, 0, theta, at, len);
                    at += len;
                }
                net.fit(data);
                assertThatValues(net.params().toDoubleVector()).as("%s step %d", c.name(), step).isCloseTo(theta, 1e-12);
            }
            assertThat(applications(net)).as("%s: steps × tensors where the projection applied", c.name()).isPositive();
        }
    }

    @Test
    void aGlobalConfigurationSharedByAllLayersAndListedTwiceEqualsPerLayerInstancesWithAnchorsPerArray() {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork global = init(globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA)));
        MultiLayerNetwork perLayer = init(perLayerConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA)));
        assertThat(perLayer.params().toDoubleVector()).containsExactly(global.params().toDoubleVector());

        // How DL4J 1.0.0-M2.1 wires the global list: one condition instance in every layer, listed twice.
        List<Regularization> layer0 = ((BaseLayer) global.getLayerWiseConfigurations().getConf(0).getLayer()).getRegularization();
        List<Regularization> layer1 = ((BaseLayer) global.getLayerWiseConfigurations().getConf(1).getLayer()).getRegularization();
        assertThat(layer0).hasSize(4);
        assertThat(layer0.get(0)).isInstanceOf(SelectiveProjectionDecay.class).isSameAs(layer0.get(2)).isSameAs(layer1.get(0));

        Map<String, double[]> initial = paramsByName(global);
        fit(global, data, 6);
        fit(perLayer, data, 6);
        assertThat(global.params().toDoubleVector()).as("global (shared, duplicated) vs per-layer SPD")
                .containsExactly(perLayer.params().toDoubleVector());
        for (String name : initial.keySet()) {
            assertThat(anchorByName(global, name)).as("anchor of %s is its own initial value", name).containsExactly(initial.get(name));
            assertThat(SelectiveProjectionDecay.updateCount(global.getParam(name))).as("updates of %s", name).isEqualTo(6);
        }
        assertThat(applications(global)).isPositive();

        // Without SPD the trajectory is different, so the comparison above is not vacuous.
        MultiLayerNetwork plain = init(base(DataType.FLOAT, new Adam(0.1), WorkspaceMode.ENABLED).list()
                .layer(hidden().build()).layer(output().build()).build());
        fit(plain, data, 6);
        assertThat(plain.params().toDoubleVector()).isNotEqualTo(global.params().toDoubleVector());
    }

    // ---- persistence ----

    @Test
    void modelSerializerSaveRestoreContinueIsBitIdentical() throws IOException {
        DataSet data = data(DataType.FLOAT);
        Supplier<List<Regularization>> spd = () -> SelectiveProjectionDecay.of(LAMBDA);
        MultiLayerNetwork net = init(globalConf(DataType.FLOAT, new Adam(0.1), spd));
        Map<String, double[]> initial = paramsByName(net);
        fit(net, data, 4);
        long appliedBefore = applications(net);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        MultiLayerConfiguration restoredConf = restored.getLayerWiseConfigurations().clone();
        INDArray restoredParams = restored.params().dup();
        INDArray restoredUpdater = restored.getUpdater().getStateViewArray().dup();

        fit(net, data, 5);
        fit(restored, data, 5);
        assertThat(applications(net)).as("projections after the save").isGreaterThan(appliedBefore);
        assertThat(restored.params().toDoubleVector()).as("restored and continued vs never stopped")
                .containsExactly(net.params().toDoubleVector());
        for (String name : initial.keySet()) {
            assertThat(anchorByName(restored, name)).as("restored anchor of %s", name).containsExactly(initial.get(name));
        }

        // Controls: the same restored parameters, updater state and iteration, once with the restored
        // configuration (must match: the harness is faithful) and once with a fresh SPD that re-anchors at the
        // restored parameters (must not: the persisted anchor is what makes the continuation identical).
        for (boolean keepAnchor : new boolean[]{true, false}) {
            MultiLayerConfiguration conf = keepAnchor ? restoredConf.clone() : globalConf(DataType.FLOAT, new Adam(0.1), spd);
            conf.setIterationCount(restoredConf.getIterationCount());
            conf.setEpochCount(restoredConf.getEpochCount());
            MultiLayerNetwork control = new MultiLayerNetwork(conf);
            control.init(restoredParams.dup(), false);
            control.getUpdater().setStateViewArray(control, restoredUpdater.dup(), false);
            fit(control, data, 5);
            if (keepAnchor) {
                assertThat(control.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
            } else {
                assertThat(control.params().toDoubleVector()).as("re-anchored at the restore")
                        .isNotEqualTo(net.params().toDoubleVector());
            }
        }

        // Without the updater state the anchor is still restored (it is configuration, not updater state).
        ByteArrayOutputStream noUpdater = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, noUpdater, false);
        MultiLayerNetwork fresh = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(noUpdater.toByteArray()), false);
        fit(fresh, data, 1);
        for (String name : initial.keySet()) {
            assertThat(anchorByName(fresh, name)).as("anchor of %s restored without updater state", name)
                    .containsExactly(initial.get(name));
        }
    }

    @Test
    void aComputationGraphSavedAndRestoredContinuesBitIdentically() throws IOException {
        DataSet data = data(DataType.FLOAT);
        ComputationGraph graph = new ComputationGraph(graphConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA)));
        graph.init();
        INDArray initialHidden = graph.getParam("hidden_W").dup();
        for (int i = 0; i < 4; i++) {
            graph.fit(data);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        for (int i = 0; i < 5; i++) {
            graph.fit(data);
            restored.fit(data);
        }
        assertThat(restored.params().toDoubleVector()).containsExactly(graph.params().toDoubleVector());
        assertThat(SelectiveProjectionDecay.anchorOf(restored.getParam("hidden_W"))).isEqualTo(initialHidden);
        long applied = 0;
        for (String name : graph.paramTable().keySet()) {
            applied += SelectiveProjectionDecay.applicationCount(graph.getParam(name));
        }
        assertThat(applied).isPositive();
    }

    @Test
    void aClonedNetworkKeepsTheAnchorAndContinuesIdentically() {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork net = init(globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA)));
        Map<String, double[]> initial = paramsByName(net);
        fit(net, data, 3);
        MultiLayerNetwork copy = net.clone();
        fit(net, data, 4);
        fit(copy, data, 4);
        assertThat(copy.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
        assertThat(anchorByName(copy, "0_W")).containsExactly(initial.get("0_W"));
    }

    @Test
    void aConfigurationSharedByTwoNetworksAnchorsEachAtItsOwnStartButCannotBeSerialised() {
        DataSet data = data(DataType.FLOAT);
        MultiLayerConfiguration conf = globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA));
        MultiLayerNetwork first = init(conf);
        MultiLayerNetwork second = new MultiLayerNetwork(conf);
        second.init(first.params().mul(0.5), true);
        double[] firstW = paramsByName(first).get("0_W");
        double[] secondW = paramsByName(second).get("0_W");
        first.fit(data);
        second.fit(data);
        assertThat(anchorByName(first, "0_W")).containsExactly(firstW);
        assertThat(anchorByName(second, "0_W")).containsExactly(secondW);
        assertThatThrownBy(conf::toJson).hasStackTraceContaining("conf.clone()");

        // One configuration per network: each serialises its own anchors.
        MultiLayerConfiguration own = globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA));
        MultiLayerNetwork third = new MultiLayerNetwork(own.clone());
        third.init();
        third.fit(data);
        assertThat(third.getLayerWiseConfigurations().toJson()).contains("anchorSegments");
    }

    @Test
    void spdCanBeAddedToALoadedPretrainedNetworkForFineTuning() throws IOException {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork pretraining = init(base(DataType.FLOAT, new Adam(0.05), WorkspaceMode.ENABLED).list()
                .layer(hidden().build()).layer(output().build()).build());
        fit(pretraining, data, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(pretraining, bytes, false);

        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), false);
        Map<String, double[]> pretrained = paramsByName(net);
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            BaseLayer conf = (BaseLayer) layer.conf().getLayer();
            conf.setRegularization(SelectiveProjectionDecay.of(LAMBDA));
            conf.setRegularizationBias(SelectiveProjectionDecay.of(LAMBDA));
        }
        fit(net, data, 3);
        for (String name : pretrained.keySet()) {
            assertThat(anchorByName(net, name)).as("anchor of %s is the pre-trained value", name).containsExactly(pretrained.get(name));
        }
        assertThat(net.getLayerWiseConfigurations().toJson()).as("saved with the model").contains("anchorSegments");
    }

    // ---- workspaces ----

    @Test
    void trainingWithWorkspacesEqualsTrainingWithoutAndLeavesNoWorkspaceOpen() {
        DataSet data = data(DataType.FLOAT);
        OpExecutioner executioner = Nd4j.getExecutioner();
        executioner.setProfilingConfig(ProfilerConfig.builder().checkWorkspaces(true).build());
        try {
            MultiLayerNetwork with = init(globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA),
                    WorkspaceMode.ENABLED));
            MultiLayerNetwork without = init(globalConf(DataType.FLOAT, new Adam(0.1), () -> SelectiveProjectionDecay.of(LAMBDA),
                    WorkspaceMode.NONE));
            for (int i = 0; i < 6; i++) {
                with.fit(data);
                without.fit(data);
                assertThat(Nd4j.getMemoryManager().getCurrentWorkspace()).as("workspace open after fit").isNull();
            }
            assertThat(with.params().toDoubleVector()).containsExactly(without.params().toDoubleVector());
            assertThat(applications(with)).isPositive();
            // The anchors are heap copies: reading them after many workspace cycles is safe and exact.
            INDArray anchor = SelectiveProjectionDecay.anchorOf(with.getParam("1_W"));
            assertThat(anchor.isAttached()).isFalse();
        } finally {
            executioner.setProfilingConfig(ProfilerConfig.builder().build());
            executioner.setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
        }
    }
}
