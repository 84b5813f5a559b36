package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.lora.LoraDense;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SAM, ASAM and SPD on LoRA networks, unchanged: they train A and B of the LoRA layers and the output layer, change
 * the trajectory against plain training, and leave the LoRA layers' W and b bit-identical.
 */
class Dl4jLoraTrainingAidsTest {

    enum Aid { SAM, ASAM, SPD }

    static Stream<Arguments> cases() {
        return Stream.of(Aid.values()).flatMap(a -> Stream.of(Arguments.of(a, false), Arguments.of(a, true)));
    }

    private static LoraDense lora(int nIn, int nOut, int rank, List<Regularization> spd) {
        LoraDense.Builder b = new LoraDense.Builder().nIn(nIn).nOut(nOut).rank(rank).alpha(2 * rank).activation(Activation.TANH);
        if (spd != null) {
            b.regularization(spd);
        }
        return b.build();
    }

    /** LoRA 8→6 (r 3) → LoRA 6→5 (r 2) → softmax 5→3 under DL4J's Adam; SPD, when asked, on the LoRA layers only. */
    private static Model network(boolean graph, boolean spd) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.DOUBLE)
                .updater(new Adam(0.02));
        OutputLayer out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build();
        Model model;
        if (graph) {
            ComputationGraph g = new ComputationGraph(base.graphBuilder().addInputs("in")
                    .addLayer("l0", lora(8, 6, 3, spd ? SelectiveProjectionDecay.of(1.0) : null), "in")
                    .addLayer("l1", lora(6, 5, 2, spd ? SelectiveProjectionDecay.of(1.0) : null), "l0")
                    .addLayer("l2", out, "l1").setOutputs("l2").build());
            g.init();
            model = g;
        } else {
            MultiLayerNetwork net = new MultiLayerNetwork(base.list()
                    .layer(lora(8, 6, 3, spd ? SelectiveProjectionDecay.of(1.0) : null))
                    .layer(lora(6, 5, 2, spd ? SelectiveProjectionDecay.of(1.0) : null)).layer(out).build());
            net.init();
            model = net;
        }
        return model;
    }

    private static DataSet batch(int seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, (i * 5 + seed) % 3, 1.0);
        }
        return new DataSet(Nd4j.randn(DataType.DOUBLE, 16, 8), labels);
    }

    private static Map<String, double[]> snapshot(Model model) {
        Map<String, double[]> out = new HashMap<>();
        model.paramTable().forEach((k, v) -> out.put(k, v.dup().data().asDouble()));
        return out;
    }

    @ParameterizedTest(name = "{0}, graph={1}")
    @MethodSource("cases")
    void trainsOnlyTheAdaptersAndTheHeadOfALoraNetwork(Aid aid, boolean graph) {
        Model model = network(graph, aid == Aid.SPD);
        Model plain = network(graph, false);
        assertThat(plain.params().toDoubleVector()).as("same initial parameters").isEqualTo(model.params().toDoubleVector());
        if (aid == Aid.SAM) {
            model.setListeners(SharpnessAwareTraining.sam(0.05));
        } else if (aid == Aid.ASAM) {
            model.setListeners(SharpnessAwareTraining.asam(0.5));
        }
        Map<String, double[]> before = snapshot(model);
        for (int step = 0; step < 12; step++) {
            DataSet data = batch(step);
            Dl4jSharpnessGoldenConformanceTest.fit(model, data);
            Dl4jSharpnessGoldenConformanceTest.fit(plain, data);
        }
        Map<String, double[]> after = snapshot(model);
        Map<String, double[]> afterPlain = snapshot(plain);
        String[] loraLayers = graph ? new String[]{"l0", "l1"} : new String[]{"0", "1"};
        String head = graph ? "l2" : "2";
        for (String layer : loraLayers) {
            for (String frozen : List.of("_W", "_b")) {
                assertThat(after.get(layer + frozen)).as("%s %s%s bit for bit", aid, layer, frozen).isEqualTo(before.get(layer + frozen));
            }
            for (String adapter : List.of("_A", "_B")) {
                assertThat(after.get(layer + adapter)).as("%s trains %s%s", aid, layer, adapter).isNotEqualTo(before.get(layer + adapter));
                assertThat(after.get(layer + adapter)).as("%s's %s%s differs from plain Adam's", aid, layer, adapter)
                        .isNotEqualTo(afterPlain.get(layer + adapter));
            }
        }
        for (String p : List.of("_W", "_b")) {
            assertThat(after.get(head + p)).as("%s trains the output layer's %s", aid, p).isNotEqualTo(before.get(head + p));
        }
        if (aid == Aid.SPD) {
            for (String layer : loraLayers) {
                INDArray w = model.getParam(layer + "_W");
                assertThat(SelectiveProjectionDecay.updateCount(w)).as("SPD never sees the frozen W").isZero();
                assertThat(SelectiveProjectionDecay.updateCount(model.getParam(layer + "_b"))).as("nor b").isZero();
                long applied = 0;
                for (String adapter : List.of("_A", "_B")) {
                    INDArray a = model.getParam(layer + adapter);
                    assertThat(SelectiveProjectionDecay.updateCount(a)).as("SPD updates of %s%s", layer, adapter).isEqualTo(12);
                    applied += SelectiveProjectionDecay.applicationCount(a);
                }
                System.out.println("SPD on LoRA layer " + layer + ": projection applied in " + applied + " of 24 adapter updates");
                assertThat(applied).as("SPD's projection acted on layer %s's adapters", layer).isPositive();
            }
            assertThat(SelectiveProjectionDecay.updateCount(model.getParam(head + "_W"))).as("the head has no SPD").isZero();
        }
    }
}
