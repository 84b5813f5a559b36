package io.github.descent4j.dl4j.average;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WeightAveraging#recomputeBatchNormStatistics} against statistics computed here by hand from the
 * activations entering the batch-norm layer under the averaged weights: each batch weighs the same (torch's
 * {@code update_bn}, momentum None), per-channel mean and DL4J's biased variance; nothing else in the average or
 * the network changes.
 */
class BatchNormStatisticsTest {

    private static List<DataSet> batches(int... sizes) {
        Random rng = new Random(21);
        List<DataSet> out = new ArrayList<>();
        for (int size : sizes) {
            double[][] x = new double[size][4];
            double[][] y = new double[size][3];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < 4; j++) {
                    x[i][j] = rng.nextGaussian() * (1 + j) + j;
                }
                y[i][i % 3] = 1;
            }
            out.add(new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)));
        }
        return out;
    }

    private static DataSetIterator iterator(List<DataSet> batches) {
        return new ListDataSetIterator<>(batches, 1);
    }

    private static NeuralNetConfiguration.ListBuilder layers(boolean logStd) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new Adam(0.05)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().nOut(5).useLogStd(logStd).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build());
    }

    /** Per channel: the mean over batches of each batch's mean and biased variance of {@code inputs}. */
    private static double[][] expectedStatistics(List<INDArray> inputs) {
        int channels = (int) inputs.get(0).size(1);
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (INDArray in : inputs) {
            double[][] h = in.toDoubleMatrix();
            for (int c = 0; c < channels; c++) {
                double m = 0;
                for (double[] row : h) {
                    m += row[c];
                }
                m /= h.length;
                double v = 0;
                for (double[] row : h) {
                    v += (row[c] - m) * (row[c] - m);
                }
                mean[c] += m / inputs.size();
                variance[c] += v / h.length / inputs.size();
            }
        }
        return new double[][]{mean, variance};
    }

    private static double[] variance(Layer bn, boolean logStd) {
        if (!logStd) {
            return bn.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).toDoubleVector();
        }
        double[] s = bn.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).toDoubleVector();
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.pow(10, 2 * s[i]);
        }
        return s;
    }

    @ParameterizedTest(name = "useLogStd={0}")
    @ValueSource(booleans = {false, true})
    void theAveragedNetworksStatisticsAreRecomputedFromOnePassWithEqualBatchWeights(boolean logStd) {
        MultiLayerNetwork net = new MultiLayerNetwork(layers(logStd).build());
        net.init();
        WeightAveraging ema = WeightAveraging.ema(0.6);
        net.addListeners(ema);
        net.fit(iterator(batches(8, 8, 8, 8)), 2);
        double[] trained = net.params().toDoubleVector();
        MultiLayerNetwork before = ema.averagedCopy();

        List<DataSet> data = batches(6, 9, 4);   // unequal batches: torch's cumulative average weighs batches, not examples
        List<INDArray> inputs = new ArrayList<>();
        for (DataSet d : data) {
            inputs.add(before.feedForwardToLayer(0, d.getFeatures(), true).get(1));
        }
        double[][] expected = expectedStatistics(inputs);

        assertThat(ema.recomputeBatchNormStatistics(iterator(data))).isEqualTo(1);
        MultiLayerNetwork after = ema.averagedCopy();
        assertThatValues(after.getLayer(1).getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).toDoubleVector())
                .isCloseTo(expected[0], 1e-12);
        assertThatValues(variance(after.getLayer(1), logStd)).isCloseTo(expected[1], 1e-12);
        assertThat(variance(before.getLayer(1), logStd)).isNotEqualTo(variance(after.getLayer(1), logStd));
        // everything but the statistics is as averaged, and the network keeps its trained parameters
        assertThat(after.getLayer(0).params().toDoubleVector()).containsExactly(before.getLayer(0).params().toDoubleVector());
        assertThat(after.getLayer(2).params().toDoubleVector()).containsExactly(before.getLayer(2).params().toDoubleVector());
        for (String p : new String[]{BatchNormalizationParamInitializer.GAMMA, BatchNormalizationParamInitializer.BETA}) {
            assertThat(after.getLayer(1).getParam(p).toDoubleVector()).containsExactly(before.getLayer(1).getParam(p).toDoubleVector());
        }
        assertThat(net.params().toDoubleVector()).containsExactly(trained);
        assertThat(ema.isSwappedIn()).isFalse();
    }

    @Test
    void aGraphsStatisticsAreRecomputedToo() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new Adam(0.05)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(5).useLogStd(false).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out").build());
        g.init();
        WeightAveraging swa = WeightAveraging.swa(1);
        g.addListeners(swa);
        g.fit(iterator(batches(8, 8, 8)), 2);
        ComputationGraph before = swa.averagedCopy();
        List<DataSet> data = batches(5, 7);
        List<INDArray> inputs = new ArrayList<>();
        for (DataSet d : data) {
            inputs.add(before.feedForward(d.getFeatures(), true).get("dense"));
        }
        double[][] expected = expectedStatistics(inputs);
        assertThat(swa.recomputeBatchNormStatistics(iterator(data))).isEqualTo(1);
        ComputationGraph after = swa.averagedCopy();
        assertThatValues(after.getLayer("bn").getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).toDoubleVector())
                .isCloseTo(expected[0], 1e-12);
        assertThatValues(variance(after.getLayer("bn"), false)).isCloseTo(expected[1], 1e-12);
    }

    @Test
    void aNetworkWithoutBatchNormIsLeftAloneAndNoBatchIsRefused() {
        MultiLayerNetwork plain = WeightAveragingTest.mlp(DataType.DOUBLE);
        WeightAveraging ema = WeightAveraging.ema(0.9);
        plain.addListeners(ema);
        plain.fit(WeightAveragingTest.data(2, 8, 1));
        double[] average = ema.average().toDoubleVector();
        assertThat(ema.recomputeBatchNormStatistics(iterator(List.of()))).isZero();
        assertThat(ema.average().toDoubleVector()).containsExactly(average);

        MultiLayerNetwork net = new MultiLayerNetwork(layers(false).build());
        net.init();
        WeightAveraging withBn = WeightAveraging.ema(0.9);
        net.addListeners(withBn);
        net.fit(iterator(batches(8)));
        double[] bnAverage = withBn.average().toDoubleVector();
        assertThatThrownBy(() -> withBn.recomputeBatchNormStatistics(iterator(List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no batch");
        assertThat(withBn.average().toDoubleVector()).containsExactly(bnAverage);
        assertThat(withBn.isSwappedIn()).isFalse();
    }
}
