package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.Adam;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SparkSpd} on a ComputationGraph, with SPD set per layer next to another regularisation. */
class SparkSpdGraphTest {

    @Test
    void graphLayersGetThePretrainedAnchorAndOtherRegularisationsStay() {
        List<Regularization> weights = new ArrayList<>(List.of(new WeightDecay(1e-4, true)));
        weights.addAll(SelectiveProjectionDecay.of(0.5));
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(64).nOut(16).activation(Activation.RELU)
                        .regularization(weights).regularizationBias(SelectiveProjectionDecay.of(0.25)).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertThatThrownBy(() -> SparkSpd.requireFixedAnchors(net.getConfiguration()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("layer 'hidden' regularization");

        assertThat(SparkSpd.anchorAtPretrained(net)).isEqualTo(2);

        SparkSpd.requireFixedAnchors(net.getConfiguration());
        GraphVertex vertex = net.getConfiguration().getVertices().get("hidden");
        BaseLayer hidden = (BaseLayer) ((LayerVertex) vertex).getLayerConf().getLayer();
        assertThat(hidden.getRegularization()).hasSize(3);
        assertThat(hidden.getRegularization().get(0)).isInstanceOf(WeightDecay.class);
        assertThat(((SelectiveProjectionDecay) hidden.getRegularization().get(1)).getLambda()).isEqualTo(0.5);
        assertThat(((SelectiveProjectionDecay) hidden.getRegularizationBias().get(0)).getLambda()).isEqualTo(0.25);
        assertThat(((SelectiveProjectionDecay) hidden.getRegularizationBias().get(0)).getAnchorType())
                .isEqualTo(SelectiveProjectionDecay.AnchorType.EXPLICIT);

        Map<String, INDArray> pre = new HashMap<>();
        net.paramTable().forEach((k, v) -> pre.put(k, v.dup()));
        net.fit(SparkSerialisationTest.batch());
        for (String name : List.of("hidden_W", "hidden_b")) {
            INDArray anchor = SelectiveProjectionDecay.anchorOf(net.getParam(name));
            assertThat(anchor.sub(pre.get(name)).amaxNumber().doubleValue()).as(name).isZero();
        }
        assertThat(SelectiveProjectionDecay.anchorOf(net.getParam("out_W"))).as("no SPD on the output layer").isNull();
    }
}
