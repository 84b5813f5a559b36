package io.github.descent4j.examples.sharpness;

import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static io.github.descent4j.examples.sharpness.SharpnessExperiment.CLASSES;
import static io.github.descent4j.examples.sharpness.SharpnessExperiment.FACTOR_HIDDEN;
import static io.github.descent4j.examples.sharpness.SharpnessExperiment.FACTOR_LR;

/**
 * The second sharpness experiment's network: the first hidden layer factorised into a scale-invariant pair
 * (x, y) = (W₀, W₁), initialised unbalanced, and its balancedness B = ½(‖x‖² − ‖y‖²).
 */
final class LowRankNetwork {
    private LowRankNetwork() {}

    /**
     * 64 → r (identity, no bias) → {@link SharpnessExperiment#FACTOR_HIDDEN} (bias, ReLU) → 10, plain SGD;
     * x = W₀ multiplied and y = W₁ divided by {@code initScale} after DL4J's initialisation, which leaves x·y
     * unchanged.
     */
    static MultiLayerNetwork lowRank(long seed, int rank, double initScale) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(FACTOR_LR))
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(rank).activation(Activation.IDENTITY).hasBias(false).build())
                .layer(new DenseLayer.Builder().nIn(rank).nOut(FACTOR_HIDDEN).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(FACTOR_HIDDEN).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).getParam("W").muli(initScale);
        net.getLayer(1).getParam("W").divi(initScale);
        return net;
    }

    /** B = ½(‖x‖² − ‖y‖²) of (x, y) = (layer 0's W, layer 1's W), by descent4j-core's formula. */
    static double balancedness(MultiLayerNetwork net) {
        return BalancednessAwareRegularization.balancedness(flat(net.getLayer(0).getParam("W")), flat(net.getLayer(1).getParam("W")));
    }

    private static double[] flat(INDArray array) {
        return array.dup().reshape(array.length()).toDoubleVector();
    }
}
