package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.Adam;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SPD's anchor under Spark: fixed at the pre-trained point on the driver ({@link SparkSpd}). */
class SparkSpdTest {
    static final double LAMBDA = 1.0;

    /** A network pre-trained for one epoch with Adam, reconfigured with {@code spd} (or none) for fine-tuning. */
    static MultiLayerNetwork pretrained(List<Regularization> spd) {
        MultiLayerNetwork pre = Mlp.net(Mlp.conf(new Adam(3e-3)));
        for (DataSet b : Digits.trainBatches(32)) {
            pre.fit(b);
        }
        MultiLayerNetwork net = Mlp.net(Mlp.conf(new Adam(1e-2), spd));
        net.setParams(pre.params().dup());
        return net;
    }

    @Test
    void anchorAtPretrainedTurnsEveryOfIntoTowardTheCurrentParameters() {
        MultiLayerNetwork net = pretrained(SelectiveProjectionDecay.of(LAMBDA));
        INDArray pre = net.params().dup();
        assertThatThrownBy(() -> SparkSpd.requireFixedAnchors(net.getLayerWiseConfigurations()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SparkSpd.anchorAtPretrained(net)")
                .hasMessageContaining("toward(lambda, pretrained.params())");

        int replaced = SparkSpd.anchorAtPretrained(net);

        // DL4J lists a global regularisation twice per layer: 2 layers × (weights, biases) × 2
        assertThat(replaced).isEqualTo(8);
        SparkSpd.requireFixedAnchors(net.getLayerWiseConfigurations());
        List<SelectiveProjectionDecay> conditions = new ArrayList<>();
        for (NeuralNetConfiguration conf : net.getLayerWiseConfigurations().getConfs()) {
            BaseLayer layer = (BaseLayer) conf.getLayer();
            for (List<Regularization> list : List.of(layer.getRegularization(), layer.getRegularizationBias())) {
                assertThat(list).hasSize(4).last().isInstanceOf(SelectiveProjectionDecay.Projection.class);
                list.stream().filter(r -> r instanceof SelectiveProjectionDecay).forEach(r -> conditions.add((SelectiveProjectionDecay) r));
            }
        }
        assertThat(conditions).hasSize(8).allSatisfy(c -> {
            assertThat(c.getAnchorType()).isEqualTo(SelectiveProjectionDecay.AnchorType.EXPLICIT);
            assertThat(c.getLambda()).isEqualTo(LAMBDA);
            assertThat(c).isSameAs(conditions.get(0));   // one instance: the anchor is held once
        });
        // Trained further on this machine, every array decays toward the pre-trained values.
        Map<String, INDArray> preTable = new java.util.HashMap<>();
        net.paramTable().forEach((k, v) -> preTable.put(k, v.dup()));
        net.fit(Digits.trainBatches(32).get(0));
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            INDArray anchor = SelectiveProjectionDecay.anchorOf(e.getValue());
            assertThat(anchor).as(e.getKey()).isNotNull();
            assertThat(anchor.sub(preTable.get(e.getKey())).amaxNumber().doubleValue()).as(e.getKey()).isZero();
        }
    }

    @Test
    void anAnchorAlreadyCapturedIsRefused() {
        MultiLayerNetwork net = pretrained(SelectiveProjectionDecay.of(LAMBDA));
        net.fit(Digits.trainBatches(32).get(0));   // captures θ₀ on this machine
        assertThatThrownBy(() -> SparkSpd.anchorAtPretrained(net)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already captured anchors").hasMessageContaining("toward(" + LAMBDA);
    }

    /**
     * Fine-tuning with parameter averaging: with the anchor fixed on the driver, the anchor every executor uses at every
     * step is the pre-trained point, the run equals one configured with {@code toward(λ, pretrained.params())} by hand,
     * and SPD keeps the weights closer to the pre-trained point than no SPD. {@code of(λ)} passed to Spark unchanged
     * uses other anchors (each averaging round's start).
     */
    @Test
    void distributedSpdDecaysTowardThePretrainedWeights() {
        List<DataSet> batches = Digits.trainBatches(32);
        List<DataSet> all = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            all.addAll(batches);
        }
        JavaRDD<DataSet> rdd = LocalSpark.context().parallelize(all, 2);
        MultiLayerNetwork anchoredNet = pretrained(SelectiveProjectionDecay.of(LAMBDA));
        INDArray pre = anchoredNet.params().dup();

        SparkDl4jMultiLayer anchoredSpark = SparkTraining.multiLayer(LocalSpark.context(), anchoredNet, master());
        anchoredSpark.setListeners(new AnchorProbe(pre));
        AnchorProbe.reset();
        INDArray anchored = anchoredSpark.fit(rdd).params().dup();
        double anchoredDeviation = AnchorProbe.maxDeviation();
        long anchoredChecks = AnchorProbe.checks();

        SparkDl4jMultiLayer byHandSpark = new SparkDl4jMultiLayer(LocalSpark.context(),
                pretrained(SelectiveProjectionDecay.toward(LAMBDA, pre)), master());
        INDArray byHand = byHandSpark.fit(rdd).params().dup();

        SparkDl4jMultiLayer wrongSpark = new SparkDl4jMultiLayer(LocalSpark.context(), pretrained(SelectiveProjectionDecay.of(LAMBDA)), master());
        wrongSpark.setListeners(new AnchorProbe(pre));
        AnchorProbe.reset();
        INDArray wrong = wrongSpark.fit(rdd).params().dup();
        double wrongDeviation = AnchorProbe.maxDeviation();

        INDArray none = new SparkDl4jMultiLayer(LocalSpark.context(), pretrained(List.of()), master()).fit(rdd).params().dup();
        System.out.printf("SparkSpdTest: executors' anchor vs pre-trained weights: max |Δ| %.3g over %d checks (anchored), "
                        + "%.3g (of(λ) unconverted); distance to the pre-trained weights: anchored %.4f, unconverted %.4f, "
                        + "no SPD %.4f%n", anchoredDeviation, anchoredChecks, wrongDeviation, distance(anchored, pre),
                distance(wrong, pre), distance(none, pre));
        assertThat(anchoredChecks).as("anchor checks on the executors").isGreaterThan(100);
        assertThat(anchoredDeviation).as("the executors' anchor is the pre-trained point").isZero();
        assertThat(anchored.toFloatVector()).as("anchorAtPretrained = toward(λ, pre) by hand").containsExactly(byHand.toFloatVector());
        assertThat(wrongDeviation).as("unconverted of(λ): each round captures another anchor").isGreaterThan(1e-3);
        assertThat(distance(anchored, pre)).as("SPD pulls toward the pre-trained point").isLessThan(distance(none, pre));
    }

    private static double distance(INDArray params, INDArray pre) {
        return params.sub(pre).norm2Number().doubleValue();
    }

    private static ParameterAveragingTrainingMaster master() {
        return new ParameterAveragingTrainingMaster.Builder(32).batchSizePerWorker(32).averagingFrequency(5)
                .workerPrefetchNumBatches(0).repartionData(Repartition.Never).rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(7).build();
    }
}
