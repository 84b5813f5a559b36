package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;

import static io.github.descent4j.dl4j.ewc.ElasticWeightConsolidationTest.iterator;
import static io.github.descent4j.dl4j.ewc.ElasticWeightConsolidationTest.pretrained;
import static io.github.descent4j.dl4j.ewc.ElasticWeightConsolidationTest.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** EWC on a {@link ComputationGraph}: the same Fisher, penalty and trajectory as on the equivalent multi-layer network. */
class ElasticWeightConsolidationGraphTest {

    @Test
    void aGraphTrainsExactlyAsTheEquivalentMultiLayerNetwork() {
        // SGD: Adam's bias correction would read the iteration count, which toComputationGraph() does not carry over.
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.2));
        ComputationGraph graph = pre.toComputationGraph();
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        DataSet fresh = task(DataType.DOUBLE, 3, -3.0);

        Map<String, INDArray> netFisher = DiagonalFisher.compute(pre, iterator(old, 24));
        Map<String, INDArray> graphFisher = DiagonalFisher.compute(graph, iterator(old, 24));
        assertThat(graphFisher.keySet()).isEqualTo(netFisher.keySet());
        for (String key : netFisher.keySet()) {
            assertThat(graphFisher.get(key).ravel().toDoubleVector()).as(key).containsExactly(netFisher.get(key).ravel().toDoubleVector());
        }

        MultiLayerNetwork net = ElasticWeightConsolidation.install(pre, netFisher, 30.0);
        ComputationGraph withEwc = ElasticWeightConsolidation.install(graph, iterator(old, 24), 30.0);
        MultiLayerNetwork plain = pre.clone();
        for (int i = 0; i < 12; i++) {
            net.fit(fresh);
            withEwc.fit(fresh);
            plain.fit(fresh);
        }
        double[] g = withEwc.params().toDoubleVector();
        double[] n = net.params().toDoubleVector();
        double[] p = plain.params().toDoubleVector();
        double differenceToNet = 0;
        double effect = 0;
        for (int i = 0; i < g.length; i++) {
            differenceToNet = Math.max(differenceToNet, Math.abs(g[i] - n[i]));
            effect = Math.max(effect, Math.abs(n[i] - p[i]));
        }
        System.out.printf("EWC graph vs network: max |difference| %.3g; EWC's effect on the parameters %.3g%n",
                differenceToNet, effect);
        assertThat(differenceToNet).isZero();
        assertThat(effect).isGreaterThan(1e-2);
        assertThat(withEwc.calcRegularizationScore(true)).isCloseTo(net.calcRegularizationScore(true),
                org.assertj.core.data.Offset.offset(1e-12)).isPositive();
    }

    @Test
    void lambdaZeroIsNoRegularisationAndSaveRestoreContinuesIdentically() throws Exception {
        ComputationGraph graph = pretrained(DataType.DOUBLE, new Sgd(0.2)).toComputationGraph();
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        DataSet fresh = task(DataType.DOUBLE, 3, -3.0);
        ComputationGraph zero = ElasticWeightConsolidation.install(graph, iterator(old, 8), 0.0);
        ComputationGraph plain = graph.clone();
        ComputationGraph ewc = ElasticWeightConsolidation.install(graph, iterator(old, 8), 5.0);
        for (int i = 0; i < 4; i++) {
            zero.fit(fresh);
            plain.fit(fresh);
            ewc.fit(fresh);
        }
        assertThat(zero.params().toDoubleVector()).containsExactly(plain.params().toDoubleVector());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(ewc, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertThat(restored.getConfiguration().toJson()).isEqualTo(ewc.getConfiguration().toJson());
        for (int i = 0; i < 3; i++) {
            ewc.fit(fresh);
            restored.fit(fresh);
        }
        assertThat(restored.params().toDoubleVector()).containsExactly(ewc.params().toDoubleVector());
    }

    @Test
    void namedVerticesAfterAParameterFreeVertexGetTheirOwnInstances() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.2)).graphBuilder().addInputs("in")
                .addVertex("scaled", new org.deeplearning4j.nn.conf.graph.ScaleVertex(0.5), "in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "scaled")
                .addLayer("head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("head").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        for (int i = 0; i < 20; i++) {
            graph.fit(old);
        }
        Map<String, INDArray> fisher = DiagonalFisher.compute(graph, iterator(old, 8));
        assertThat(fisher.keySet()).containsExactly("dense_W", "dense_b", "head_W", "head_b");
        ComputationGraph withEwc = ElasticWeightConsolidation.install(graph, fisher, 50.0);
        for (String layer : new String[] {"dense", "head"}) {
            var regs = ((org.deeplearning4j.nn.conf.layers.BaseLayer) withEwc.getLayer(layer).conf().getLayer())
                    .getRegularization();
            assertThat(regs).as(layer).hasSize(1).first().isInstanceOf(ElasticWeightConsolidation.class);
            assertThat(((ElasticWeightConsolidation) regs.get(0)).parameterNames()).containsExactly(layer + "_W", layer + "_b");
        }
        assertThat(withEwc.calcRegularizationScore(true)).isZero();  // at the anchor
        withEwc.fit(task(DataType.DOUBLE, 3, -3.0));
        assertThat(withEwc.calcRegularizationScore(true)).isPositive();
    }

    @Test
    void refusesAGraphWithTwoInputsAndAFisherWithoutAnEntry() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("a", "b")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("dense", new DenseLayer.Builder().nIn(8).nOut(3).activation(Activation.TANH).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
        ComputationGraph twoInputs = new ComputationGraph(conf);
        twoInputs.init();
        assertThatThrownBy(() -> DiagonalFisher.compute(twoInputs, iterator(task(DataType.DOUBLE, 1, 0.0), 8)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("one input and one output");

        ComputationGraph graph = pretrained(DataType.DOUBLE, new Sgd(0.2)).toComputationGraph();
        Map<String, INDArray> fisher = new java.util.LinkedHashMap<>(
                DiagonalFisher.compute(graph, iterator(task(DataType.DOUBLE, 1, 0.0), 8)));
        fisher.remove("0_W");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install(graph, fisher, 1.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("no entry for parameter 0_W");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install((ComputationGraph) null, fisher, 1.0))
                .hasMessageContaining("pretrained");
    }
}
