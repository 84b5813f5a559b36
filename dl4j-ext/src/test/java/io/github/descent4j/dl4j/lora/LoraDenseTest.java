package io.github.descent4j.dl4j.lora;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.Adam;
import io.github.descent4j.dl4j.updater.AdamW;
import io.github.descent4j.dl4j.updater.Lion;
import io.github.descent4j.dl4j.updater.NormalizedSGD;
import io.github.descent4j.dl4j.updater.SignSGD;
import io.github.descent4j.dl4j.updater.Signum;
import io.github.descent4j.dl4j.updater.TransformChain;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LoraDense in real networks: frozen W and b under every updater, persistence, workspaces, graphs, gradient checks. */
class LoraDenseTest {

    private static NeuralNetConfiguration.Builder base(IUpdater updater, DataType type, WorkspaceMode mode) {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(type).updater(updater)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode);
    }

    private static MultiLayerConfiguration lora(IUpdater updater, boolean regularised, WorkspaceMode mode) {
        NeuralNetConfiguration.Builder b = base(updater, DataType.DOUBLE, mode);
        if (regularised) {
            b.l2(0.01);
        }
        return b.list()
                .layer(new LoraDense.Builder().nIn(5).nOut(6).rank(2).alpha(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
    }

    private static DataSet data(int seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i + seed) % 3, 1.0);
        }
        return new DataSet(Nd4j.randn(DataType.DOUBLE, n, 5), labels);
    }

    @Test
    void frozenMeansFrozenUnderEveryUpdaterAndGlobalRegularisation() {
        List<IUpdater> updaters = List.of(new SignSGD(0.01, 0.9), new Signum(0.01, 0.9), new Lion(1e-3), new NormalizedSGD(0.05, 0.9),
                new AdaGradNorm(0.5, 0.1), new Adam(0.01), new TransformChain(0.01, "scaleByAdam() | scaleByLearningRate()"),
                new org.nd4j.linalg.learning.config.Adam(0.01), new org.nd4j.linalg.learning.config.Nesterovs(0.05, 0.9));
        for (IUpdater updater : updaters) {
            for (boolean weightDecay : new boolean[]{false, true}) {
                MultiLayerConfiguration conf = lora(updater, !weightDecay, WorkspaceMode.ENABLED);
                if (weightDecay) {   // per layer: the global builder's weightDecay is registered twice in M2.1
                    conf = base(updater, DataType.DOUBLE, WorkspaceMode.ENABLED).list()
                            .layer(new LoraDense.Builder().nIn(5).nOut(6).rank(2).alpha(4).activation(Activation.TANH)
                                    .weightDecay(0.1, true).weightDecayBias(0.1, true).build())
                            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                                    .activation(Activation.SOFTMAX).build()).build();
                }
                assertFrozen(new MultiLayerNetwork(conf), updater + (weightDecay ? " + WeightDecay" : " + L2"));
            }
        }
        // the global builder's weightDecay (registered twice per layer in M2.1) must not reach W and b either
        MultiLayerConfiguration globalDecay = base(new Adam(0.01), DataType.DOUBLE, WorkspaceMode.ENABLED).weightDecay(0.1, true).list()
                .layer(new LoraDense.Builder().nIn(5).nOut(6).rank(2).alpha(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        assertFrozen(new MultiLayerNetwork(globalDecay), "Adam + global weightDecay");
        MultiLayerConfiguration installed = AdamW.install(lora(AdamW.builder().learningRate(0.01).weightDecay(0.2).build(), false,
                WorkspaceMode.ENABLED));
        assertFrozen(new MultiLayerNetwork(installed), "AdamW");
    }

    private static void assertFrozen(MultiLayerNetwork net, String what) {
        net.init();
        double[] w = flat(net.getLayer(0).getParam("W").dup());
        double[] b = flat(net.getLayer(0).getParam("b").dup());
        double[] a = flat(net.getLayer(0).getParam("A").dup());
        for (int i = 0; i < 5; i++) {
            net.fit(data(i, 8));
        }
        assertThat(flat(net.getLayer(0).getParam("W"))).as("%s W", what).containsExactly(w);
        assertThat(flat(net.getLayer(0).getParam("b"))).as("%s b", what).containsExactly(b);
        assertThat(flat(net.getLayer(0).getParam("A"))).as("%s A trains", what).isNotEqualTo(a);
        assertThat(flat(net.getLayer(0).getParam("B"))).as("%s B trains", what).isNotEqualTo(new double[12]);
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(-1).toDoubleVector();
    }

    @Test
    void aNewAdapterLeavesTheOutputOfTheDenseLayerUnchanged() {
        MultiLayerNetwork net = new MultiLayerNetwork(lora(new Adam(0.01), false, WorkspaceMode.ENABLED));
        net.init();
        INDArray x = data(1, 4).getFeatures();
        INDArray w = net.getLayer(0).getParam("W");
        INDArray plain = Activation.TANH.getActivationFunction().getActivation(x.mmul(w).addiRowVector(net.getLayer(0).getParam("b")), false);
        assertThat(flat(net.feedForwardToLayer(0, x).get(1))).containsExactly(flat(plain));
        double bound = 1 / Math.sqrt(5);
        for (double v : flat(net.getLayer(0).getParam("A"))) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void configurationRoundTripsAndARestoredNetworkContinuesBitIdentically() throws Exception {
        MultiLayerConfiguration conf = lora(new Adam(0.01), true, WorkspaceMode.ENABLED);
        assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
        assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.fit(data(1, 8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        for (int i = 2; i < 5; i++) {
            net.fit(data(i, 8));
            restored.fit(data(i, 8));
        }
        assertThat(restored.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
    }

    @Test
    void workspacesOnAndOffGiveIdenticalGradientsAndAGraphTrainsLikeTheNetwork() {
        MultiLayerNetwork on = new MultiLayerNetwork(lora(new Adam(0.01), false, WorkspaceMode.ENABLED));
        on.init();
        on.getLayer(0).getParam("B").assign(Nd4j.randn(DataType.DOUBLE, 2, 6));
        MultiLayerNetwork off = new MultiLayerNetwork(lora(new Adam(0.01), false, WorkspaceMode.NONE));
        off.init();
        off.setParams(on.params().dup());
        for (int i = 0; i < 3; i++) {
            DataSet batch = data(i, 8);
            for (MultiLayerNetwork net : List.of(on, off)) {
                net.setInput(batch.getFeatures());
                net.setLabels(batch.getLabels());
                net.computeGradientAndScore();
            }
            assertThat(off.gradient().gradient().toDoubleVector()).as("batch %d", i)
                    .containsExactly(on.gradient().gradient().toDoubleVector());
            assertThat(off.score()).isEqualTo(on.score());
        }
        ComputationGraphConfiguration graphConf = base(new Adam(0.01), DataType.DOUBLE, WorkspaceMode.ENABLED).graphBuilder()
                .addInputs("in")
                .addLayer("lora", new LoraDense.Builder().nIn(5).nOut(6).rank(2).alpha(4).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build(), "lora")
                .setOutputs("out").build();
        assertThat(ComputationGraphConfiguration.fromJson(graphConf.toJson())).isEqualTo(graphConf);
        assertThat(ComputationGraphConfiguration.fromYaml(graphConf.toYaml())).isEqualTo(graphConf);
        ComputationGraph graph = new ComputationGraph(graphConf);
        graph.init();
        MultiLayerNetwork net = new MultiLayerNetwork(lora(new Adam(0.01), false, WorkspaceMode.ENABLED));
        net.init();
        graph.params().assign(net.params());   // into the graph's own flattened view (same layout: lora, then out)
        net.getLayer(0).getParam("B").assign(0.2);
        graph.getLayer("lora").getParam("B").assign(0.2);
        DataSet batch = data(5, 8);
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        assertThat(graph.gradient().gradient().toDoubleVector()).as("graph and network gradients")
                .containsExactly(net.gradient().gradient().toDoubleVector());
        double[] w = flat(graph.getLayer("lora").getParam("W"));
        double[] before = graph.params().toDoubleVector();
        for (int i = 0; i < 4; i++) {
            graph.fit(data(i, 8));
        }
        assertThat(graph.params().toDoubleVector()).as("the graph trains").isNotEqualTo(before);
        assertThat(flat(graph.getLayer("lora").getParam("W"))).as("frozen in a graph").containsExactly(w);
    }

    @Test
    void gradientsOfAAndBPassDl4jsGradientCheckOnRandomShapes() {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);   // GradientCheckUtil insists on the global default
        try {
            gradientChecks();
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    private static void gradientChecks() {
        Random random = new Random(5);
        for (int trial = 0; trial < 4; trial++) {
            int nIn = 2 + random.nextInt(5);
            int nOut = 2 + random.nextInt(5);
            int rank = 1 + random.nextInt(Math.min(nIn, nOut));
            MultiLayerNetwork net = new MultiLayerNetwork(base(new org.nd4j.linalg.learning.config.NoOp(), DataType.DOUBLE,
                    WorkspaceMode.NONE).list()
                    .layer(new LoraDense.Builder().nIn(nIn).nOut(nOut).rank(rank).alpha(1 + trial).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(nOut).nOut(2).activation(Activation.IDENTITY).build())
                    .build());
            net.init();
            net.getLayer(0).getParam("B").assign(Nd4j.randn(DataType.DOUBLE, rank, nOut));   // B = 0 would hide dA
            INDArray x = Nd4j.randn(DataType.DOUBLE, 3, nIn);
            INDArray y = Nd4j.randn(DataType.DOUBLE, 3, 2);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).excludeParams(Set.of("0_W", "0_b")));
            assertThat(ok).as("gradient check nIn=%d nOut=%d r=%d", nIn, nOut, rank).isTrue();
        }
    }

    @Test
    void aLabelMaskRemovesMaskedExamplesFromTheAdapterGradients() {
        MultiLayerNetwork net = new MultiLayerNetwork(lora(new Adam(0.01), false, WorkspaceMode.ENABLED));
        net.init();
        net.getLayer(0).getParam("B").assign(Nd4j.randn(DataType.DOUBLE, 2, 6));
        DataSet all = data(3, 4);
        INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}});
        net.setInput(all.getFeatures());
        net.setLabels(all.getLabels());
        net.setLayerMaskArrays(null, mask);
        net.computeGradientAndScore();
        double[] masked = net.gradient().gradient().toDoubleVector();
        net.clearLayerMaskArrays();
        int[] kept = {0, 2, 3};
        net.setInput(all.getFeatures().getRows(kept));
        net.setLabels(all.getLabels().getRows(kept));
        net.computeGradientAndScore();
        assertThatValues(masked).as("summed gradients with example 1 masked = gradients of the other three")
                .isCloseTo(net.gradient().gradient().toDoubleVector(), 1e-12);
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatThrownBy(() -> new LoraDense.Builder().nIn(4).nOut(3).rank(0).build()).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("rank");
        assertThatThrownBy(() -> new LoraDense.Builder().nIn(4).nOut(3).rank(4).build()).hasMessageContaining("rank").hasMessageContaining("[1, 3]");
        assertThatThrownBy(() -> new LoraDense.Builder().nIn(4).nOut(3).rank(2).alpha(0).build()).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new LoraDense.Builder().nIn(4).nOut(3).rank(2).alpha(Double.NaN).build()).hasMessageContaining("alpha");
    }
}
