package io.github.descent4j.dl4j.spark;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

/** The digits MLP of these tests: 64 → 48 ReLU → 10 softmax, float, fixed seed. */
final class Mlp {
    private Mlp() {}

    static MultiLayerConfiguration conf(IUpdater updater) {
        return conf(updater, List.of());
    }

    static MultiLayerConfiguration conf(IUpdater updater, List<Regularization> regularization) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(updater);
        if (!regularization.isEmpty()) {
            b.regularization(regularization).regularizationBias(regularization);
        }
        return b.list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(48).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static double accuracy(MultiLayerNetwork net, DataSet test) {
        Evaluation evaluation = new Evaluation(10);
        evaluation.eval(test.getLabels(), net.output(test.getFeatures()));
        return evaluation.accuracy();
    }
}
