package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.updater.Dl4jDropInTrainingTest;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link SharpnessAwareTraining} inside real training: per-layer updaters and BatchNorm, MLN and graph,
 * with and without workspaces, against a reference SAM step built by hand; BatchNorm running statistics;
 * {@code fit(DataSetIterator)}; digits accuracy; configuration JSON and validation.
 */
class Dl4jSharpnessNetworkTest {
    private static final double RHO = 0.5;

    /** Dense(Sgd) → BatchNorm(Nesterovs) → softmax output(Adam): three updater blocks plus BatchNorm's NoOp statistics. */
    private static List<Layer> layers() {
        return List.of(
                new DenseLayer.Builder().nIn(6).nOut(10).activation(Activation.TANH).updater(new Sgd(0.1)).build(),
                new BatchNormalization.Builder().nOut(10).updater(new Nesterovs(0.05, 0.9)).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(3)
                        .activation(Activation.SOFTMAX).updater(new Adam(0.01)).build());
    }

    private static Model network(boolean graph, WorkspaceMode mode) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode)
                .inferenceWorkspaceMode(mode);
        List<Layer> layers = layers();
        if (graph) {
            var g = builder.graphBuilder().addInputs("in");
            String previous = "in";
            String[] names = {"dense", "bn", "out"};
            for (int i = 0; i < layers.size(); i++) {
                g.addLayer(names[i], layers.get(i), previous);
                previous = names[i];
            }
            ComputationGraph cg = new ComputationGraph(g.setOutputs("out").build());
            cg.init();
            return cg;
        }
        var list = builder.list();
        layers.forEach(list::layer);
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    private static DataSet batch(long seed, int n) {
        var random = new java.util.Random(seed);
        double[][] x = new double[n][6];
        double[][] y = new double[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = random.nextGaussian() + (j == 0 ? 2.0 : 0.0);
            }
            y[i][random.nextInt(3)] = 1;
        }
        return new DataSet(Nd4j.create(x).castTo(DataType.DOUBLE), Nd4j.create(y).castTo(DataType.DOUBLE));
    }

    /** A copy with parameters, updater state and iteration count (DL4J's graph clone resets the count to 0). */
    private static Model copy(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            return net.clone();
        }
        ComputationGraph graph = (ComputationGraph) model;
        ComputationGraph clone = graph.clone();
        clone.getConfiguration().setIterationCount(graph.getIterationCount());
        clone.getConfiguration().setEpochCount(graph.getEpochCount());
        return clone;
    }

    private static Map<String, INDArray> paramTable(Model model) {
        return model.paramTable();
    }

    private static boolean isStatistic(String key) {
        return key.endsWith("_mean") || key.endsWith("_var") || key.endsWith("_log10stdev");
    }

    /**
     * The SAM step written out by hand: the gradient at θ from a plain forward/backward pass, ε from core's
     * {@link SharpnessAwareMinimization#perturbation} over the trainable parameters (BatchNorm statistics
     * excluded), then an ordinary {@code fit} of a copy at θ + ε, and ε subtracted again. Returns that copy.
     */
    private static Model referenceStep(Model model, DataSet data, double rho) {
        Model ref = copy(model);
        ref.setListeners();
        if (ref instanceof MultiLayerNetwork net) {
            net.setInput(data.getFeatures());
            net.setLabels(data.getLabels());
            net.computeGradientAndScore();
        } else {
            ComputationGraph g = (ComputationGraph) ref;
            g.setInputs(data.getFeatures());
            g.setLabels(data.getLabels());
            g.computeGradientAndScore();
        }
        INDArray flatParams = ref.params();
        INDArray flatGradient = ref instanceof MultiLayerNetwork net ? net.getFlattenedGradients()
                : ((ComputationGraph) ref).getFlattenedGradients();
        double[] allGradients = flatGradient.toDoubleVector();
        double[] allParams = flatParams.toDoubleVector();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : paramTable(ref).entrySet()) {
            if (!isStatistic(e.getKey())) {
                long start = e.getValue().offset() - flatParams.offset();
                ranges.add(new long[]{start, start + e.getValue().length()});
            }
        }
        assertThat(ranges).as("trainable parameter arrays").hasSizeGreaterThan(1);
        double[][] theta = new double[ranges.size()][];
        double[][] grad = new double[ranges.size()][];
        for (int t = 0; t < ranges.size(); t++) {
            int from = (int) ranges.get(t)[0];
            int to = (int) ranges.get(t)[1];
            theta[t] = java.util.Arrays.copyOfRange(allParams, from, to);
            grad[t] = java.util.Arrays.copyOfRange(allGradients, from, to);
            for (int i = 0; i < grad[t].length; i++) {
                grad[t][i] /= data.numExamples();   // as DL4J's updater sees it
            }
        }
        double[][] eps = SharpnessAwareMinimization.sam(new FlatOptimiser(new SgdRule(), 1.0, theta), rho).perturbation(theta, grad);
        double[] perturbed = allParams.clone();
        for (int t = 0; t < ranges.size(); t++) {
            for (int i = 0; i < eps[t].length; i++) {
                perturbed[(int) ranges.get(t)[0] + i] += eps[t][i];
            }
        }
        flatParams.assign(Nd4j.createFromArray(perturbed).reshape(flatParams.shape()));
        Dl4jSharpnessGoldenConformanceTest.fit(ref, data);
        double[] after = flatParams.toDoubleVector();
        for (int t = 0; t < ranges.size(); t++) {
            for (int i = 0; i < eps[t].length; i++) {
                after[(int) ranges.get(t)[0] + i] -= eps[t][i];
            }
        }
        flatParams.assign(Nd4j.createFromArray(after).reshape(flatParams.shape()));
        return ref;
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(false, WorkspaceMode.ENABLED),
                Arguments.of(false, WorkspaceMode.NONE),
                Arguments.of(true, WorkspaceMode.ENABLED),
                Arguments.of(true, WorkspaceMode.NONE));
    }

    @ParameterizedTest(name = "graph={0}, workspaces={1}")
    @MethodSource("networks")
    void samStepWithPerLayerUpdatersAndBatchNormMatchesTheHandWrittenStep(boolean graph, WorkspaceMode mode) {
        Model model = network(graph, mode);
        model.setListeners(SharpnessAwareTraining.sam(RHO));
        for (int step = 0; step < 3; step++) {
            DataSet data = batch(step, 16);
            Model plain = copy(model);
            plain.setListeners();
            Model reference = referenceStep(model, data, RHO);
            double before = scoreAt(copy(model), data);

            Dl4jSharpnessGoldenConformanceTest.fit(model, data);
            Dl4jSharpnessGoldenConformanceTest.fit(plain, data);

            Map<String, INDArray> sam = paramTable(model);
            Map<String, INDArray> ref = paramTable(reference);
            Map<String, INDArray> sgd = paramTable(plain);
            double samVsPlain = 0;   // per key it can be ~0: Adam's first step is about lr·sign(g)
            for (String key : sam.keySet()) {
                double[] actual = values(sam.get(key));
                if (isStatistic(key)) {
                    // running statistics come from the first pass, at θ, exactly as without SAM ...
                    assertThat(actual).as("step %d %s", step, key).containsExactly(values(sgd.get(key)));
                    // ... and would differ had the pass at θ + ε written them
                    assertThat(maxAbsDifference(actual, values(ref.get(key))))
                            .as("step %d %s: statistics at θ + ε differ", step, key).isGreaterThan(1e-6);
                } else {
                    assertThatValues(actual).as("step %d %s", step, key).isCloseTo(values(ref.get(key)), 1e-10);
                    samVsPlain = Math.max(samVsPlain, maxAbsDifference(actual, values(sgd.get(key))));
                }
            }
            assertThat(samVsPlain).as("step %d: SAM differs from the plain step", step).isGreaterThan(1e-6);
            assertThat(model.score()).as("step %d: the reported score is the training loss at θ", step)
                    .isCloseTo(before, within(1e-12 * Math.abs(before)));
            assertThat(model.score()).isCloseTo(plain.score(), within(1e-12 * Math.abs(before)));
        }
    }

    /** The training-mode score at the current parameters, from a plain forward/backward pass. */
    private static double scoreAt(Model model, DataSet data) {
        model.setListeners();
        if (model instanceof MultiLayerNetwork net) {
            net.setInput(data.getFeatures());
            net.setLabels(data.getLabels());
            net.computeGradientAndScore();
        } else {
            ComputationGraph g = (ComputationGraph) model;
            g.setInputs(data.getFeatures());
            g.setLabels(data.getLabels());
            g.computeGradientAndScore();
        }
        return model.score();
    }

    private static double[] values(INDArray array) {
        return array.dup('c').reshape(array.length()).toDoubleVector();
    }

    private static double maxAbsDifference(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void fitOnAnIteratorEqualsFittingItsBatchesOneByOne() {
        List<DataSet> batches = List.of(batch(11, 8), batch(12, 8), batch(13, 8));
        List<DataSet> examples = new ArrayList<>();
        for (DataSet b : batches) {
            examples.addAll(b.asList());
        }
        MultiLayerNetwork viaIterator = (MultiLayerNetwork) network(false, WorkspaceMode.ENABLED);
        MultiLayerNetwork viaBatches = viaIterator.clone();
        viaIterator.setListeners(SharpnessAwareTraining.asam(1.0, 0.01));
        viaBatches.setListeners(SharpnessAwareTraining.asam(1.0, 0.01));
        MultiLayerNetwork withoutSam = viaIterator.clone();
        withoutSam.setListeners();

        viaIterator.fit(new ListDataSetIterator<>(examples, 8), 2);
        for (int epoch = 0; epoch < 2; epoch++) {
            for (DataSet b : batches) {
                viaBatches.fit(b);
                withoutSam.fit(b);
            }
        }
        assertThat(viaIterator.getIterationCount()).isEqualTo(6);
        assertThatValues(viaIterator.params().toDoubleVector()).isCloseTo(viaBatches.params().toDoubleVector(), 1e-12);
        assertThat(maxAbsDifference(viaIterator.params().toDoubleVector(), withoutSam.params().toDoubleVector()))
                .as("ASAM changed the trajectory").isGreaterThan(1e-6);
    }

    static Stream<Arguments> digitsRuns() {
        return Stream.of(
                Arguments.of("SAM rho=0.05", SharpnessAwareTraining.sam(0.05)),
                Arguments.of("ASAM rho=0.5 eta=0.01", SharpnessAwareTraining.asam(0.5, 0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("digitsRuns")
    void mlpOnDigitsStillTrainsWell(String name, SharpnessAwareTraining sam) {
        LabelledData[] split = Dl4jDropInTrainingTest.digits();
        MultiLayerNetwork net = Dl4jDropInTrainingTest.mlp(new Adam(1e-3));
        net.addListeners(sam);
        net.fit(new ListDataSetIterator<>(Dl4jDropInTrainingTest.dataSet(split[0]).asList(), 32), 25);
        Evaluation evaluation = net.evaluate(new ListDataSetIterator<>(Dl4jDropInTrainingTest.dataSet(split[1]).asList(), 256));
        // the same MLP with Adam alone reaches about 0.96 (Dl4jDropInTrainingTest)
        assertThat(evaluation.accuracy()).as(name + " test accuracy").isGreaterThan(0.92);
    }

    @Test
    void nonFiniteGradientIsRejectedBeforeAnythingChanges() {
        MultiLayerNetwork net = (MultiLayerNetwork) network(false, WorkspaceMode.ENABLED);
        net.setListeners(SharpnessAwareTraining.sam(0.05));
        DataSet data = batch(5, 4);
        data.getFeatures().putScalar(1, 2, Double.NaN);
        double[] before = net.params().toDoubleVector();
        assertThatThrownBy(() -> net.fit(data)).isInstanceOf(NonFiniteGradientException.class)
                .hasMessageContaining("non-finite").hasMessageContaining("layer");
        assertThat(net.params().toDoubleVector()).containsExactly(before);
    }

    @Test
    void configurationRoundTripsThroughJson() throws Exception {
        for (SharpnessAwareTraining sam : List.of(SharpnessAwareTraining.sam(0.05), SharpnessAwareTraining.asam(0.5),
                SharpnessAwareTraining.asam(2.0, 0.01))) {
            String json = sam.toJson();
            SharpnessAwareTraining back = SharpnessAwareTraining.fromJson(json);
            assertThat(back).isEqualTo(sam).hasSameHashCodeAs(sam);
            assertThat(back.toJson()).isEqualTo(json);
            assertThat(new ObjectMapper().readValue(json, SharpnessAwareTraining.class)).isEqualTo(sam);
        }
        assertThat(SharpnessAwareTraining.fromJson("{\"rho\":0.1,\"adaptive\":true,\"eta\":0.01}"))
                .isEqualTo(SharpnessAwareTraining.asam(0.1, 0.01));
        assertThat(SharpnessAwareTraining.sam(0.05)).isNotEqualTo(SharpnessAwareTraining.asam(0.05));
    }

    @Test
    void invalidConfigurationNamesTheParameterAndItsRange() {
        for (double rho : new double[]{0.0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SharpnessAwareTraining.sam(rho)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("rho").hasMessageContaining("> 0");
            assertThatThrownBy(() -> SharpnessAwareTraining.asam(rho, 0.01)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("rho");
        }
        for (double eta : new double[]{-0.01, Double.NaN}) {
            assertThatThrownBy(() -> SharpnessAwareTraining.asam(0.5, eta)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("eta").hasMessageContaining(">= 0");
        }
        assertThatThrownBy(() -> SharpnessAwareTraining.fromJson("{\"rho\":0.1,\"adaptive\":false,\"eta\":0.01}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("eta");
        assertThatThrownBy(() -> SharpnessAwareTraining.fromJson("{\"rho\":-1,\"adaptive\":false,\"eta\":0}"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("rho");
    }

    @Test
    void truncatedBackpropIsRejectedWithAClearMessage() {
        MultiLayerNetwork rnn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).list()
                .layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nIn(2).nOut(3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nIn(3).nOut(1).activation(Activation.IDENTITY).build())
                .backpropType(org.deeplearning4j.nn.conf.BackpropType.TruncatedBPTT).tBPTTLength(2)
                .build());
        rnn.init();
        rnn.setListeners(SharpnessAwareTraining.sam(0.05));
        DataSet sequence = new DataSet(Nd4j.rand(DataType.DOUBLE, 2, 2, 4), Nd4j.rand(DataType.DOUBLE, 2, 1, 4));
        assertThatThrownBy(() -> rnn.fit(sequence)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("truncated BPTT");
    }
}
