package io.github.descent4j.dl4j.average;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.average.AveragingRule;
import io.github.descent4j.core.average.ParameterAverage;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WeightAveraging} on networks trained by DL4J's own {@code fit}: the average after every optimiser step
 * equals core's {@link ParameterAverage} of the parameters each step produced, for a MultiLayerNetwork and a
 * ComputationGraph; swapIn/swapOut and averagedCopy; save → restore → continue bit-identical; JSON; bad input.
 */
class WeightAveragingTest {

    static DataSetIterator data(int batches, int batchSize, long seed) {
        Random rng = new Random(seed);
        List<DataSet> list = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            double[][] x = new double[batchSize][4];
            double[][] y = new double[batchSize][3];
            for (int i = 0; i < batchSize; i++) {
                for (int j = 0; j < 4; j++) {
                    x[i][j] = rng.nextGaussian() + j * 0.3;
                }
                y[i][rng.nextInt(3)] = 1;
            }
            list.add(new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)));
        }
        return new ListDataSetIterator<>(list, 1);   // each element is one batch
    }

    static MultiLayerNetwork mlp(DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new Adam(0.05)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(8).dataType(DataType.DOUBLE)
                .updater(new Adam(0.05)).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Records the parameters after every optimiser step (added before the averaging listener). */
    static final class Snapshots extends BaseTrainingListener {
        final List<double[]> after = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                after.add(model.params().dup().reshape(-1).toDoubleVector());
            }
        }

        double[] expected(AveragingRule rule, double[] initial) {
            ParameterAverage reference = new ParameterAverage(rule, new double[][]{initial});
            for (double[] p : after) {
                reference.afterStep(new double[][]{p});
            }
            return reference.average()[0];
        }
    }

    @Test
    void emaOfAMultiLayerNetworkFollowsEveryStepOfFitFromTheStartStep() {
        MultiLayerNetwork net = mlp(DataType.DOUBLE);
        double[] initial = net.params().toDoubleVector();
        Snapshots snapshots = new Snapshots();
        WeightAveraging ema = WeightAveraging.ema(0.8, 3);
        net.setListeners(snapshots, ema);
        assertThatThrownBy(ema::swapIn).isInstanceOf(IllegalStateException.class).hasMessageContaining("no weight average");
        net.fit(data(5, 8, 1), 2);
        assertThat(snapshots.after).hasSize(10);
        assertThat(ema.averagedCount()).isEqualTo(7);
        assertThatValues(ema.average().toDoubleVector()).isCloseTo(snapshots.expected(ema.rule(), initial), 1e-12);
        assertThat(ema.average().toDoubleVector()).isNotEqualTo(net.params().toDoubleVector());
    }

    @Test
    void swaOfAComputationGraphFollowsEveryStepAndSwapsInAndOut() {
        ComputationGraph g = graph();
        double[] initial = g.params().toDoubleVector();
        Snapshots snapshots = new Snapshots();
        WeightAveraging swa = WeightAveraging.swa(0);
        g.setListeners(snapshots, swa);
        g.fit(data(4, 6, 2), 2);
        assertThat(swa.averagedCount()).isEqualTo(8);
        double[] expected = snapshots.expected(AveragingRule.swa(), initial);
        assertThatValues(swa.average().toDoubleVector()).isCloseTo(expected, 1e-12);

        double[] trained = g.params().toDoubleVector();
        INDArray x = data(1, 5, 3).next().getFeatures();
        INDArray trainedOut = g.outputSingle(x).dup();
        swa.swapIn();
        assertThat(swa.isSwappedIn()).isTrue();
        assertThat(g.params().toDoubleVector()).containsExactly(swa.average().toDoubleVector());
        assertThat(g.outputSingle(x).reshape(-1).toDoubleVector()).isNotEqualTo(trainedOut.reshape(-1).toDoubleVector());
        assertThatThrownBy(swa::swapIn).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> g.fit(data(1, 6, 4))).isInstanceOf(IllegalStateException.class).hasMessageContaining("swapOut");
        swa.swapOut();
        g.params().assign(Nd4j.createFromArray(trained).reshape(g.params().shape()));   // undo the refused step's update
        assertThat(g.outputSingle(x).reshape(-1).toDoubleVector()).containsExactly(trainedOut.reshape(-1).toDoubleVector());
        assertThatThrownBy(swa::swapOut).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void swapOutRestoresTheTrainedParametersExactly() {
        MultiLayerNetwork net = mlp(DataType.FLOAT);
        WeightAveraging ema = WeightAveraging.ema(0.5);
        net.addListeners(ema);
        net.fit(data(3, 8, 5));
        float[] trained = net.params().toFloatVector();
        ema.swapIn();
        assertThat(net.params().toFloatVector()).containsExactly(ema.average().toFloatVector()).isNotEqualTo(trained);
        ema.swapOut();
        assertThat(net.params().toFloatVector()).containsExactly(trained);
        net.fit(data(2, 8, 6));   // training goes on after a swap
        assertThat(ema.averagedCount()).isEqualTo(5);
    }

    @Test
    void averagedCopiesHoldTheAverageAndLeaveTheNetworkAlone() {
        MultiLayerNetwork net = mlp(DataType.DOUBLE);
        WeightAveraging ema = WeightAveraging.ema(0.9);
        net.addListeners(ema);
        net.fit(data(4, 8, 7));
        double[] trained = net.params().toDoubleVector();
        MultiLayerNetwork copy = ema.averagedCopy();
        assertThat(copy).isNotSameAs(net);
        assertThat(copy.params().toDoubleVector()).containsExactly(ema.average().toDoubleVector());
        assertThat(net.params().toDoubleVector()).containsExactly(trained);
        assertThat(copy.getListeners()).doesNotContain(ema);
        assertThat(copy.getIterationCount()).isEqualTo(4);

        ComputationGraph g = graph();
        WeightAveraging swa = WeightAveraging.swa(1);
        g.addListeners(swa);
        g.fit(data(3, 6, 8));
        ComputationGraph graphCopy = swa.averagedCopy();
        assertThat(graphCopy.params().toDoubleVector()).containsExactly(swa.average().toDoubleVector());
        assertThat(graphCopy.getIterationCount()).isEqualTo(3);
        assertThat(graphCopy.getListeners()).doesNotContain(swa);
        assertThatThrownBy(() -> swa.bind(net)).isInstanceOf(IllegalStateException.class).hasMessageContaining("another network");
    }

    @Test
    void saveRestoreContinueIsBitIdentical(@TempDir File dir) throws Exception {
        for (WeightAveraging averaging : new WeightAveraging[]{WeightAveraging.ema(0.7, 2), WeightAveraging.swa(3)}) {
            MultiLayerNetwork net = mlp(DataType.FLOAT);
            net.addListeners(averaging);
            net.fit(data(4, 8, 9));
            File file = new File(dir, averaging.rule().mode() + ".zip");
            ModelSerializer.writeModel(net, file, true);
            averaging.writeTo(file);
            net.fit(data(5, 8, 10));

            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
            WeightAveraging continued = WeightAveraging.readFrom(file);
            assertThat(continued).isEqualTo(averaging);
            restored.addListeners(continued);
            restored.fit(data(5, 8, 10));
            assertThat(restored.params().toFloatVector()).containsExactly(net.params().toFloatVector());
            assertThat(continued.averagedCount()).isEqualTo(averaging.averagedCount());
            assertThat(continued.average().toFloatVector()).containsExactly(averaging.average().toFloatVector());
            assertThat(continued.state()).isEqualTo(averaging.state());
        }
    }

    @Test
    void aGraphSavedBeforeTheStartStepRestoresAndContinues(@TempDir File dir) throws Exception {
        ComputationGraph g = graph();
        WeightAveraging swa = WeightAveraging.swa(4);
        g.addListeners(swa);
        g.fit(data(3, 6, 11));
        File file = new File(dir, "graph.zip");
        ModelSerializer.writeModel(g, file, true);
        swa.writeTo(file);
        g.fit(data(4, 6, 12));
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        WeightAveraging continued = WeightAveraging.readFrom(file);
        assertThat(continued.averagedCount()).isZero();
        restored.addListeners(continued);
        restored.fit(data(4, 6, 12));
        assertThat(continued.averagedCount()).isEqualTo(3).isEqualTo(swa.averagedCount());
        assertThat(continued.average().toDoubleVector()).containsExactly(swa.average().toDoubleVector());
        assertThatThrownBy(() -> WeightAveraging.readFrom(writePlain(g, dir))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no weight average");
    }

    private static File writePlain(ComputationGraph g, File dir) throws Exception {
        File plain = new File(dir, "plain.zip");
        ModelSerializer.writeModel(g, plain, false);
        return plain;
    }

    @Test
    void aRestoredAverageMustFitTheNetwork(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = mlp(DataType.DOUBLE);
        WeightAveraging ema = WeightAveraging.ema(0.9);
        net.addListeners(ema);
        net.fit(data(2, 8, 13));
        WeightAveraging restored = WeightAveraging.fromState(ema.state());
        assertThatThrownBy(() -> restored.bind(graph())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("restored average");
        assertThatThrownBy(() -> WeightAveraging.fromState(ema.state()).bind(mlp(DataType.FLOAT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DOUBLE");
    }

    @Test
    void configurationIsJsonAndComparesByValue() {
        WeightAveraging ema = WeightAveraging.ema(0.999, 10);
        assertThat(ema.toJson()).isEqualTo("{\"mode\":\"EMA\",\"decay\":0.999,\"startStep\":10}");
        assertThat(WeightAveraging.fromJson(ema.toJson())).isEqualTo(ema).hasSameHashCodeAs(ema).isNotSameAs(ema);
        assertThat(WeightAveraging.fromJson("{\"mode\":\"SWA\",\"startStep\":5}")).isEqualTo(WeightAveraging.swa(5));
        assertThat(WeightAveraging.swa(5).toJson()).isEqualTo("{\"mode\":\"SWA\",\"decay\":0.0,\"startStep\":5}");
        assertThat(ema).isNotEqualTo(WeightAveraging.ema(0.999, 11)).isNotEqualTo(WeightAveraging.ema(0.99, 10));
        assertThat(WeightAveraging.ema(0.5)).isNotEqualTo(WeightAveraging.swa(0));
    }

    @Test
    void badSettingsAreRefusedNamingTheParameter() {
        for (double decay : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.1, 1.0, 1.5}) {
            assertThatThrownBy(() -> WeightAveraging.ema(decay)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("decay").hasMessageContaining("[0, 1)")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("decay"));
        }
        assertThatThrownBy(() -> WeightAveraging.swa(-1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("startStep").satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("startStep"));
        assertThatThrownBy(() -> WeightAveraging.ema(0.9, -3)).isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("startStep");
        assertThatThrownBy(() -> WeightAveraging.fromJson("{\"mode\":\"EMA\",\"decay\":1.0}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay");
        assertThatThrownBy(() -> WeightAveraging.fromJson("{\"mode\":\"SWA\",\"decay\":0.5}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay");
        assertThatThrownBy(() -> WeightAveraging.fromJson("{\"mode\":\"Polyak\",\"decay\":0.5}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> WeightAveraging.fromJson("{\"decay\":0.5}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> WeightAveraging.fromJson("{\"mode\":\"EMA\",\"decay\":0.5,\"startStep\":-2}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("startStep");
    }

    @Test
    void layerConstraintsAreRefused() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.01))
                .constrainWeights(new MaxNormConstraint(1.0, 1)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).bind(net)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("constraints");
    }
}
