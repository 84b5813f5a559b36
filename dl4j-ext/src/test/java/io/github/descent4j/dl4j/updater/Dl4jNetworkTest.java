package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.UpdateRule;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The updaters inside real DL4J networks: JSON round trip of the configuration, one updater block for a
 * globally configured network, state persisted by {@code ModelSerializer}, and a network step equal to the
 * framework-free {@link FlatOptimiser} on the same gradient.
 */
class Dl4jNetworkTest {

    /** Every algorithm with non-default hyperparameters, plus a learning-rate schedule. */
    static List<UpdateRuleUpdater> updaters() {
        return List.of(
                SignSGD.builder().learningRate(0.02).momentum(0.5).build(),
                new SignSGD(0.01),
                Signum.builder().learningRate(0.03).beta(0.8).build(),
                Lion.builder().learningRate(3e-4).beta1(0.85).beta2(0.98).build(),
                new Lion(new ExponentialSchedule(ScheduleType.ITERATION, 1e-3, 0.99)),
                NormalizedSGD.builder().learningRate(0.05).momentum(0.9).build(),
                AdaGradNorm.builder().learningRate(0.7).b0(0.2).build(),
                Adam.builder().learningRate(3e-3).beta1(0.8).beta2(0.99).epsilon(1e-6).build(),
                new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 1e-2, 0.9)),
                AdamW.builder().learningRate(2e-3).weightDecay(0).build());
    }

    private static MultiLayerConfiguration configuration(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.randn(DataType.FLOAT, 16, 4);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    @Test
    void configurationsRoundTripThroughDl4jJsonWithoutRegistration() {
        for (UpdateRuleUpdater updater : updaters()) {
            MultiLayerConfiguration conf = configuration(updater);
            String json = conf.toJson();
            assertThat(json).contains(updater.getClass().getName());
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertThat(back).as("%s", updater).isEqualTo(conf);
            for (int layer = 0; layer < 2; layer++) {
                IUpdater restored = ((BaseLayer) back.getConf(layer).getLayer()).getIUpdater();
                assertThat(restored).as("%s layer %d", updater, layer).isInstanceOf(updater.getClass()).isEqualTo(updater);
                assertThat(restored.hashCode()).isEqualTo(updater.hashCode());
            }
            assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
        }
    }

    @Test
    void aGloballyConfiguredNetworkIsOneBlockAndModelSerializerKeepsAllState() throws IOException {
        DataSet data = data();
        for (UpdateRuleUpdater updater : updaters()) {
            MultiLayerNetwork net = new MultiLayerNetwork(configuration(updater));
            net.init();
            for (int i = 0; i < 3; i++) {
                net.fit(data);
            }
            List<UpdaterBlock> blocks = ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks();
            assertThat(blocks).as("updater blocks of %s", updater).hasSize(1);
            UpdateRuleGradientUpdater gradientUpdater = (UpdateRuleGradientUpdater) blocks.get(0).getGradientUpdater();
            assertThat(gradientUpdater.getStepCount()).isEqualTo(3);
            assertThat(net.getUpdater().getStateViewArray().length()).isEqualTo(
                    updater.stateSize(24) + updater.stateSize(6) + updater.stateSize(18) + updater.stateSize(3));

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, bytes, true);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
            for (int i = 0; i < 3; i++) {
                net.fit(data);
                restored.fit(data);
            }
            assertThat(restored.params().toDoubleVector()).as("parameters after resuming %s", updater)
                    .containsExactly(net.params().toDoubleVector());
            UpdateRuleGradientUpdater resumed = (UpdateRuleGradientUpdater)
                    ((BaseMultiLayerUpdater<?>) restored.getUpdater()).getUpdaterBlocks().get(0).getGradientUpdater();
            assertThat(resumed.getStepCount()).isEqualTo(6);
        }
    }

    @Test
    void withoutTheSavedUpdaterStateTrainingDiverges() throws IOException {
        DataSet data = data();
        // Sign methods are a poor probe here: on a fixed batch the momentum keeps the gradient's signs.
        for (UpdateRuleUpdater updater : List.of(new AdaGradNorm(0.5, 0.1), new NormalizedSGD(0.1, 0.9))) {
            MultiLayerNetwork net = new MultiLayerNetwork(configuration(updater));
            net.init();
            for (int i = 0; i < 3; i++) {
                net.fit(data);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, bytes, false);
            MultiLayerNetwork fresh = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), false);
            net.fit(data);
            fresh.fit(data);
            assertThat(fresh.params().toDoubleVector()).as("%s resumed without state", updater)
                    .isNotEqualTo(net.params().toDoubleVector());
        }
    }

    @Test
    void aNetworkStepEqualsTheFlatReferenceOnTheSameGradient() {
        DataSet data = data();
        double lr = 0.01;
        double weightDecay = 0.1;
        record Case(IUpdater updater, UpdateRule rule, double decay) {}
        List<Case> cases = List.of(
                new Case(new Lion(lr, 0.9, 0.99), new LionRule(0.9, 0.99, weightDecay), weightDecay),
                new Case(new AdaGradNorm(lr, 0.3), new AdaGradNormRule(0.3), 0),
                new Case(new NormalizedSGD(lr, 0.9), new NormalizedSGDRule(0.9), 0),
                new Case(new Adam(lr, 0.9, 0.99, 1e-8), new AdamRule(0.9, 0.99, 1e-8, 0), 0));
        for (Case c : cases) {
            // Lion's decoupled decay is DL4J's WeightDecay with the learning rate applied, set per layer: in
            // 1.0.0-M2.1 the global NeuralNetConfiguration.Builder.weightDecay registers it twice per layer.
            DenseLayer.Builder hidden = new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH);
            OutputLayer.Builder output = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                    .activation(Activation.SOFTMAX);
            if (c.decay() != 0) {
                hidden.weightDecay(c.decay(), true).weightDecayBias(c.decay(), true);
                output.weightDecay(c.decay(), true).weightDecayBias(c.decay(), true);
            }
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                    .dataType(DataType.FLOAT).updater(c.updater()).list()
                    .layer(hidden.build())
                    .layer(output.build())
                    .build());
            net.init();
            double[][] params = {net.params().toDoubleVector()};
            FlatOptimiser reference = new FlatOptimiser(c.rule(), lr, params);
            for (int step = 0; step < 4; step++) {
                net.setInput(data.getFeatures());
                net.setLabels(data.getLabels());
                net.computeGradientAndScore();
                double[] gradient = net.gradient().gradient().toDoubleVector();
                for (int i = 0; i < gradient.length; i++) {
                    gradient[i] /= data.numExamples();   // DL4J's updater divides the summed gradient by the batch size
                }
                reference.step(new double[][]{gradient});
                net.fit(data);
                assertThatValues(net.params().toDoubleVector()).as("%s step %d", c.updater(), step)
                        .isCloseTo(reference.parameters()[0], 1e-5);
            }
        }
    }
}
