package io.github.descent4j.dl4j.lora;

import io.github.descent4j.dl4j.updater.Adam;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lora.apply / Lora.merge and adapter-only save/load on a pre-trained network. */
class LoraConversionTest {

    private static MultiLayerNetwork pretrained(DataType type, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Adam(0.01)).l2(1e-4).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(6).nOut(8).activation(Activation.RELU).build())
                .layer(new FrozenLayer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).build()))
                .layer(new DenseLayer.Builder().nIn(8).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(data(i, type));
        }
        return net;
    }

    private static DataSet data(int seed, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(type, 10, 3);
        for (int i = 0; i < 10; i++) {
            labels.putScalar(i, (i + seed) % 3, 1.0);
        }
        return new DataSet(Nd4j.randn(type, 10, 6), labels);
    }

    @Test
    void applyKeepsTheOutputsThenTrainsOnlyTheAdaptersAndMergeReproducesTheLoraNetwork() {
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
            MultiLayerNetwork base = pretrained(type, 3);
            INDArray x = data(9, type).getFeatures();
            INDArray before = base.output(x);
            MultiLayerNetwork lora = Lora.apply(base, 2, 4, "hidden", "2");
            assertThat(lora.getLayer(0).conf().getLayer()).isInstanceOf(LoraDense.class);
            assertThat(lora.getLayerWiseConfigurations().getConf(1).getLayer()).isInstanceOf(FrozenLayer.class);
            assertThat(lora.getLayer(0).conf().getLayer().getLayerName()).isEqualTo("hidden");
            assertThatValues(lora.output(x).dup('c').reshape(-1).toDoubleVector()).as("new adapters change nothing")
                    .isCloseTo(before.dup('c').reshape(-1).toDoubleVector(), tolerance);
            double[] frozen = lora.getLayer(1).params().dup().toDoubleVector();
            double[] w = lora.getLayer(0).getParam("W").dup().reshape(-1).toDoubleVector();
            for (int i = 0; i < 4; i++) {
                lora.fit(data(20 + i, type));
            }
            assertThat(lora.getLayer(1).params().toDoubleVector()).as("frozen layer").containsExactly(frozen);
            assertThat(lora.getLayer(0).getParam("W").dup().reshape(-1).toDoubleVector()).as("W").containsExactly(w);
            assertThat(lora.output(x).dup().reshape(-1).toDoubleVector()).isNotEqualTo(before.dup().reshape(-1).toDoubleVector());
            MultiLayerNetwork merged = Lora.merge(lora);
            assertThat(merged.getLayer(0).conf().getLayer()).isExactlyInstanceOf(DenseLayer.class);
            assertThat(merged.numParams()).isLessThan(lora.numParams());
            assertThatValues(merged.output(x).dup('c').reshape(-1).toDoubleVector()).as("%s merged outputs", type)
                    .isCloseTo(lora.output(x).dup('c').reshape(-1).toDoubleVector(), tolerance);
            assertThat(base.output(x).dup().reshape(-1).toDoubleVector()).as("apply leaves its argument alone")
                    .containsExactly(before.dup().reshape(-1).toDoubleVector());
        }
    }

    @Test
    void anOutputHeadIsAdaptedTrainedWithItsFrozenWeightsAndMergedBack() throws Exception {
        MultiLayerNetwork base = pretrained(DataType.DOUBLE, 3);
        INDArray x = data(9, DataType.DOUBLE).getFeatures();
        double[] before = base.output(x).dup('c').reshape(-1).toDoubleVector();
        MultiLayerNetwork lora = Lora.apply(base, 2, 4, "hidden", "3");
        assertThat(lora.getLayer(3).conf().getLayer()).isInstanceOf(LoraOutput.class);
        assertThat(((LoraOutput) lora.getLayer(3).conf().getLayer()).getLossFn())
                .isEqualTo(((org.deeplearning4j.nn.conf.layers.OutputLayer) base.getLayer(3).conf().getLayer()).getLossFn());
        assertThatValues(lora.output(x).dup('c').reshape(-1).toDoubleVector()).isCloseTo(before, 1e-12);
        assertThat(MultiLayerConfiguration.fromJson(lora.getLayerWiseConfigurations().toJson())).isEqualTo(lora.getLayerWiseConfigurations());
        double[] w = lora.getLayer(3).getParam("W").dup('c').reshape(-1).toDoubleVector();
        double[] b = lora.getLayer(3).getParam("b").dup('c').reshape(-1).toDoubleVector();
        for (int i = 0; i < 4; i++) {
            lora.fit(data(50 + i, DataType.DOUBLE));
        }
        assertThat(lora.getLayer(3).getParam("W").dup('c').reshape(-1).toDoubleVector()).as("head W frozen").containsExactly(w);
        assertThat(lora.getLayer(3).getParam("b").dup('c').reshape(-1).toDoubleVector()).as("head b frozen").containsExactly(b);
        assertThat(lora.getLayer(3).getParam("B").dup('c').reshape(-1).toDoubleVector()).as("head B trains").isNotEqualTo(new double[6]);
        MultiLayerNetwork merged = Lora.merge(lora);
        assertThat(merged.getLayer(3).conf().getLayer()).isExactlyInstanceOf(org.deeplearning4j.nn.conf.layers.OutputLayer.class);
        assertThatValues(merged.output(x).dup('c').reshape(-1).toDoubleVector())
                .isCloseTo(lora.output(x).dup('c').reshape(-1).toDoubleVector(), 1e-12);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoraAdapters.save(lora, bytes);
        MultiLayerNetwork again = Lora.apply(base, 2, 4, "hidden", "3");
        LoraAdapters.load(again, new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(again.getLayer(3).getParam("B").dup('c').reshape(-1).toDoubleVector())
                .containsExactly(lora.getLayer(3).getParam("B").dup('c').reshape(-1).toDoubleVector());
        // the head's gradients of A and B pass DL4J's gradient check
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork check = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                    .updater(new org.nd4j.linalg.learning.config.NoOp()).list()
                    .layer(new LoraOutput.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).rank(2).alpha(3).build()).build());
            check.init();
            check.getLayer(0).getParam("B").assign(Nd4j.randn(DataType.DOUBLE, 2, 3));
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, 4, 3);
            for (int i = 0; i < 4; i++) {
                labels.putScalar(i, i % 3, 1.0);
            }
            assertThat(org.deeplearning4j.gradientcheck.GradientCheckUtil.checkGradients(
                    new org.deeplearning4j.gradientcheck.GradientCheckUtil.MLNConfig().net(check).input(Nd4j.randn(DataType.DOUBLE, 4, 5))
                            .labels(labels).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                            .excludeParams(java.util.Set.of("0_W", "0_b")))).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void adaptersSaveSmallAndLoadOnlyOntoTheirBase() throws Exception {
        MultiLayerNetwork base = pretrained(DataType.DOUBLE, 3);
        MultiLayerNetwork lora = Lora.apply(base, 2, 4, "hidden");
        for (int i = 0; i < 3; i++) {
            lora.fit(data(30 + i, DataType.DOUBLE));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoraAdapters.save(lora, bytes);
        assertThat(bytes.size()).as("adapter file bytes").isLessThan(4096);
        MultiLayerNetwork fresh = Lora.apply(base, 2, 4, "hidden");
        // the other layers trained in `lora` too; adapters carry only A and B, so compare those
        LoraAdapters.load(fresh, new ByteArrayInputStream(bytes.toByteArray()));
        for (String key : new String[]{"A", "B"}) {
            assertThat(fresh.getLayer(0).getParam(key).dup('c').reshape(-1).toDoubleVector()).containsExactly(lora.getLayer(0).getParam(key).dup('c').reshape(-1).toDoubleVector());
        }
        MultiLayerNetwork otherBase = Lora.apply(pretrained(DataType.DOUBLE, 4), 2, 4, "hidden");
        assertThatThrownBy(() -> LoraAdapters.load(otherBase, new ByteArrayInputStream(bytes.toByteArray())))
                .hasMessageContaining("different base");
        MultiLayerNetwork otherRank = Lora.apply(base, 3, 4, "hidden");
        assertThatThrownBy(() -> LoraAdapters.load(otherRank, new ByteArrayInputStream(bytes.toByteArray())))
                .hasMessageContaining("rank");
    }

    @Test
    void aGraphIsAdaptedMergedAndItsAdaptersSavedTheSameWay() throws Exception {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(8).dataType(DataType.DOUBLE)
                .updater(new Adam(0.01)).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3).activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        graph.init();
        INDArray x = data(9, DataType.DOUBLE).getFeatures();
        double[] before = graph.outputSingle(x).dup('c').reshape(-1).toDoubleVector();
        ComputationGraph lora = Lora.apply(graph, 3, 6, "hidden");
        assertThatValues(lora.outputSingle(x).dup('c').reshape(-1).toDoubleVector()).isCloseTo(before, 1e-12);
        double[] w = lora.getLayer("hidden").getParam("W").dup('c').reshape(-1).toDoubleVector();
        for (int i = 0; i < 3; i++) {
            lora.fit(data(40 + i, DataType.DOUBLE));
        }
        assertThat(lora.getLayer("hidden").getParam("W").dup('c').reshape(-1).toDoubleVector()).containsExactly(w);
        java.io.ByteArrayOutputStream adapters = new java.io.ByteArrayOutputStream();
        LoraAdapters.save(lora, adapters);
        ComputationGraph again = Lora.apply(graph, 3, 6, "hidden");
        try {
            LoraAdapters.load(again, new java.io.ByteArrayInputStream(adapters.toByteArray()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(again.getLayer("hidden").getParam("B").dup('c').reshape(-1).toDoubleVector())
                .containsExactly(lora.getLayer("hidden").getParam("B").dup('c').reshape(-1).toDoubleVector());
        ComputationGraph merged = Lora.merge(lora);
        assertThatValues(merged.outputSingle(x).dup('c').reshape(-1).toDoubleVector()).isCloseTo(lora.outputSingle(x).dup('c').reshape(-1).toDoubleVector(), 1e-12);
        ComputationGraph withHead = Lora.apply(graph, 3, 6, "hidden", "out");
        assertThat(withHead.getLayer("out").conf().getLayer()).isInstanceOf(LoraOutput.class);
        assertThatValues(withHead.outputSingle(x).dup('c').reshape(-1).toDoubleVector()).isCloseTo(before, 1e-12);
        assertThatThrownBy(() -> Lora.apply(graph, 3, 6, "missing")).hasMessageContaining("no layer vertex 'missing'");
        assertThatThrownBy(() -> Lora.merge(graph)).hasMessageContaining("no LoRA layer");
    }

    @Test
    void badRequestsAreRefusedNamingTheProblem() {
        MultiLayerNetwork base = pretrained(DataType.DOUBLE, 3);
        assertThatThrownBy(() -> Lora.apply(base, 2, 4, "nope")).hasMessageContaining("no layer 'nope'");
        assertThatThrownBy(() -> Lora.apply(base, 2, 4, "1")).hasMessageContaining("FrozenLayer");
        assertThatThrownBy(() -> Lora.apply(base, 0, 4, "hidden")).hasMessageContaining("rank");
        assertThatThrownBy(() -> Lora.apply(base, 7, 4, "hidden")).hasMessageContaining("rank");
        assertThatThrownBy(() -> Lora.apply(base, 2, 0, "hidden")).hasMessageContaining("alpha");
        assertThatThrownBy(() -> Lora.apply(base, 2, 4)).hasMessageContaining("layers");
        MultiLayerNetwork lora = Lora.apply(base, 2, 4, "hidden");
        assertThatThrownBy(() -> Lora.apply(lora, 2, 4, "hidden")).hasMessageContaining("already has a LoRA adapter");
        assertThatThrownBy(() -> Lora.merge(base)).hasMessageContaining("no LoRA layer");
        assertThatThrownBy(() -> LoraAdapters.save(base, new ByteArrayOutputStream())).hasMessageContaining("no LoRA layer");
    }
}
