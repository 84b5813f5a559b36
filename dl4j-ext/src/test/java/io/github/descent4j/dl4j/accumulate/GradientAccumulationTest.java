package io.github.descent4j.dl4j.accumulate;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.dl4j.clip.GlobalNormClipping;
import io.github.descent4j.dl4j.schedule.WarmupCosineSchedule;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.Adam;
import io.github.descent4j.dl4j.updater.AdamW;
import io.github.descent4j.dl4j.updater.Lion;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A window of k micro-batches is one fit on their concatenation, with every kind of updater and regulariser. */
class GradientAccumulationTest {
    private static final int[] SIZES = {4, 3, 5, 2, 6, 1, 3};

    private static List<DataSet> microBatches() {
        Nd4j.getRandom().setSeed(21);
        List<DataSet> out = new ArrayList<>();
        for (int s = 0; s < SIZES.length; s++) {
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, SIZES[s], 3);
            for (int i = 0; i < SIZES[s]; i++) {
                labels.putScalar(i, (i + s) % 3, 1.0);
            }
            out.add(new DataSet(Nd4j.randn(DataType.DOUBLE, SIZES[s], 4), labels));
        }
        return out;
    }

    private static MultiLayerConfiguration mlp(IUpdater updater, Function<DenseLayer.Builder, DenseLayer.Builder> hidden) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(updater).list()
                .layer(hidden.apply(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
    }

    private static List<MultiLayerConfiguration> configurations() {
        return List.of(
                mlp(Adam.builder().learningRate(0.02).build(), b -> b),
                mlp(Adam.builder().learningRateSchedule(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.05, 1, 4, 0.1)).build(), b -> b),
                mlp(new Lion(3e-3), b -> (DenseLayer.Builder) b.weightDecay(0.1, true).weightDecayBias(0.1, true)),
                mlp(new Sgd(0.1), b -> b.l2(0.01)),
                mlp(new Adam(0.05), b -> (DenseLayer.Builder) b.regularization(SelectiveProjectionDecay.of(0.5))),
                AdamW.install(mlp(AdamW.builder().learningRate(0.02).weightDecay(0.2).build(), b -> b)));
    }

    /** Fits net on the concatenation of each window of the micro-batches (partial last window included unless dropped). */
    private static void fitConcatenated(MultiLayerNetwork net, List<DataSet> batches, int k, boolean dropPartial) {
        for (int from = 0; from < batches.size(); from += k) {
            List<DataSet> window = batches.subList(from, Math.min(batches.size(), from + k));
            if (window.size() < k && dropPartial) {
                break;
            }
            net.fit(DataSet.merge(window));
        }
    }

    @Test
    void aWindowEqualsOneFitOnTheConcatenatedBatchWithEveryUpdaterAndRegulariser() {
        List<DataSet> batches = microBatches();
        for (MultiLayerConfiguration conf : configurations()) {
            MultiLayerNetwork accumulated = new MultiLayerNetwork(conf.clone());
            accumulated.init();
            MultiLayerNetwork concatenated = new MultiLayerNetwork(conf.clone());
            concatenated.init();
            GradientAccumulation accumulation = GradientAccumulation.of(accumulated, 3);
            int steps = 0;
            for (DataSet b : batches) {
                steps += accumulation.fit(b) ? 1 : 0;
            }
            assertThat(accumulation.pending()).isEqualTo(1);
            assertThat(accumulation.flush()).isTrue();
            fitConcatenated(concatenated, batches, 3, false);
            String what = conf.getConf(0).getLayer().getUpdaterByParam("W").toString();
            assertThat(steps).isEqualTo(2);
            assertThat(accumulated.getIterationCount()).as(what).isEqualTo(3).isEqualTo(concatenated.getIterationCount());
            assertThatValues(accumulated.params().toDoubleVector()).as(what).isCloseTo(concatenated.params().toDoubleVector(), 1e-12);
            INDArray state = accumulated.getUpdater().getStateViewArray();
            assertThat(state == null).as(what + " stateless").isEqualTo(concatenated.getUpdater().getStateViewArray() == null);
            if (state != null) {
                assertThatValues(state.toDoubleVector()).as(what + " state")
                        .isCloseTo(concatenated.getUpdater().getStateViewArray().toDoubleVector(), 1e-12);
            }
            assertThat(accumulated.score()).isCloseTo(concatenated.score(), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void epochsFlushTheirPartialWindowOrDropIt() {
        List<DataSet> batches = microBatches();
        MultiLayerConfiguration conf = configurations().get(0);
        for (boolean drop : new boolean[]{false, true}) {
            MultiLayerNetwork accumulated = new MultiLayerNetwork(conf.clone());
            accumulated.init();
            MultiLayerNetwork concatenated = new MultiLayerNetwork(conf.clone());
            concatenated.init();
            GradientAccumulation accumulation = GradientAccumulation.of(accumulated, 3);
            if (drop) {
                accumulation.dropPartialWindows();
            }
            accumulation.fit(new ListDataSetIterator<>(batches, 1), 2);
            for (int e = 0; e < 2; e++) {
                fitConcatenated(concatenated, batches, 3, drop);
            }
            assertThat(accumulated.getEpochCount()).isEqualTo(2);
            assertThat(accumulated.getIterationCount()).isEqualTo(drop ? 4 : 6);
            assertThatValues(accumulated.params().toDoubleVector()).as("drop=%s", drop)
                    .isCloseTo(concatenated.params().toDoubleVector(), 1e-12);
        }
    }

    @Test
    void clippingSeesTheAccumulatedMeanGradientAndAGraphAccumulatesToo() {
        List<DataSet> batches = microBatches().subList(0, 6);
        MultiLayerConfiguration conf = configurations().get(0);
        MultiLayerNetwork accumulated = new MultiLayerNetwork(conf.clone());
        accumulated.init();
        GlobalNormClipping clipAccumulated = GlobalNormClipping.maxNorm(0.05);
        accumulated.addListeners(clipAccumulated);
        MultiLayerNetwork concatenated = new MultiLayerNetwork(conf.clone());
        concatenated.init();
        GlobalNormClipping clipConcatenated = GlobalNormClipping.maxNorm(0.05);
        concatenated.addListeners(clipConcatenated);
        GradientAccumulation accumulation = GradientAccumulation.of(accumulated, 2);
        for (int i = 0; i < batches.size(); i++) {
            accumulation.fit(batches.get(i));
            if (i % 2 == 1) {
                concatenated.fit(DataSet.merge(batches.subList(i - 1, i + 1)));
                assertThat(clipAccumulated.lastNorm()).isCloseTo(clipConcatenated.lastNorm(),
                        org.assertj.core.data.Offset.offset(1e-12 * clipConcatenated.lastNorm()));
            }
        }
        assertThat(clipAccumulated.clippedSteps()).isEqualTo(3);
        assertThatValues(accumulated.params().toDoubleVector()).isCloseTo(concatenated.params().toDoubleVector(), 1e-12);

        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Adam(0.02)).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build(), "h")
                .setOutputs("out").build());
        graph.init();
        ComputationGraph reference = graph.clone();
        GradientAccumulation graphAccumulation = GradientAccumulation.of(graph, 3);
        batches.forEach(graphAccumulation::fit);
        reference.fit(DataSet.merge(batches.subList(0, 3)));
        reference.fit(DataSet.merge(batches.subList(3, 6)));
        assertThat(graph.getIterationCount()).isEqualTo(2);
        assertThatValues(graph.params().toDoubleVector()).isCloseTo(reference.params().toDoubleVector(), 1e-12);
    }

    @Test
    void savedAtAWindowBoundaryARestoredNetworkContinuesBitIdentically() throws Exception {
        List<DataSet> batches = microBatches().subList(0, 6);
        MultiLayerNetwork net = new MultiLayerNetwork(configurations().get(5).clone());
        net.init();
        GradientAccumulation accumulation = GradientAccumulation.of(net, 3);
        batches.subList(0, 3).forEach(accumulation::fit);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        GradientAccumulation resumed = GradientAccumulation.of(restored, 3);
        batches.subList(3, 6).forEach(accumulation::fit);
        batches.subList(3, 6).forEach(resumed::fit);
        assertThat(restored.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
        assertThat(restored.getIterationCount()).isEqualTo(2);
    }

    @Test
    void whatCannotBeAccumulatedIsRefusedWithTheReason() {
        MultiLayerNetwork normalised = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).build()).layer(new BatchNormalization.Builder().nOut(4).build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(3).build()).build());
        normalised.init();
        assertThatThrownBy(() -> GradientAccumulation.of(normalised, 2)).hasMessageContaining("BatchNormalization")
                .hasMessageContaining("gradient accumulation");
        MultiLayerNetwork truncated = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nIn(2).nOut(3).build()).layer(new RnnOutputLayer.Builder().nIn(3).nOut(2).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(3).build());
        truncated.init();
        assertThatThrownBy(() -> GradientAccumulation.of(truncated, 2)).hasMessageContaining("truncated BPTT");
        MultiLayerNetwork net = new MultiLayerNetwork(configurations().get(0));
        net.init();
        assertThatThrownBy(() -> GradientAccumulation.of(net, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("microBatches");
        assertThatThrownBy(() -> GradientAccumulation.of(net, 2).fit(new ListDataSetIterator<>(microBatches(), 1), 0))
                .hasMessageContaining("epochs");
        net.addListeners(SharpnessAwareTraining.sam(0.05));
        assertThatThrownBy(() -> GradientAccumulation.of(net, 2).fit(microBatches().get(0))).hasMessageContaining("SharpnessAwareTraining");
    }
}
