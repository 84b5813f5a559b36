package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
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
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TransformChain} in real DL4J networks: each fused updater equals its chain, the configuration is a value
 * (canonical spec, JSON/YAML, Java serialisation, block merging) and its state survives {@code ModelSerializer}.
 */
class TransformChainTest {

    private record Pair(IUpdater fused, TransformChain chain) {}

    /** Every fused descent4j updater (and torch's Adam) with its equal chain, at non-default settings. */
    private static List<Pair> pairs() {
        return List.of(
                new Pair(new SignSGD(0.02, 0.5),
                        new TransformChain(0.02, "sign() | heavyBallMomentum(momentum=0.5) | scaleByLearningRate()")),
                new Pair(new Signum(0.03, 0.8),
                        new TransformChain(0.03, "exponentialMovingAverage(beta=0.8) | sign() | scaleByLearningRate()")),
                new Pair(new Lion(3e-4, 0.85, 0.98),
                        new TransformChain(3e-4, "lionDirection(beta1=0.85, beta2=0.98) | scaleByLearningRate()")),
                new Pair(new NormalizedSGD(0.05, 0.9),
                        new TransformChain(0.05, "normalizeByGlobalNorm() | heavyBallMomentum(momentum=0.9) | scaleByLearningRate()")),
                new Pair(new AdaGradNorm(0.7, 0.2),
                        new TransformChain(0.7, "scaleByAdaGradNorm(b0=0.2) | scaleByLearningRate()")),
                new Pair(new Adam(1e-2, 0.9, 0.999, 1e-8),
                        new TransformChain(1e-2, "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()")));
    }

    private static MultiLayerConfiguration configuration(IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(type)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    private static DataSet data(DataType type) {
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.randn(type, 16, 4);
        INDArray labels = Nd4j.zeros(type, 16, 3);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    @Test
    void eachFusedUpdaterEqualsItsChainStepByStepInADoubleNetwork() {
        DataSet data = data(DataType.DOUBLE);
        for (Pair p : pairs()) {
            MultiLayerNetwork fused = new MultiLayerNetwork(configuration(p.fused(), DataType.DOUBLE));
            MultiLayerNetwork chain = new MultiLayerNetwork(configuration(p.chain(), DataType.DOUBLE));
            fused.init();
            chain.init();
            assertThat(chain.params().toDoubleVector()).containsExactly(fused.params().toDoubleVector());
            for (int step = 0; step < 8; step++) {
                fused.fit(data);
                chain.fit(data);
                assertThatValues(chain.params().toDoubleVector()).as("%s step %d", p.chain(), step)
                        .isCloseTo(fused.params().toDoubleVector(), 1e-12);
            }
            assertThat(chain.params().toDoubleVector()).as("%s moved", p.chain())
                    .isNotEqualTo(new MultiLayerNetwork(configuration(p.chain(), DataType.DOUBLE)) {{ init(); }}
                            .params().toDoubleVector());
        }
    }

    @Test
    void theSpecIsCanonicalSoEquivalentTextsAreEqualConfigurationsAndShareOneBlock() {
        TransformChain a = new TransformChain(0.01, "scaleByAdam(beta2=0.999, beta1=0.9, epsilon=1e-8)|scaleByLearningRate()");
        TransformChain b = new TransformChain(0.01, "  scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate() ");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.getTransforms()).isEqualTo(b.getTransforms())
                .isEqualTo(io.github.descent4j.core.transform.TransformChain.parse(b.getTransforms()).spec());
        assertThat(a).isNotEqualTo(new TransformChain(0.02, a.getTransforms()))
                .isNotEqualTo(new TransformChain(0.01, "scaleByAdam(beta1=0.8) | scaleByLearningRate()"));
        assertThat(a.clone()).isEqualTo(a).isNotSameAs(a);

        // Two layers configured separately with the equivalent texts: DL4J merges them into one updater block.
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).updater(a).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).updater(b)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        assertThat(((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()).hasSize(1);
    }

    @Test
    void configurationsRoundTripThroughJsonYamlAndJavaSerialisation() throws Exception {
        List<TransformChain> chains = List.of(
                new TransformChain(0.01, "clipByGlobalNorm(maxNorm=1.0) | scaleByAdam() | scaleByLearningRate()"),
                new TransformChain(new ExponentialSchedule(ScheduleType.ITERATION, 1e-3, 0.99),
                        "lionDirection() | scaleByLearningRate()"));
        for (TransformChain chain : chains) {
            MultiLayerConfiguration conf = configuration(chain, DataType.FLOAT);
            assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
            assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
            assertThat(conf.toJson()).contains("\"transforms\" : \"" + chain.getTransforms() + "\"");

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(chain);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                TransformChain read = (TransformChain) in.readObject();
                assertThat(read).isEqualTo(chain);
                assertThat(read.stateSize(10)).isEqualTo(chain.stateSize(10));
            }
        }
    }

    @Test
    void aRestoredNetworkContinuesBitIdentically() throws Exception {
        DataSet data = data(DataType.FLOAT);
        TransformChain chain = new TransformChain(0.01,
                "clipByGlobalNorm(maxNorm=0.5) | scaleByAdam() | scaleByLearningRate()");
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(chain, DataType.FLOAT));
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(data);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        for (int i = 0; i < 3; i++) {
            net.fit(data);
            restored.fit(data);
        }
        assertThat(restored.params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
        UpdateRuleGradientUpdater resumed = (UpdateRuleGradientUpdater)
                ((BaseMultiLayerUpdater<?>) restored.getUpdater()).getUpdaterBlocks().get(0).getGradientUpdater();
        assertThat(resumed.getStepCount()).isEqualTo(6);
    }

    @Test
    void badChainsAreRejectedNamingWhatIsWrong() {
        assertThatThrownBy(() -> new TransformChain(0.01, " "))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("transforms");
        assertThatThrownBy(() -> new TransformChain(0.01, null))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("transforms");
        assertThatThrownBy(() -> new TransformChain(0.01, "scaleByAdam(beta1=1.5) | scaleByLearningRate()"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("beta1");
        assertThatThrownBy(() -> new TransformChain(0.01, "noSuchTransform()"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("noSuchTransform");
        assertThatThrownBy(() -> new TransformChain(-0.01, "sign() | scaleByLearningRate()"))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("learningRate");
        // A GradientUpdater never sees θ: decoupled decay must be DL4J's WeightDecay.
        assertThatThrownBy(() -> new TransformChain(0.01, "scaleByAdam() | addDecayedWeights(weightDecay=0.01) | scaleByLearningRate()"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("WeightDecay");
        // JSON without the chain fails when the network is built, naming the property, instead of running a default.
        String json = configuration(new TransformChain(0.01, "sign() | scaleByLearningRate()"), DataType.FLOAT).toJson()
                .replaceAll(",?\\s*\"transforms\" : \"[^\"]*\"", "");
        assertThat(json).doesNotContain("transforms");
        IUpdater read = ((org.deeplearning4j.nn.conf.layers.BaseLayer) MultiLayerConfiguration.fromJson(json).getConf(0)
                .getLayer()).getIUpdater();
        assertThat(read).isInstanceOf(TransformChain.class);
        assertThatThrownBy(() -> read.stateSize(10))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("transforms");
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        net.init();
        assertThatThrownBy(() -> net.fit(data(DataType.FLOAT))).hasStackTraceContaining("transforms");
    }
}
