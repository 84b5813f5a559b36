package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.rules.AdamRule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AdamW}'s installation into DL4J configurations, its refusals, persistence and training against the reference. */
class AdamWTest {
    private static final double LR = 0.01;
    private static final double DECAY = 0.1;

    private static NeuralNetConfiguration.ListBuilder mlp(Object updater) {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater((org.nd4j.linalg.learning.config.IUpdater) updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build());
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(9);
        INDArray features = Nd4j.randn(DataType.DOUBLE, 16, 4);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, (i * 5) % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    private static AdamW adamW() {
        return AdamW.builder().learningRate(LR).beta1(0.9).beta2(0.99).epsilon(1e-8).weightDecay(DECAY).build();
    }

    @Test
    void trainingThroughFitEqualsTorchsAdamWOnEveryParameterIncludingBiases() {
        DataSet data = data();
        MultiLayerNetwork net = new MultiLayerNetwork(AdamW.install(mlp(adamW()).build()));
        net.init();
        FlatOptimiser reference = new FlatOptimiser(new AdamRule(0.9, 0.99, 1e-8, DECAY), LR,
                new double[][]{net.params().toDoubleVector()});
        FlatOptimiser withoutDecay = new FlatOptimiser(new AdamRule(0.9, 0.99, 1e-8, 0), LR,
                new double[][]{net.params().toDoubleVector()});
        for (int step = 0; step < 6; step++) {
            net.setInput(data.getFeatures());
            net.setLabels(data.getLabels());
            net.computeGradientAndScore();
            double[] gradient = net.gradient().gradient().toDoubleVector();
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] /= data.numExamples();   // DL4J's updater divides the summed gradient by the batch size
            }
            reference.step(new double[][]{gradient});
            withoutDecay.step(new double[][]{gradient});
            net.fit(data);
            assertThatValues(net.params().toDoubleVector()).as("step %d", step).isCloseTo(reference.parameters()[0], 1e-10);
        }
        // The decay is there: without it the trajectory is measurably elsewhere.
        double gap = 0;
        for (int i = 0; i < net.numParams(); i++) {
            gap = Math.max(gap, Math.abs(net.params().getDouble(i) - withoutDecay.parameters()[0][i]));
        }
        assertThat(gap).isGreaterThan(1e-4);
    }

    @Test
    void installAddsOneWeightDecayPerParameterKindAndMarksTheUpdaters() {
        MultiLayerConfiguration conf = AdamW.install(mlp(adamW()).build());
        for (int layer = 0; layer < 2; layer++) {
            BaseLayer l = (BaseLayer) conf.getConf(layer).getLayer();
            assertThat(l.getRegularization()).containsExactly(new WeightDecay(DECAY, true));
            assertThat(l.getRegularizationBias()).containsExactly(new WeightDecay(DECAY, true));
            assertThat(((AdamW) l.getIUpdater()).isDecayInstalled()).isTrue();
        }
        MultiLayerConfiguration twice = AdamW.install(AdamW.install(mlp(adamW()).build()));
        assertThat(twice).as("install is idempotent").isEqualTo(conf);
    }

    @Test
    void anUninstalledAdamWWithDecayRefusesToInstantiateAndSaysWhatToDo() {
        MultiLayerNetwork net = new MultiLayerNetwork(mlp(adamW()).build());
        net.init();
        assertThatThrownBy(() -> net.fit(data())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AdamW.install(conf)").hasMessageContaining("weightDecay=0.1");
        // λ = 0 is plain Adam and needs nothing.
        MultiLayerNetwork plain = new MultiLayerNetwork(mlp(AdamW.builder().weightDecay(0).build()).build());
        plain.init();
        plain.fit(data());
        assertThat(plain.getIterationCount()).isEqualTo(1);
    }

    @Test
    void anExistingWeightDecayIsRefusedIncludingTheGlobalBuildersDoubleRegistration() {
        MultiLayerConfiguration global = new NeuralNetConfiguration.Builder().updater(adamW()).weightDecay(DECAY, true)
                .list().layer(new DenseLayer.Builder().nIn(2).nOut(2).build())
                .layer(new OutputLayer.Builder().nIn(2).nOut(2).build()).build();
        assertThatThrownBy(() -> AdamW.install(global)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has").hasMessageContaining("apply twice");
        // Other regularisation stays, before the decay.
        MultiLayerConfiguration l2 = AdamW.install(new NeuralNetConfiguration.Builder().updater(adamW()).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(2).l2(1e-3).build()).build());
        List<Regularization> regs = ((BaseLayer) l2.getConf(0).getLayer()).getRegularization();
        assertThat(regs).hasSize(2);
        assertThat(regs.get(0)).isInstanceOf(L2Regularization.class);
        assertThat(regs.get(1)).isEqualTo(new WeightDecay(DECAY, true));
    }

    @Test
    void perLayerAndBiasUpdatersEachGetTheirOwnDecay() {
        AdamW strong = AdamW.builder().learningRate(LR).weightDecay(0.3).build();
        MultiLayerConfiguration conf = AdamW.install(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(3).updater(adamW()).biasUpdater(new Sgd(0.1)).build())
                .layer(new DenseLayer.Builder().nIn(3).nOut(3).updater(new Sgd(0.1)).biasUpdater(strong).build())
                .layer(new OutputLayer.Builder().nIn(3).nOut(2).build())
                .build());
        BaseLayer first = (BaseLayer) conf.getConf(0).getLayer();
        BaseLayer second = (BaseLayer) conf.getConf(1).getLayer();
        BaseLayer third = (BaseLayer) conf.getConf(2).getLayer();
        assertThat(first.getRegularization()).containsExactly(new WeightDecay(DECAY, true));
        assertThat(first.getRegularizationBias()).isEmpty();
        assertThat(second.getRegularization()).isEmpty();
        assertThat(second.getRegularizationBias()).containsExactly(new WeightDecay(0.3, true));
        assertThat(((AdamW) second.getBiasUpdater()).isDecayInstalled()).isTrue();
        assertThat(third.getRegularization()).isEmpty();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.eye(2).repeat(0, 2).reshape(4, 2).castTo(DataType.FLOAT)));
        assertThat(net.getIterationCount()).isEqualTo(1);
    }

    @Test
    void wrappedAndBidirectionalLayersAreInstalledFrozenOnesAreLeftAlone() {
        MultiLayerConfiguration conf = AdamW.install(new NeuralNetConfiguration.Builder().updater(adamW()).list()
                .layer(new Bidirectional(new LSTM.Builder().nIn(3).nOut(4).build()))
                .layer(new FrozenLayerWithBackprop(new LSTM.Builder().nIn(8).nOut(8).build()))
                .layer(new RnnOutputLayer.Builder().nIn(8).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5))
                .build());
        Bidirectional bidirectional = (Bidirectional) conf.getConf(0).getLayer();
        for (org.deeplearning4j.nn.conf.layers.Layer direction : List.of(bidirectional.getFwd(), bidirectional.getBwd())) {
            assertThat(((BaseLayer) direction).getRegularization()).containsExactly(new WeightDecay(DECAY, true));
        }
        FrozenLayerWithBackprop frozen = (FrozenLayerWithBackprop) conf.getConf(1).getLayer();
        assertThat(((BaseLayer) frozen.getUnderlying()).getRegularization()).as("no decay inside a frozen layer").isEmpty();
        assertThat(((AdamW) ((BaseLayer) frozen.getUnderlying()).getIUpdater()).isDecayInstalled()).isTrue();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray frozenBefore = net.getLayer(1).params().dup();
        INDArray trainedBefore = net.getLayer(0).params().dup();
        net.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 5), Nd4j.zeros(DataType.FLOAT, 2, 2, 5).assign(0.5)));
        assertThat(net.getLayer(1).params()).as("frozen layer").isEqualTo(frozenBefore);
        assertThat(net.getLayer(0).params()).as("trained layer").isNotEqualTo(trainedBefore);

        MultiLayerConfiguration normalised = AdamW.install(new NeuralNetConfiguration.Builder().updater(adamW()).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).build())
                .layer(new BatchNormalization.Builder().nOut(6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        BatchNormalization norm = (BatchNormalization) normalised.getConf(1).getLayer();
        assertThat(norm.getRegularization()).as("DL4J never regularises γ, β").isEmpty();
        assertThat(((AdamW) norm.getIUpdater()).isDecayInstalled()).isTrue();
        MultiLayerNetwork withNorm = new MultiLayerNetwork(normalised);
        withNorm.init();
        withNorm.fit(data());
        assertThat(withNorm.getIterationCount()).isEqualTo(1);
    }

    @Test
    void installedConfigurationsRoundTripThroughJsonYamlAndModelSerializerAndContinueBitIdentically() throws IOException {
        AdamW scheduled = AdamW.builder().learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.9))
                .weightDecay(0.05).build();
        for (AdamW updater : List.of(adamW(), scheduled)) {
            MultiLayerConfiguration conf = AdamW.install(mlp(updater).build());
            String json = conf.toJson();
            assertThat(json).contains("\"decayInstalled\" : true").contains("\"weightDecay\" : ");
            assertThat(MultiLayerConfiguration.fromJson(json)).isEqualTo(conf);
            assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);

            DataSet data = data();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            for (int i = 0; i < 3; i++) {
                net.fit(data);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, bytes, true);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
            for (int i = 0; i < 3; i++) {
                net.fit(data);
                restored.fit(data);
            }
            assertThat(restored.params().toDoubleVector()).as("resumed %s", updater).containsExactly(net.params().toDoubleVector());
        }
    }

    @Test
    void aGraphIsInstalledAndRoundTrips() throws IOException {
        ComputationGraphConfiguration conf = AdamW.install(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).updater(adamW()).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        for (String name : List.of("hidden", "out")) {
            BaseLayer l = (BaseLayer) ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
            assertThat(l.getRegularization()).containsExactly(new WeightDecay(DECAY, true));
        }
        assertThat(ComputationGraphConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
        assertThat(ComputationGraphConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet data = data();
        graph.fit(data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        graph.fit(data);
        restored.fit(data);
        assertThat(restored.params().toDoubleVector()).containsExactly(graph.params().toDoubleVector());
    }

    @Test
    void badHyperparametersAreRefusedNamingThem() {
        assertThatThrownBy(() -> AdamW.builder().weightDecay(-0.1).build()).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> AdamW.builder().weightDecay(Double.NaN).build()).hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> AdamW.builder().weightDecay(Double.POSITIVE_INFINITY).build()).hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> AdamW.builder().beta1(1.0).build()).hasMessageContaining("beta1");
        assertThatThrownBy(() -> Adam.builder().beta2(Double.NaN).build()).hasMessageContaining("beta2");
        assertThatThrownBy(() -> Adam.builder().epsilon(0).build()).hasMessageContaining("epsilon");
        assertThatThrownBy(() -> Adam.builder().learningRate(-1).build()).hasMessageContaining("learningRate");
        AdamW ok = adamW();
        assertThatThrownBy(() -> ok.setWeightDecay(-1)).hasMessageContaining("weightDecay");
        assertThat(ok.getWeightDecay()).isEqualTo(DECAY);
    }

    @Test
    void theInstalledFlagIsPartOfTheValue() {
        AdamW a = adamW();
        assertThat(a).isEqualTo(adamW()).isNotEqualTo(a.withDecayInstalled());
        assertThat(a.withDecayInstalled()).isEqualTo(adamW().withDecayInstalled());
        assertThat(a.withDecayInstalled().hashCode()).isEqualTo(adamW().withDecayInstalled().hashCode());
        assertThat(a.isDecayInstalled()).as("withDecayInstalled copies").isFalse();
        assertThat(a.toString()).contains("weightDecay=0.1").contains("decayInstalled=false");
        assertThat(new Adam()).isNotEqualTo(new AdamW(1e-3, 0.9, 0.999, 1e-8, 0));
    }
}
