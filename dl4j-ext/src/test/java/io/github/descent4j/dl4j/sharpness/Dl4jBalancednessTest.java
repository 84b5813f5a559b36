package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link BalancednessAwareTraining} on real networks: the balancedness accessor, invalid pairs, JSON (the golden
 * cases are replayed by {@code Dl4jBalancednessGoldenConformanceTest}).
 */
class Dl4jBalancednessTest {

    private static NeuralNetConfiguration.Builder base(double lr) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).updater(new Sgd(lr));
    }

    /** Dense 4→3 → Dense 3→3 → BatchNorm → output 3→2: pairs that exist, and several that do not fit. */
    private static MultiLayerNetwork mixedNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(base(0.1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.IDENTITY).hasBias(false).build())
                .layer(new DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.IDENTITY).hasBias(true).updater(new Adam(0.01)).build())
                .layer(new BatchNormalization.Builder().nIn(3).nOut(3).build())
                .layer(new OutputLayer.Builder(new LossL2()).nIn(3).nOut(2).activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void invalidPairsFailWhenAttachedWithAMessageNamingTheProblem() {
        MultiLayerNetwork net = mixedNetwork();
        AlphaScheduleConfig alpha = AlphaScheduleConfig.constant(0.1);
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 7, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pair 0").hasMessageContaining("no layer '7'");
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 3, "A")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parameter 'A'").hasMessageContaining("[W, b]");
        // x = layer 3's W (3×2), y = layer 0's W (4×3): 2 columns against 4 rows
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(3, "W", 0, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns must equal y's rows")
                .hasMessageContaining("[3, 2]").hasMessageContaining("[4, 3]");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 3, "b")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("matrices");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 2, "mean")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoOp");
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(alpha, FactorPair.of(0, "W", 3, "W"), FactorPair.of(0, "W", 1, "W")).attachTo(net))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pair 1").hasMessageContaining("appears twice");
        // x (Sgd 0.1) and y (Adam 0.01) have different learning rates
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 1, "W")).attachTo(net))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("learning rate");
        assertThat(net.getListeners()).as("nothing attached after a failure").isEmpty();

        BalancednessAwareTraining ok = BalancednessAwareTraining.nbar(alpha, FactorPair.of(0, "W", 3, "W")).attachTo(net);
        assertThat(net.getListeners()).containsExactly(ok);
    }

    @Test
    void balancednessIsHalfTheDifferenceOfSquaredNormsAndBarMovesIt() {
        MultiLayerNetwork net = mixedNetwork();
        INDArray x = net.getParam("0_W");
        INDArray y = net.getParam("3_W");
        double expected = 0.5 * (x.norm2Number().doubleValue() * x.norm2Number().doubleValue()
                - y.norm2Number().doubleValue() * y.norm2Number().doubleValue());
        BalancednessAwareTraining bar = BalancednessAwareTraining.obar(AlphaScheduleConfig.constant(2.0), FactorPair.of(0, "W", 3, "W"));
        assertThat(bar.balancedness(net)).hasSize(1);
        assertThat(bar.balancedness(net)[0]).isCloseTo(expected, within(1e-12));

        // oBAR shrinks the larger factor, so |B| falls faster than with the same training without BAR
        MultiLayerNetwork plain = net.clone();
        bar.attachTo(net);
        var random = new java.util.Random(4);
        double[][] features = new double[16][4];
        double[][] labels = new double[16][2];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 4; j++) {
                features[i][j] = random.nextGaussian();
            }
            labels[i][0] = random.nextGaussian();
            labels[i][1] = random.nextGaussian();
        }
        DataSet data = new DataSet(Nd4j.create(features).castTo(DataType.DOUBLE), Nd4j.create(labels).castTo(DataType.DOUBLE));
        for (int i = 0; i < 20; i++) {
            net.fit(data);
            plain.fit(data);
        }
        double withBar = Math.abs(bar.balancedness(net)[0]);
        double without = Math.abs(bar.balancedness(plain)[0]);
        assertThat(withBar).as("|B| with oBAR vs without").isLessThan(0.9 * without);
    }

    @Test
    void configurationRoundTripsThroughJsonAndValidates() throws Exception {
        List<BalancednessAwareTraining> configs = List.of(
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.5), FactorPair.of(0, "W", 1, "W")),
                BalancednessAwareTraining.obar(AlphaScheduleConfig.linear(1.0, 100), FactorPair.weights("a", "b"), FactorPair.of("lora", "A", "lora", "B")),
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.cosine(0.2, 50), FactorPair.of(2, "W", 3, "W")));
        for (BalancednessAwareTraining bar : configs) {
            String json = bar.toJson();
            BalancednessAwareTraining back = BalancednessAwareTraining.fromJson(json);
            assertThat(back).isEqualTo(bar).hasSameHashCodeAs(bar);
            assertThat(back.toJson()).isEqualTo(json);
            assertThat(new ObjectMapper().readValue(json, BalancednessAwareTraining.class)).isEqualTo(bar);
            assertThat(back.getAlpha().schedule().alpha(0)).isEqualTo(bar.getAlpha().getAlpha0());
        }
        assertThatThrownBy(() -> AlphaScheduleConfig.constant(-0.1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> AlphaScheduleConfig.linear(Double.NaN, 10)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> AlphaScheduleConfig.cosine(0.1, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.1), new FactorPair[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one factor pair");
        assertThatThrownBy(() -> FactorPair.of("0", " ", "1", "W")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("xParam");
        String bad = configs.get(0).toJson().replace("\"alpha0\":0.5", "\"alpha0\":-1.0");
        assertThatThrownBy(() -> BalancednessAwareTraining.fromJson(bad)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("alpha");
    }
}
