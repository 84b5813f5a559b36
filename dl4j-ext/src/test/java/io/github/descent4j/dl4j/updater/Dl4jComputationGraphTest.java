package io.github.descent4j.dl4j.updater;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
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
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The updaters inside a DL4J {@link ComputationGraph}: the graph configuration survives JSON and YAML,
 * and a graph saved by {@code ModelSerializer} with its updater state and restored continues training
 * bit-identically to the original.
 */
class Dl4jComputationGraphTest {
    private static final String[] LAYERS = {"hidden", "output"};

    private static ComputationGraphConfiguration configuration(IUpdater updater, double weightDecay) {
        DenseLayer.Builder hidden = new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH);
        OutputLayer.Builder output = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                .activation(Activation.SOFTMAX);
        if (weightDecay != 0) {
            hidden.weightDecay(weightDecay, true).weightDecayBias(weightDecay, true);
            output.weightDecay(weightDecay, true).weightDecayBias(weightDecay, true);
        }
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", hidden.build(), "in")
                .addLayer("output", output.build(), "hidden")
                .setOutputs("output")
                .build();
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(11);
        INDArray features = Nd4j.randn(DataType.FLOAT, 16, 4);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, (i * 7) % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    @Test
    void graphConfigurationsRoundTripThroughJsonAndYaml() {
        List<UpdateRuleUpdater> updaters = Dl4jNetworkTest.updaters();
        assertThat(updaters).isNotEmpty();
        for (UpdateRuleUpdater updater : updaters) {
            ComputationGraphConfiguration conf = configuration(updater, 0);
            String json = conf.toJson();
            assertThat(json).contains(updater.getClass().getName());
            ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(json);
            assertThat(fromJson).as("JSON round trip of %s", updater).isEqualTo(conf);
            assertThat(fromJson.toJson()).isEqualTo(json);
            ComputationGraphConfiguration fromYaml = ComputationGraphConfiguration.fromYaml(conf.toYaml());
            assertThat(fromYaml).as("YAML round trip of %s", updater).isEqualTo(conf);
            for (ComputationGraphConfiguration back : List.of(fromJson, fromYaml)) {
                for (String name : LAYERS) {
                    IUpdater restored = ((BaseLayer) ((LayerVertex) back.getVertices().get(name))
                            .getLayerConf().getLayer()).getIUpdater();
                    assertThat(restored).as("%s layer %s", updater, name)
                            .isInstanceOf(updater.getClass()).isEqualTo(updater).isNotSameAs(updater);
                    assertThat(restored.hashCode()).isEqualTo(updater.hashCode());
                }
            }
        }
    }

    @Test
    void aRestoredGraphContinuesBitIdentically() throws IOException {
        DataSet data = data();
        record Case(IUpdater updater, double weightDecay) {}
        List<Case> cases = List.of(
                new Case(Lion.builder().learningRate(3e-3).beta1(0.85).beta2(0.98).build(), 0.1),
                new Case(new Lion(1e-3, 0.9, 0.99), 0),
                new Case(AdaGradNorm.builder().learningRate(0.7).b0(0.2).build(), 0),
                new Case(NormalizedSGD.builder().learningRate(0.05).momentum(0.9).build(), 0),
                new Case(Signum.builder().learningRate(0.03).beta(0.8).build(), 0));
        for (Case c : cases) {
            ComputationGraph graph = new ComputationGraph(configuration(c.updater(), c.weightDecay()));
            graph.init();
            for (int i = 0; i < 3; i++) {
                graph.fit(data);
            }
            List<UpdaterBlock> blocks = graph.getUpdater().getUpdaterBlocks();
            assertThat(blocks).as("updater blocks of %s", c.updater()).hasSize(1);
            assertThat(((UpdateRuleGradientUpdater) blocks.get(0).getGradientUpdater()).getStepCount()).isEqualTo(3);
            INDArray state = graph.getUpdater().getStateViewArray();
            assertThat(state.length()).isEqualTo(((UpdateRuleUpdater) c.updater()).stateSize(24)
                    + ((UpdateRuleUpdater) c.updater()).stateSize(6)
                    + ((UpdateRuleUpdater) c.updater()).stateSize(18)
                    + ((UpdateRuleUpdater) c.updater()).stateSize(3));

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(graph, bytes, true);
            ComputationGraph restored = ModelSerializer.restoreComputationGraph(
                    new ByteArrayInputStream(bytes.toByteArray()), true);
            assertThat(restored.params().toDoubleVector()).containsExactly(graph.params().toDoubleVector());
            assertThat(restored.getUpdater().getStateViewArray().toDoubleVector())
                    .as("updater state of %s after restore", c.updater()).containsExactly(state.toDoubleVector());

            double[] before = graph.params().toDoubleVector();
            for (int i = 0; i < 4; i++) {
                graph.fit(data);
                restored.fit(data);
                assertThat(restored.params().toDoubleVector()).as("parameters of %s, step %d after resuming", c.updater(), i)
                        .containsExactly(graph.params().toDoubleVector());
            }
            assertThat(graph.params().toDoubleVector()).as("%s kept training", c.updater()).isNotEqualTo(before);
            assertThat(restored.getUpdater().getStateViewArray().toDoubleVector())
                    .containsExactly(graph.getUpdater().getStateViewArray().toDoubleVector());
            UpdateRuleGradientUpdater resumed = (UpdateRuleGradientUpdater)
                    restored.getUpdater().getUpdaterBlocks().get(0).getGradientUpdater();
            assertThat(resumed.getStepCount()).isEqualTo(7);
        }
    }

    @Test
    void aGraphRestoredWithoutUpdaterStateDoesNotContinueIdentically() throws IOException {
        DataSet data = data();
        for (IUpdater updater : List.<IUpdater>of(new AdaGradNorm(0.5, 0.1), new Lion(3e-3, 0.9, 0.99))) {
            ComputationGraph graph = new ComputationGraph(configuration(updater, 0));
            graph.init();
            for (int i = 0; i < 3; i++) {
                graph.fit(data);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(graph, bytes, false);
            ComputationGraph fresh = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), false);
            for (int i = 0; i < 3; i++) {
                graph.fit(data);
                fresh.fit(data);
            }
            assertThat(fresh.params().toDoubleVector()).as("%s resumed without state", updater)
                    .isNotEqualTo(graph.params().toDoubleVector());
        }
    }
}
