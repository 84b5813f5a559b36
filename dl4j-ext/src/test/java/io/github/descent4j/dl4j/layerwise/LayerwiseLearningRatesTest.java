package io.github.descent4j.dl4j.layerwise;

import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.Lion;
import io.github.descent4j.dl4j.updater.NormalizedSGD;
import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.descent4j.core.layerwise.LearningRateDistribution.explicit;
import static io.github.descent4j.core.layerwise.LearningRateDistribution.flat;
import static io.github.descent4j.core.layerwise.LearningRateDistribution.geometricMean;
import static io.github.descent4j.core.layerwise.LearningRateDistribution.layerwiseDecay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link LayerwiseLearningRates} and {@link ScaledSchedule} on real DL4J networks: the per-layer rates each
 * distribution produces (read back from the layer configurations), frozen layers, TransferLearning's
 * shared updater instance, serialization, and the optimiser state carried across the change of updater
 * blocks.
 */
class LayerwiseLearningRatesTest {

    private static final double LR = 0.01;

    /**
     * Layers 0, 2, 3, 4 train (depth 4); layer 1 has no parameters. Layer 3's biases have their own
     * updater, so the network has three updater blocks to begin with.
     */
    private static MultiLayerNetwork mlp(IUpdater updater, DataType type) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(type)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(5).activation(Activation.TANH)
                        .biasUpdater(new Sgd(0.1)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** in → d0 → (a, b) → merge → out: a branching graph whose topological order is d0, a, b, out. */
    private static ComputationGraph graph(IUpdater updater) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .graphBuilder()
                .addInputs("in")
                .addLayer("d0", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("a", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "d0")
                .addLayer("b", new DenseLayer.Builder().nIn(6).nOut(3).activation(Activation.TANH).build(), "d0")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(7).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static DataSet data(DataType type) {
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.randn(DataType.DOUBLE, 16, 4).castTo(type);
        INDArray labels = Nd4j.zeros(type, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    private static Layer layer(MultiLayerNetwork net, int index) {
        return net.getLayerWiseConfigurations().getConf(index).getLayer();
    }

    private static Layer layer(ComputationGraph graph, String name) {
        return ((LayerVertex) graph.getConfiguration().getVertices().get(name)).getLayerConf().getLayer();
    }

    private static void fit(MultiLayerNetwork net, DataSet data, int steps) {
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
    }

    private static void fit(ComputationGraph graph, DataSet data, int steps) {
        for (int i = 0; i < steps; i++) {
            graph.fit(data);
        }
    }

    private static int blockCount(Object updater) {
        return ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks().size();
    }

    // ---- the rates each distribution produces ----

    @Test
    void eachDistributionGivesEveryTrainableLayerItsRateForWeightsAndBiases() {
        record Case(LearningRateDistribution distribution, double[] expected) {}
        double r = Math.sqrt(0.5);
        List<Case> cases = List.of(
                new Case(flat(), new double[]{1, 1, 1, 1}),
                new Case(layerwiseDecay(0.5), new double[]{0.125, 0.25, 0.5, 1}),
                // Two values resampled linearly onto four layers.
                new Case(explicit(1.0, 0.5), new double[]{1, 5.0 / 6, 4.0 / 6, 0.5}),
                new Case(explicit(0.1, 0.2, 0.3, 0.4), new double[]{0.1, 0.2, 0.3, 0.4}),
                new Case(geometricMean(layerwiseDecay(0.5), flat()), new double[]{r * r * r, r * r, r, 1}));
        int[] trainable = {0, 2, 3, 4};
        for (Case c : cases) {
            MultiLayerNetwork net = mlp(new Adam(LR), DataType.FLOAT);
            Map<Integer, Double> applied = LayerwiseLearningRates.apply(net, c.distribution());
            assertThat(applied.keySet()).as("%s", c.distribution()).containsExactly(0, 2, 3, 4);
            for (int k = 0; k < trainable.length; k++) {
                Layer layer = layer(net, trainable[k]);
                double m = c.expected()[k];
                assertThat(applied.get(trainable[k])).as("%s layer %d", c.distribution(), trainable[k]).isCloseTo(m, within(1e-15));
                assertThat(layer.getUpdaterByParam("W").getLearningRate(5, 1)).as("%s layer %d W", c.distribution(), trainable[k])
                        .isCloseTo(LR * m, within(1e-15));
                double biasRate = trainable[k] == 3 ? 0.1 : LR;   // layer 3's own bias updater is scaled too
                assertThat(layer.getUpdaterByParam("b").getLearningRate(5, 1)).as("%s layer %d b", c.distribution(), trainable[k])
                        .isCloseTo(biasRate * m, within(1e-15));
                // The runtime layer, whose configuration the updater reads, sees the same objects.
                assertThat(((Trainable) net.getLayer(trainable[k])).getConfig().getUpdaterByParam("W"))
                        .isSameAs(layer.getUpdaterByParam("W"));
            }
            assertThat(((BaseLayer) layer(net, 3)).getBiasUpdater()).isInstanceOf(Sgd.class);
        }
    }

    @Test
    void everyUpdaterWithALearningRateIsScaledAndSchedulesStayUnderneath() {
        ISchedule exponential = new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.9);
        List<IUpdater> updaters = List.of(new Sgd(LR), new Nesterovs(LR, 0.9), new AdaGrad(LR), new RmsProp(LR),
                new AMSGrad(LR), new Adam(exponential), new Lion(LR), new AdaGradNorm(LR, 0.1), new Lion(exponential));
        for (IUpdater updater : updaters) {
            MultiLayerNetwork net = mlp(updater, DataType.FLOAT);
            LayerwiseLearningRates.apply(net, layerwiseDecay(0.5));
            IUpdater first = layer(net, 0).getUpdaterByParam("W");
            assertThat(first).as("%s", updater).isInstanceOf(updater.getClass()).isNotEqualTo(updater);
            for (int iteration : new int[]{0, 7}) {
                assertThat(first.getLearningRate(iteration, 0)).as("%s at %d", updater, iteration)
                        .isCloseTo(0.125 * updater.getLearningRate(iteration, 0), within(1e-15));
                assertThat(layer(net, 4).getUpdaterByParam("W").getLearningRate(iteration, 0))
                        .isEqualTo(updater.getLearningRate(iteration, 0));
            }
            // Everything but the learning rate is the original configuration.
            IUpdater unscaled = first.clone();
            unscaled.setLrAndSchedule(1, null);
            IUpdater original = updater.clone();
            original.setLrAndSchedule(1, null);
            assertThat(unscaled).as("%s", updater).isEqualTo(original);
        }
    }

    @Test
    void applyingAgainReplacesTheDistributionInsteadOfCompoundingIt() {
        MultiLayerNetwork net = mlp(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, LR, 0.9)), DataType.FLOAT);
        LayerwiseLearningRates.apply(net, layerwiseDecay(0.5));
        LayerwiseLearningRates.apply(net, layerwiseDecay(0.5));
        ScaledSchedule schedule = (ScaledSchedule) ((Adam) ((BaseLayer) layer(net, 0)).getIUpdater()).getLearningRateSchedule();
        assertThat(schedule.getFactor()).isEqualTo(0.125);
        assertThat(schedule.getBase()).isEqualTo(new ExponentialSchedule(ScheduleType.ITERATION, LR, 0.9));
        LayerwiseLearningRates.apply(net, flat());
        for (int i : new int[]{0, 2, 3, 4}) {
            assertThat(layer(net, i).getUpdaterByParam("W").getLearningRate(3, 0)).isEqualTo(LR * Math.pow(0.9, 3));
        }
        MultiLayerNetwork constant = mlp(new Adam(LR), DataType.FLOAT);
        LayerwiseLearningRates.apply(constant, explicit(4, 3, 2, 1));
        LayerwiseLearningRates.apply(constant, layerwiseDecay(0.5));
        assertThat(layer(constant, 0).getUpdaterByParam("W").getLearningRate(0, 0)).isEqualTo(LR * 0.125);
    }

    /** Wrapped (Bidirectional, LastTimeStep) and SameDiff (SelfAttentionLayer) layers, trained across the change. */
    @Test
    void wrappedAndSameDiffLayersAreScaledAndKeepTheirState() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Adam(LR)).list()
                .layer(new Bidirectional(new LSTM.Builder().nIn(3).nOut(4).build()))
                .layer(new SelfAttentionLayer.Builder().nIn(8).nOut(8).nHeads(2).projectInput(true).build())
                .layer(new LastTimeStep(new LSTM.Builder().nIn(8).nOut(5).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 6))
                .build();
        MultiLayerNetwork changed = new MultiLayerNetwork(conf.clone());
        MultiLayerNetwork reference = new MultiLayerNetwork(conf.clone());
        changed.init();
        reference.init();
        Nd4j.getRandom().setSeed(11);
        DataSet data = new DataSet(Nd4j.randn(DataType.DOUBLE, 4, 3, 6), Nd4j.eye(2).getRows(0, 1, 1, 0));
        fit(changed, data, 2);
        fit(reference, data, 2);

        Map<Integer, Double> applied = LayerwiseLearningRates.apply(changed, layerwiseDecay(0.5));
        assertThat(applied).containsExactly(Map.entry(0, 0.125), Map.entry(1, 0.25), Map.entry(2, 0.5), Map.entry(3, 1.0));
        Bidirectional bidirectional = (Bidirectional) layer(changed, 0);
        assertThat(((BaseLayer) bidirectional.getFwd()).getIUpdater().getLearningRate(0, 0)).isEqualTo(LR * 0.125);
        assertThat(((BaseLayer) bidirectional.getBwd()).getIUpdater().getLearningRate(0, 0)).isEqualTo(LR * 0.125);
        assertThat(((SelfAttentionLayer) layer(changed, 1)).getUpdater().getLearningRate(0, 0)).isEqualTo(LR * 0.25);
        assertThat(((BaseLayer) ((LastTimeStep) layer(changed, 2)).getUnderlying()).getIUpdater().getLearningRate(0, 0))
                .isEqualTo(LR * 0.5);
        for (String param : changed.getLayer(0).paramTable().keySet()) {
            assertThat(((Trainable) changed.getLayer(0)).getConfig().getUpdaterByParam(param).getLearningRate(0, 0))
                    .as(param).isEqualTo(LR * 0.125);
        }
        LayerwiseLearningRates.apply(changed, flat());
        fit(changed, data, 2);
        fit(reference, data, 2);
        assertThat(changed.params().toDoubleVector()).containsExactly(reference.params().toDoubleVector());
    }

    // ---- frozen layers and TransferLearning ----

    @Test
    void afterTransferLearningFrozenLayersAreSkippedAndTheSharedUpdaterIsClonedNotChanged() {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork pretrained = mlp(new Adam(LR), DataType.FLOAT);
        fit(pretrained, data, 2);
        Adam shared = new Adam(1e-3);
        MultiLayerNetwork tuned = new TransferLearning.Builder(pretrained)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(shared).build())
                .setFeatureExtractor(0)
                .build();
        // FineTuneConfiguration puts one instance into every layer.
        assertThat(((BaseLayer) layer(tuned, 2)).getIUpdater()).isSameAs(((BaseLayer) layer(tuned, 4)).getIUpdater());

        Map<Integer, Double> applied = LayerwiseLearningRates.apply(tuned, layerwiseDecay(0.5));
        assertThat(applied).containsExactly(Map.entry(2, 0.25), Map.entry(3, 0.5), Map.entry(4, 1.0));
        assertThat(layer(tuned, 0)).isInstanceOf(FrozenLayer.class);
        assertThat(((BaseLayer) ((FrozenLayer) layer(tuned, 0)).getLayer()).getIUpdater()).as("frozen layer untouched")
                .isSameAs(shared);
        double[] rates = new double[5];
        for (int i : new int[]{2, 3, 4}) {
            IUpdater updater = ((BaseLayer) layer(tuned, i)).getIUpdater();
            assertThat(updater).isNotSameAs(shared);
            rates[i] = updater.getLearningRate(0, 0);
        }
        assertThat(rates[2]).isEqualTo(1e-3 * 0.25);
        assertThat(rates[3]).isEqualTo(1e-3 * 0.5);
        assertThat(rates[4]).isEqualTo(1e-3);
        assertThat(shared).isEqualTo(new Adam(1e-3));
        assertThat(shared.getLearningRateSchedule()).isNull();

        // The network trains; the frozen layer does not move.
        INDArray frozenBefore = tuned.getLayer(0).params().dup();
        INDArray headBefore = tuned.getLayer(4).params().dup();
        fit(tuned, data, 2);
        assertThat(tuned.getLayer(0).params().toDoubleVector()).containsExactly(frozenBefore.toDoubleVector());
        assertThat(tuned.getLayer(4).params().toDoubleVector()).isNotEqualTo(headBefore.toDoubleVector());
    }

    @Test
    void frozenWithBackpropLayersAreSkippedToo() {
        Adam adam = new Adam(LR);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(adam).list()
                .layer(new FrozenLayerWithBackprop(new DenseLayer.Builder().nIn(4).nOut(6).build()))
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).build())
                .layer(new OutputLayer.Builder().nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        DataSet data = data(DataType.FLOAT);
        fit(net, data, 1);
        assertThat(LayerwiseLearningRates.apply(net, layerwiseDecay(0.5))).containsExactly(Map.entry(1, 0.5), Map.entry(2, 1.0));
        Layer inner = ((FrozenLayerWithBackprop) layer(net, 0)).getUnderlying();
        assertThat(((BaseLayer) inner).getIUpdater()).isEqualTo(adam);
        INDArray frozenBefore = net.getLayer(0).params().dup();
        fit(net, data, 2);
        assertThat(net.getLayer(0).params().toDoubleVector()).containsExactly(frozenBefore.toDoubleVector());
    }

    @Test
    void aGraphIsOrderedTopologicallyAndItsFrozenVerticesAreSkipped() {
        ComputationGraph graph = graph(new Adam(LR));
        List<String> topological = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (List.of("d0", "a", "b", "out").contains(name)) {
                topological.add(name);
            }
        }
        Map<String, Double> applied = LayerwiseLearningRates.apply(graph, layerwiseDecay(0.5));
        assertThat(new ArrayList<>(applied.keySet())).isEqualTo(topological).containsExactly("d0", "a", "b", "out");
        assertThat(applied.values()).containsExactly(0.125, 0.25, 0.5, 1.0);
        for (String name : topological) {
            for (String param : new String[]{"W", "b"}) {
                assertThat(layer(graph, name).getUpdaterByParam(param).getLearningRate(0, 0)).as("%s %s", name, param)
                        .isCloseTo(LR * applied.get(name), within(1e-15));
            }
            assertThat(graph.getLayer(name).getConfig().getUpdaterByParam("W")).isSameAs(layer(graph, name).getUpdaterByParam("W"));
        }

        fit(graph, data(DataType.DOUBLE), 1);
        Adam shared = new Adam(2e-3);
        ComputationGraph tuned = new TransferLearning.GraphBuilder(graph)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(shared).build())
                .setFeatureExtractor("d0")
                .build();
        Map<String, Double> tunedRates = LayerwiseLearningRates.apply(tuned, layerwiseDecay(0.5));
        assertThat(tunedRates).containsExactly(Map.entry("a", 0.25), Map.entry("b", 0.5), Map.entry("out", 1.0));
        assertThat(layer(tuned, "a").getUpdaterByParam("W").getLearningRate(0, 0)).isEqualTo(2e-3 * 0.25);
        assertThat(shared).isEqualTo(new Adam(2e-3));
        INDArray frozenBefore = tuned.getLayer("d0").params().dup();
        fit(tuned, data(DataType.DOUBLE), 1);
        assertThat(tuned.getLayer("d0").params().toDoubleVector()).containsExactly(frozenBefore.toDoubleVector());
    }

    // ---- optimiser state across the change of updater blocks ----

    /** Splitting the blocks and merging them back leaves training bit-for-bit where it would have been. */
    @Test
    void stateSurvivesSplittingAndMergingBlocksBitForBit() {
        DataSet data = data(DataType.FLOAT);
        List<IUpdater> updaters = List.of(new Adam(LR), new Nesterovs(LR, 0.9), new AMSGrad(LR), new Sgd(LR),
                new Lion(LR), new AdaGradNorm(LR, 0.1), new NormalizedSGD(LR, 0.9));
        for (IUpdater updater : updaters) {
            MultiLayerNetwork changed = mlp(updater, DataType.FLOAT);
            MultiLayerNetwork reference = mlp(updater, DataType.FLOAT);
            fit(changed, data, 3);
            fit(reference, data, 3);
            int blocksBefore = blockCount(changed.getUpdater());
            LayerwiseLearningRates.apply(changed, layerwiseDecay(0.5));
            assertThat(blockCount(changed.getUpdater())).as("%s blocks after the split", updater).isGreaterThan(blocksBefore);
            LayerwiseLearningRates.apply(changed, flat());
            assertThat(blockCount(changed.getUpdater())).as("%s blocks after the merge", updater).isEqualTo(blocksBefore);
            assertThat(state(changed)).as("%s state", updater).containsExactly(state(reference));
            fit(changed, data, 2);
            fit(reference, data, 2);
            assertThat(changed.params().toDoubleVector()).as("%s parameters", updater)
                    .containsExactly(reference.params().toDoubleVector());
        }
    }

    private static double[] state(MultiLayerNetwork net) {
        INDArray view = net.getUpdater().getStateViewArray();
        return view == null ? new double[0] : view.toDoubleVector();
    }

    /** The control of the test above: a rebuilt updater without the carried state does not match. */
    @Test
    void withoutCarryingTheStateTheNextStepDiffers() {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork changed = mlp(new Adam(LR), DataType.FLOAT);
        MultiLayerNetwork reference = mlp(new Adam(LR), DataType.FLOAT);
        fit(changed, data, 3);
        fit(reference, data, 3);
        changed.setUpdater(new MultiLayerUpdater(changed));
        fit(changed, data, 1);
        fit(reference, data, 1);
        assertThat(changed.params().toDoubleVector()).isNotEqualTo(reference.params().toDoubleVector());
    }

    @Test
    void withMultiplierOneTheNextStepIsBitForBitTheStepWithout() {
        DataSet data = data(DataType.FLOAT);
        for (IUpdater updater : List.of(new Adam(LR), new Lion(LR))) {
            MultiLayerNetwork changed = mlp(updater, DataType.FLOAT);
            MultiLayerNetwork reference = mlp(updater, DataType.FLOAT);
            fit(changed, data, 3);
            fit(reference, data, 3);
            LayerwiseLearningRates.apply(changed, explicit(1, 1));
            fit(changed, data, 1);
            fit(reference, data, 1);
            assertThat(changed.params().toDoubleVector()).as("%s", updater).containsExactly(reference.params().toDoubleVector());
        }
    }

    /**
     * Adam's moments land on their own parameters in the split blocks: each moment slice is unchanged, and
     * the next step of every layer is its multiplier times the step without the distribution (Adam's and
     * Lion's steps are linear in the learning rate, their state is not).
     */
    @Test
    void afterASplitEachLayerStepsByItsMultiplierFromItsOwnMoments() {
        DataSet data = data(DataType.DOUBLE);
        for (IUpdater updater : List.of(new Adam(LR), new Lion(LR))) {
            MultiLayerNetwork changed = mlp(updater, DataType.DOUBLE);
            MultiLayerNetwork reference = mlp(updater, DataType.DOUBLE);
            fit(changed, data, 3);
            fit(reference, data, 3);
            Map<String, double[]> before = perParameterState(changed);
            Map<Integer, Double> multipliers = LayerwiseLearningRates.apply(changed, layerwiseDecay(0.5));
            Map<String, double[]> after = perParameterState(changed);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((key, values) -> assertThat(after.get(key)).as("%s %s", updater, key).containsExactly(values));

            List<INDArray> changedBefore = layerParams(changed);
            List<INDArray> referenceBefore = layerParams(reference);
            fit(changed, data, 1);
            fit(reference, data, 1);
            for (int i : multipliers.keySet()) {
                double m = multipliers.get(i);
                double[] step = changedBefore.get(i).sub(changed.getLayer(i).params()).toDoubleVector();
                double[] referenceStep = referenceBefore.get(i).sub(reference.getLayer(i).params()).toDoubleVector();
                double[] scaled = new double[referenceStep.length];
                for (int j = 0; j < scaled.length; j++) {
                    scaled[j] = m * referenceStep[j];
                }
                // Layer 3's biases have their own Sgd updater (no state); the rest is Adam or Lion.
                assertThat(step).as("%s layer %d", updater, i).containsExactly(scaled, within(1e-13));
            }
        }
    }

    /** "layer/param/entry" → the entry's values for that parameter, read from whatever blocks hold it. */
    private static Map<String, double[]> perParameterState(MultiLayerNetwork net) {
        Map<String, double[]> state = new LinkedHashMap<>();
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            GradientUpdater<?> gradientUpdater = block.getGradientUpdater();
            Map<String, INDArray> entries = gradientUpdater instanceof UpdateRuleGradientUpdater ours
                    ? ours.getState(block.getParamOffsetEnd() - block.getParamOffsetStart()) : gradientUpdater.getState();
            for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
                int from = variable.getParamOffsetStart() - block.getParamOffsetStart();
                int to = variable.getParamOffsetEnd() - block.getParamOffsetStart();
                entries.forEach((key, values) -> {
                    INDArray flat = values.dup('c').reshape(values.length());
                    String name = variable.getLayer().getConfig().getLayerName() + "/" + variable.getParamName() + "/" + key;
                    state.put(name, key.equals(UpdateRuleGradientUpdater.HEADER) ? flat.toDoubleVector()
                            : flat.get(NDArrayIndex.interval(from, to)).toDoubleVector());
                });
            }
        }
        return state;
    }

    private static List<INDArray> layerParams(MultiLayerNetwork net) {
        List<INDArray> params = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            INDArray layerParams = net.getLayer(i).params();
            params.add(layerParams == null ? null : layerParams.dup());   // null for the parameterless layer 1
        }
        return params;
    }

    @Test
    void aGraphKeepsItsStateAcrossTheChange() {
        DataSet data = data(DataType.DOUBLE);
        for (IUpdater updater : List.of(new Adam(LR), new Lion(LR))) {
            ComputationGraph changed = graph(updater);
            ComputationGraph reference = graph(updater);
            fit(changed, data, 3);
            fit(reference, data, 3);
            LayerwiseLearningRates.apply(changed, explicit(0.3, 1));
            assertThat(blockCount(changed.getUpdater())).isEqualTo(4);
            LayerwiseLearningRates.apply(changed, flat());
            fit(changed, data, 2);
            fit(reference, data, 2);
            assertThat(changed.params().toDoubleVector()).as("%s", updater).containsExactly(reference.params().toDoubleVector());
        }
    }

    // ---- serialization ----

    @Test
    void configurationsWithScaledSchedulesRoundTripThroughJsonAndYaml() {
        MultiLayerNetwork net = mlp(new Adam(new ExponentialSchedule(ScheduleType.EPOCH, LR, 0.9)), DataType.FLOAT);
        LayerwiseLearningRates.apply(net, layerwiseDecay(0.5));
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        String json = conf.toJson();
        assertThat(json).contains(ScaledSchedule.class.getName());
        MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(json);
        assertThat(fromJson).isEqualTo(conf);
        assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
        IUpdater restored = fromJson.getConf(0).getLayer().getUpdaterByParam("W");
        assertThat(((Adam) restored).getLearningRateSchedule()).isEqualTo(
                new ScaledSchedule(new ExponentialSchedule(ScheduleType.EPOCH, LR, 0.9), 0.125));
        assertThat(fromJson.getConf(3).getLayer().getUpdaterByParam("b")).isEqualTo(
                layer(net, 3).getUpdaterByParam("b"));

        ComputationGraph graph = graph(new Lion(LR));
        LayerwiseLearningRates.apply(graph, explicit(0.25, 1));
        ComputationGraphConfiguration graphConf = graph.getConfiguration();
        assertThat(ComputationGraphConfiguration.fromJson(graphConf.toJson())).isEqualTo(graphConf);
        assertThat(ComputationGraphConfiguration.fromYaml(graphConf.toYaml())).isEqualTo(graphConf);
    }

    @Test
    void modelSerializerKeepsTheScaledSchedulesAndTheState() throws IOException {
        DataSet data = data(DataType.FLOAT);
        MultiLayerNetwork net = mlp(new Adam(LR), DataType.FLOAT);
        fit(net, data, 2);
        LayerwiseLearningRates.apply(net, layerwiseDecay(0.5));
        fit(net, data, 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(layer(restored, 2).getUpdaterByParam("W").getLearningRate(0, 0)).isEqualTo(LR * 0.25);
        assertThat(blockCount(restored.getUpdater())).isEqualTo(blockCount(net.getUpdater()));
        fit(net, data, 2);
        fit(restored, data, 2);
        assertThat(restored.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());

        ComputationGraph graph = graph(new AdaGradNorm(LR, 0.1));
        fit(graph, data(DataType.DOUBLE), 2);
        LayerwiseLearningRates.apply(graph, layerwiseDecay(0.8));
        bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph restoredGraph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertThat(restoredGraph.getConfiguration()).isEqualTo(graph.getConfiguration());
        // A restored updater (our AdaGrad-Norm, not stepped since the restore) is re-laid out just the same.
        LayerwiseLearningRates.apply(graph, flat());
        LayerwiseLearningRates.apply(restoredGraph, flat());
        fit(graph, data(DataType.DOUBLE), 2);
        fit(restoredGraph, data(DataType.DOUBLE), 2);
        assertThat(restoredGraph.params().toDoubleVector()).containsExactly(graph.params().toDoubleVector());
    }

    // ---- ScaledSchedule ----

    @Test
    void scaledScheduleIsAJsonSerializableValue() throws IOException {
        ISchedule exponential = new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.5);
        ScaledSchedule onSchedule = new ScaledSchedule(exponential, 0.25);
        ScaledSchedule onConstant = new ScaledSchedule(0.01, 0.5);
        assertThat(onSchedule.valueAt(2, 0)).isEqualTo(0.25 * 0.1 * 0.25);
        assertThat(onConstant.valueAt(100, 3)).isEqualTo(0.005);
        assertThat(new ScaledSchedule(0.1 + 0.2, 1).valueAt(0, 0)).isEqualTo(0.1 + 0.2);
        assertThat(onConstant.getBase()).isNull();
        assertThat(onSchedule.getValue()).isNaN();

        ObjectMapper mapper = new ObjectMapper();
        for (ScaledSchedule schedule : List.of(onSchedule, onConstant)) {
            String json = mapper.writeValueAsString(schedule);
            ISchedule back = mapper.readValue(json, ISchedule.class);
            assertThat(back).as(json).isEqualTo(schedule).hasSameHashCodeAs(schedule).isNotSameAs(schedule);
            assertThat(schedule.clone()).isEqualTo(schedule).isNotSameAs(schedule);
        }
        assertThat(mapper.writeValueAsString(onConstant)).doesNotContain("base");
        assertThat(mapper.writeValueAsString(onSchedule)).doesNotContain("value");
        assertThat(onSchedule).isNotEqualTo(new ScaledSchedule(exponential, 0.5))
                .isNotEqualTo(new ScaledSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.6), 0.25));
        assertThat(onConstant).isNotEqualTo(new ScaledSchedule(0.02, 0.5)).isNotEqualTo(onSchedule);
    }

    // ---- bad input ----

    @Test
    void badInputIsRejectedNamingTheParameter() {
        assertThatThrownBy(() -> new ScaledSchedule(0.1, -1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("factor").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new ScaledSchedule(0.1, Double.NaN)).hasMessageContaining("factor");
        assertThatThrownBy(() -> new ScaledSchedule(Double.POSITIVE_INFINITY, 1)).hasMessageContaining("value");
        assertThatThrownBy(() -> new ScaledSchedule(null, 1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("base");
        assertThatThrownBy(() -> new ObjectMapper().readValue(
                "{\"@class\":\"" + ScaledSchedule.class.getName() + "\",\"factor\":1}", ISchedule.class))
                .hasRootCauseInstanceOf(InvalidHyperparameterException.class);

        MultiLayerNetwork net = mlp(new Adam(LR), DataType.FLOAT);
        assertThatThrownBy(() -> LayerwiseLearningRates.apply((MultiLayerNetwork) null, flat()))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("network");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(net, null))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("distribution");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(new MultiLayerNetwork(net.getLayerWiseConfigurations().clone()), flat()))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("init()");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(graph(new Adam(LR)), null)).hasMessageContaining("distribution");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(net, layerwiseDecay(1.5)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay").hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(net, explicit(-1, 1)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("multipliers[0]");

        // An updater without a learning rate cannot be scaled, and nothing changes.
        MultiLayerNetwork adaDelta = mlp(new AdaDelta(), DataType.FLOAT);
        IUpdater before = ((BaseLayer) layer(adaDelta, 0)).getIUpdater();
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(adaDelta, flat()))
                .isInstanceOfSatisfying(InvalidHyperparameterException.class, e -> assertThat(e.parameter()).isEqualTo("updater"))
                .hasMessageContaining("AdaDelta").hasMessageContaining("no learning rate");
        assertThat(((BaseLayer) layer(adaDelta, 0)).getIUpdater()).isSameAs(before);

        // A network in which no layer trains (NoOp everywhere) has nothing to distribute over.
        MultiLayerNetwork noneTrains = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new OutputLayer.Builder().nIn(3).nOut(2).activation(Activation.SOFTMAX).build())
                .build());
        noneTrains.init();
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(noneTrains, flat()))
                .isInstanceOfSatisfying(InvalidHyperparameterException.class, e -> assertThat(e.parameter()).isEqualTo("network"))
                .hasMessageContaining("no layer that trains");
    }
}
