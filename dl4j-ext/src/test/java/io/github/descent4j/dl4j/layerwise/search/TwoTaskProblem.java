package io.github.descent4j.dl4j.layerwise.search;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/**
 * A small sequential task pair for the search tests: four Gaussian blobs in 6 dimensions, an MLP 6-12-12-4
 * (three trained layers) pre-trained on classes {0, 1}, fine-tuned on {2, 3} with Adam for a fixed number of
 * full-batch steps. Seconds per search, yet forgetting depends on the distribution.
 */
final class TwoTaskProblem {
    static final int[] OLD = {0, 1};
    static final int[] NEW = {2, 3};

    final DataSet oldTrain = blobs(OLD, 40, 1);
    final DataSet newTrain = blobs(NEW, 40, 2);
    final DataSet oldValidation = blobs(OLD, 40, 3);
    final DataSet newValidation = blobs(NEW, 40, 4);
    final MultiLayerNetwork pretrained = pretrain();
    final int steps;

    TwoTaskProblem(int steps) {
        this.steps = steps;
    }

    FineTuneProtocol protocol() {
        return new FineTuneProtocol() {
            @Override
            public MultiLayerNetwork start() {
                return new TransferLearning.Builder(pretrained.clone())
                        .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(0.02)).seed(5).build())
                        .build();
            }

            @Override
            public void train(MultiLayerNetwork net) {
                for (int i = 0; i < steps; i++) {
                    net.fit(newTrain);
                }
            }
        };
    }

    LayerwiseSearch.Builder search() {
        return LayerwiseSearch.builder().protocol(protocol())
                .oldTask(TaskAccuracy.of(oldValidation, OLD)).newTask(TaskAccuracy.of(newValidation, NEW));
    }

    private MultiLayerNetwork pretrain() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(12).nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        for (int i = 0; i < 60; i++) {
            net.fit(oldTrain);
        }
        return net;
    }

    /** Class c's blob is centred at ±1.2 along axis c and shares a nuisance direction with the others. */
    static DataSet blobs(int[] classes, int perClass, long seed) {
        Random random = new Random(seed);
        int n = classes.length * perClass;
        double[][] x = new double[n][6];
        double[][] y = new double[n][4];
        for (int i = 0; i < n; i++) {
            int c = classes[i % classes.length];
            for (int j = 0; j < 6; j++) {
                x[i][j] = random.nextGaussian() * 0.8;
            }
            x[i][c] += 1.2;
            x[i][4] += c % 2 == 0 ? 1.0 : -1.0;
            y[i][c] = 1;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }
}
