package io.github.descent4j.dl4j.batch;

import io.github.descent4j.dl4j.internal.TrainableNetwork;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.core.batch.BatchTestKind;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link AdaptiveBatchTrainer}: a tested step is the same step as {@code fit} on the whole batch; the micro-batch
 * estimates match the closed-form per-example gradients of a linear model; the batch grows on a noisy
 * regression problem, never shrinks, stops at b_max and stops testing there, for both network types; exactly
 * b examples per step whatever the iterator's batch size; listener and counter bookkeeping; bad input.
 */
class AdaptiveBatchTrainerTest {
    private static final int FEATURES = 4;
    private static final double[] TRUE_WEIGHTS = {1.5, -2.0, 0.5, 1.0};
    private static final double TRUE_BIAS = 0.3;

    /** y = wᵀx + b + σ·noise, x standard normal. */
    private static DataSet noisyRegression(int n, double noise, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, FEATURES);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, 1);
        for (int i = 0; i < n; i++) {
            double t = TRUE_BIAS;
            for (int j = 0; j < FEATURES; j++) {
                double v = r.nextGaussian();
                x.putScalar(i, j, v);
                t += TRUE_WEIGHTS[j] * v;
            }
            y.putScalar(i, 0, t + noise * r.nextGaussian());
        }
        return new DataSet(x, y);
    }

    /** Three-class labels from the sign pattern of the first two features. */
    private static DataSet classification(int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, FEATURES);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x.putScalar(i, j, r.nextGaussian());
            }
            int c = x.getDouble(i, 0) > 0 ? 0 : x.getDouble(i, 1) > 0 ? 1 : 2;
            y.putScalar(i, r.nextDouble() < 0.2 ? (c + 1) % 3 : c, 1.0);
        }
        return new DataSet(x, y);
    }

    private static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater);
    }

    private static MultiLayerNetwork linearRegression(IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(updater).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(FEATURES).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    private static ComputationGraph linearRegressionGraph(IUpdater updater) {
        ComputationGraph graph = new ComputationGraph(base(updater).graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(FEATURES).nOut(1)
                        .activation(Activation.IDENTITY).build(), "in")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    private static MultiLayerNetwork classifier(IUpdater updater) {
        MultiLayerConfiguration conf = base(updater).l2(1e-3).list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static ComputationGraph classifierGraph(IUpdater updater) {
        ComputationGraph graph = new ComputationGraph(base(updater).l2(1e-3).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(FEATURES).nOut(6).activation(Activation.TANH).build(),
                        "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    private static double maxAbsDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    private static int[] firstIndices(int count, long seed) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, new Random(seed));
        return all.subList(0, count).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Two tested steps with m = 4 micro-batches of a 22-example batch (sizes 6, 6, 5, 5) move the parameters
     * exactly as {@code fit} on the same 22 examples: DL4J's Adam, AdaGrad and descent4j's AdaGrad-Norm, with
     * L2 regularisation, for a MultiLayerNetwork and a ComputationGraph.
     */
    @Test
    void aTestedStepIsTheFitStepOnTheWholeBatch() {
        DataSet data = classification(40, 3);
        for (IUpdater updater : List.of(new Adam(0.05), new AdaGrad(0.1), new AdaGradNorm(0.5, 0.1))) {
            MultiLayerNetwork net = classifier(updater);
            MultiLayerNetwork reference = net.clone();
            ComputationGraph graph = classifierGraph(updater);
            ComputationGraph graphReference = graph.clone();
            assertThat(graph.params()).isEqualTo(graphReference.params());
            checkSameAsFit(TrainableNetwork.of(net), net, reference, data);
            checkSameAsFit(TrainableNetwork.of(graph), graph, graphReference, data);
            assertThat(net.getIterationCount()).isEqualTo(reference.getIterationCount()).isEqualTo(2);
            assertThat(graph.getIterationCount()).isEqualTo(graphReference.getIterationCount()).isEqualTo(2);
        }
    }

    private static void checkSameAsFit(TrainableNetwork driven, Model net, Model reference, DataSet data) {
        ShuffledExamples examples = new ShuffledExamples(data, 1);
        AdaptiveBatchSession session = new AdaptiveBatchSession(driven, examples, 4);
        AdaptiveBatchSize schedule = AdaptiveBatchSize.norm(1.0, 22, 40);
        for (int step = 0; step < 2; step++) {
            int[] indices = firstIndices(22, step);
            AdaptiveBatchStep record = session.step(step, indices, schedule);
            DataSet batch = examples.gather(indices, 0, indices.length);
            if (reference instanceof MultiLayerNetwork) {
                ((MultiLayerNetwork) reference).fit(batch);
            } else {
                ((ComputationGraph) reference).fit(batch);
            }
            assertThat(record.tested()).isTrue();
            assertThat(record.batchSize()).isEqualTo(22);
            assertThat(record.score()).as("score, step %d", step).isCloseTo(reference.score(), within(1e-12));
            assertThat(maxAbsDifference(net.params(), reference.params())).as("parameters after step %d", step)
                    .isLessThan(1e-12);
        }
    }

    /**
     * For linear regression with DL4J's MSE (one output) the per-example gradient is
     * {@code g_i = 2 (ŷ_i − y_i) [x_i, 1]}; micro-batches of one example reproduce
     * {@link BatchStatistics#of} of those rows, and m = 3 reproduces {@link BatchStatistics#ofMicroBatchMeans}
     * of their micro-batch means (sizes 3, 3, 2 for 8 examples).
     */
    @Test
    void microBatchEstimatesMatchClosedFormPerExampleGradients() {
        DataSet data = noisyRegression(30, 1.0, 5);
        MultiLayerNetwork net = linearRegression(new Adam(0.01));
        ShuffledExamples examples = new ShuffledExamples(data, 2);
        int[] indices = firstIndices(8, 9);
        DataSet batch = examples.gather(indices, 0, 8);
        INDArray prediction = net.output(batch.getFeatures());
        double[][] perExample = new double[8][FEATURES + 1];
        for (int i = 0; i < 8; i++) {
            double residual = 2 * (prediction.getDouble(i, 0) - batch.getLabels().getDouble(i, 0));
            for (int j = 0; j < FEATURES; j++) {
                perExample[i][j] = residual * batch.getFeatures().getDouble(i, j);
            }
            perExample[i][FEATURES] = residual;
        }
        BatchStatistics expected = BatchStatistics.of(perExample);
        BatchStatistics perExampleEstimate = new AdaptiveBatchSession(TrainableNetwork.of(net), examples, 8)
                .microBatchStatistics(indices);
        assertClose(perExampleEstimate, expected);

        int[] sizes = {3, 3, 2};
        assertThat(AdaptiveBatchSession.microBatchSizes(8, 3)).containsExactly(sizes);
        double[][] means = new double[3][FEATURES + 1];
        int i = 0;
        for (int k = 0; k < 3; k++) {
            for (int e = 0; e < sizes[k]; e++, i++) {
                for (int j = 0; j <= FEATURES; j++) {
                    means[k][j] += perExample[i][j] / sizes[k];
                }
            }
        }
        BatchStatistics microEstimate = new AdaptiveBatchSession(TrainableNetwork.of(net), examples, 3)
                .microBatchStatistics(indices);
        assertClose(microEstimate, BatchStatistics.ofMicroBatchMeans(means, sizes));
        assertThat(microEstimate.traceVariance()).isNotCloseTo(expected.traceVariance(), within(1e-6));
    }

    private static void assertClose(BatchStatistics actual, BatchStatistics expected) {
        assertThat(actual.batchSize()).isEqualTo(expected.batchSize());
        assertThat(actual.meanGradientNormSquared()).isCloseTo(expected.meanGradientNormSquared(),
                within(1e-10 * expected.meanGradientNormSquared()));
        assertThat(actual.traceVariance()).isCloseTo(expected.traceVariance(), within(1e-10 * expected.traceVariance()));
        assertThat(actual.innerProductVariance()).isCloseTo(expected.innerProductVariance(),
                within(1e-9 * expected.innerProductVariance()));
        assertThat(actual.orthogonalVariance()).isCloseTo(expected.orthogonalVariance(),
                within(1e-9 * expected.orthogonalVariance()));
    }

    private static void checkGrowthRun(AdaptiveBatchRun run, int b0, int bMax) {
        int[] sizes = run.batchSizes();
        assertThat(sizes).hasSize(run.stepCount() + 1);
        assertThat(sizes[0]).isEqualTo(b0);
        for (int s = 1; s < sizes.length; s++) {
            assertThat(sizes[s]).as("batch size after step %d", s - 1).isGreaterThanOrEqualTo(sizes[s - 1])
                    .isLessThanOrEqualTo(bMax);
        }
        assertThat(run.finalBatchSize()).isEqualTo(bMax);
        for (AdaptiveBatchStep step : run.steps()) {
            assertThat(step.batchSize()).isEqualTo(sizes[step.step()]);
            // the test runs exactly while b < b_max
            assertThat(step.tested()).as("step %d at b = %d", step.step(), step.batchSize())
                    .isEqualTo(step.batchSize() < bMax);
            assertThat(step.statistic().isPresent()).isEqualTo(step.tested());
        }
        assertThat(run.steps()).anyMatch(s -> !s.tested());
    }

    /**
     * Linear regression with label noise σ = 1: near the optimum the mean gradient shrinks while the
     * per-example spread stays, so the norm test must grow the batch from 4 to b_max = 128, never shrinking;
     * from then on no test runs. Both network types, with descent4j's AdaGrad-Norm and DL4J's AdaGrad.
     */
    @Test
    void theBatchGrowsToTheCapOnANoisyProblemAndTheTestStopsThere() {
        DataSet data = noisyRegression(1000, 1.0, 11);
        AdaptiveBatchTrainer trainer = AdaptiveBatchTrainer.builder().normTest(1.0).initialBatchSize(4)
                .maxBatchSize(128).microBatches(4).epochs(8).seed(3).build();
        for (IUpdater updater : List.of(new AdaGradNorm(0.5, 0.1), new AdaGrad(0.3))) {
            MultiLayerNetwork net = linearRegression(updater);
            double before = net.score(data);
            AdaptiveBatchRun run = trainer.fit(net, data);
            checkGrowthRun(run, 4, 128);
            assertThat(net.score(data)).as("loss with %s", updater).isLessThan(before / 4);
            assertThat(run.examplesSeen()).isGreaterThanOrEqualTo(8 * 1000L).isLessThan(8 * 1000L + 128);

            ComputationGraph graph = linearRegressionGraph(updater);
            double graphBefore = graph.score(data);
            AdaptiveBatchRun graphRun = trainer.fit(graph, data);
            checkGrowthRun(graphRun, 4, 128);
            assertThat(graph.score(data)).isLessThan(graphBefore / 4);
        }
    }

    /** Noise-free labels at a large initial error: the signal dominates and the batch does not grow at once. */
    @Test
    void aNoiselessProblemFarFromTheOptimumKeepsTheSmallBatch() {
        DataSet data = noisyRegression(500, 0.0, 12);
        MultiLayerNetwork net = linearRegression(new AdaGradNorm(0.05, 1.0));
        AdaptiveBatchRun run = AdaptiveBatchTrainer.builder().normTest(2.0).initialBatchSize(16).microBatches(4)
                .maxSteps(5).build().fit(net, data);
        assertThat(run.stepCount()).isEqualTo(5);
        assertThat(run.batchSizes()).containsOnly(16);
        assertThat(run.steps()).allMatch(AdaptiveBatchStep::tested);
    }

    /**
     * An iterator with batches of 7 (n = 50): every step takes exactly b examples; the first 50 drawn form a
     * permutation; listeners see one iterationDone per step and one onEpochStart/onEpochEnd per pass;
     * the network's iteration and epoch counts advance; onStep sees every record.
     */
    @Test
    void stepsTakeExactlyBExamplesWhateverTheIteratorBatchSize() {
        DataSet data = noisyRegression(50, 1.0, 13);
        ShuffledExamples examples = new ShuffledExamples(data, 4);
        int[] pass = examples.next(20);
        int[] rest = examples.next(30);
        int[] all = IntStream.concat(Arrays.stream(pass), Arrays.stream(rest)).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 50).toArray());
        assertThat(examples.next(7)).hasSize(7);
        assertThat(examples.drawn()).isEqualTo(57);

        MultiLayerNetwork net = linearRegression(new AdaGradNorm(0.5, 0.1));
        int[] calls = new int[3];
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                calls[0]++;
            }

            @Override
            public void onEpochStart(Model model) {
                calls[1]++;
            }

            @Override
            public void onEpochEnd(Model model) {
                calls[2]++;
            }
        });
        List<AdaptiveBatchStep> seen = new ArrayList<>();
        AdaptiveBatchRun run = AdaptiveBatchTrainer.builder().augmentedTest(1.0, 1.0).initialBatchSize(6)
                .maxBatchSize(24).microBatches(3).epochs(3).seed(8).onStep(seen::add).build()
                .fit(net, new ListDataSetIterator<>(data.asList(), 7));
        assertThat(seen).isEqualTo(run.steps());
        long drawn = 0;
        for (AdaptiveBatchStep step : run.steps()) {
            drawn += step.batchSize();
            assertThat(step.examplesSeen()).isEqualTo(drawn);
        }
        assertThat(drawn).isGreaterThanOrEqualTo(150);
        assertThat(drawn - run.steps().get(run.stepCount() - 1).batchSize()).isLessThan(150);
        assertThat(calls[0]).isEqualTo(run.stepCount());
        assertThat(net.getIterationCount()).isEqualTo(run.stepCount());
        assertThat(calls[1]).isEqualTo(3);
        assertThat(calls[2]).isEqualTo(3);
        assertThat(net.getEpochCount()).isEqualTo(3);
    }

    /** Gathering rows of rank-3 (time-series) features and labels keeps each example's values and masks. */
    @Test
    void gatheringKeepsEveryExampleOfAnyRankWithItsMasks() {
        INDArray features = Nd4j.rand(DataType.DOUBLE, 6, 3, 5);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray featuresMask = Nd4j.rand(DataType.DOUBLE, 6, 5);
        DataSet data = new DataSet(features, labels, featuresMask, null);
        DataSet picked = new ShuffledExamples(data, 1).gather(new int[] {4, 0, 5, 2}, 1, 3);
        assertThat(picked.numExamples()).isEqualTo(2);
        assertThat(picked.getFeatures().shape()).containsExactly(2, 3, 5);
        assertThat(picked.getFeatures().slice(0)).isEqualTo(features.slice(0));
        assertThat(picked.getFeatures().slice(1)).isEqualTo(features.slice(5));
        assertThat(picked.getLabels().getRow(1)).isEqualTo(labels.getRow(5));
        assertThat(picked.getFeaturesMaskArray().getRow(0)).isEqualTo(featuresMask.getRow(0));
        assertThat(picked.getLabelsMaskArray()).isNull();
        DataSet second = ShuffledExamples.slice(picked, 1, 2);
        assertThat(second.getFeatures().shape()).containsExactly(1, 3, 5);
        assertThat(second.getFeatures().slice(0)).isEqualTo(features.slice(5));
        assertThat(second.getFeaturesMaskArray().getRow(0)).isEqualTo(featuresMask.getRow(5));
    }

    @Test
    void badInputNamesTheParameterAndRange() {
        assertRejected(AdaptiveBatchTrainer.builder().eta(0), "eta", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().eta(Double.NaN), "eta", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().theta(-1), "theta", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().theta(Double.NaN), "theta", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().nu(0), "nu", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().nu(Double.NaN), "nu", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().normTest(Double.POSITIVE_INFINITY), "eta", "> 0");
        assertRejected(AdaptiveBatchTrainer.builder().initialBatchSize(0), "initialBatchSize", ">= 1");
        assertRejected(AdaptiveBatchTrainer.builder().initialBatchSize(8).maxBatchSize(4), "maxBatchSize", ">= initialBatchSize");
        assertRejected(AdaptiveBatchTrainer.builder().microBatches(1), "microBatches", ">= 2");
        assertRejected(AdaptiveBatchTrainer.builder().initialBatchSize(4).microBatches(5), "microBatches",
                "<= initialBatchSize");
        assertRejected(AdaptiveBatchTrainer.builder().epochs(0), "epochs", ">= 1");
        assertRejected(AdaptiveBatchTrainer.builder().maxSteps(-1), "maxSteps", ">= 1");
        assertRejected(AdaptiveBatchTrainer.builder().test(null), "test", "NORM");
        assertThatThrownBy(() -> new AdaptiveBatchTrainer(BatchTestKind.NORM, 1, 1, 1, 4, 2, 2, 1, 1))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("maxBatchSize");

        DataSet small = noisyRegression(20, 1.0, 1);
        MultiLayerNetwork net = linearRegression(new Adam(0.01));
        assertThatThrownBy(() -> AdaptiveBatchTrainer.builder().maxBatchSize(21).build().fit(net, small))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("maxBatchSize").hasMessageContaining("<= the number of training examples, 20");
        assertThatThrownBy(() -> AdaptiveBatchTrainer.builder().initialBatchSize(32).build().fit(net, small))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("initialBatchSize");

        MultiLayerNetwork withBatchNorm = new MultiLayerNetwork(base(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(4).build())
                .layer(new BatchNormalization.Builder().nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        withBatchNorm.init();
        assertThatThrownBy(() -> AdaptiveBatchTrainer.builder().build().fit(withBatchNorm, small))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BatchNormalization");
    }

    private static void assertRejected(AdaptiveBatchTrainer.Builder builder, String parameter, String range) {
        assertThatThrownBy(builder::build).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageStartingWith(parameter + " must be").hasMessageContaining(range);
    }
}
