package io.github.descent4j.examples.dl4j;

import io.github.descent4j.datasets.LabelledData;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What the DL4J showcases ({@code finetune}, {@code sharpness}) share on the 8×8 digits: the digits as a DL4J
 * {@link DataSet}, one shuffled epoch of minibatches, and argmax accuracy.
 */
public final class DigitsTraining {
    /** Digits 0–9. */
    public static final int CLASSES = 10;

    private DigitsTraining() {}

    /** One epoch of minibatches of {@code batchSize} examples in an order shuffled by {@code random}. */
    public static void epoch(MultiLayerNetwork net, DataSet data, Random random, int batchSize) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < data.numExamples(); i++) {
            rows.add(i);
        }
        Collections.shuffle(rows, random);
        for (int from = 0; from < rows.size(); from += batchSize) {
            int[] batch = rows.subList(from, Math.min(rows.size(), from + batchSize)).stream().mapToInt(Integer::intValue).toArray();
            net.fit(new DataSet(data.getFeatures().getRows(batch), data.getLabels().getRows(batch)));
        }
    }

    /** Accuracy of the argmax over output columns [from, to) on examples whose label is in that range. */
    public static double accuracy(MultiLayerNetwork net, DataSet data, int from, int to) {
        INDArray out = net.output(data.getFeatures()).get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
        int[] predicted = out.argMax(1).toIntVector();
        int[] actual = data.getLabels().argMax(1).toIntVector();
        int correct = 0;
        for (int i = 0; i < actual.length; i++) {
            correct += predicted[i] + from == actual[i] ? 1 : 0;
        }
        return correct / (double) actual.length;
    }

    /** The examples whose label is in [from, to), in their order. */
    public static DataSet byClass(DataSet data, int from, int to) {
        return byClasses(data, java.util.stream.IntStream.range(from, to).toArray());
    }

    /** The examples whose label is one of {@code classes}, in their order. */
    public static DataSet byClasses(DataSet data, int... classes) {
        boolean[] keep = new boolean[CLASSES];
        for (int c : classes) {
            keep[c] = true;
        }
        int[] actual = data.getLabels().argMax(1).toIntVector();
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < actual.length; i++) {
            if (keep[actual[i]]) {
                rows.add(i);
            }
        }
        int[] selected = rows.stream().mapToInt(Integer::intValue).toArray();
        return new DataSet(data.getFeatures().getRows(selected), data.getLabels().getRows(selected));
    }

    /**
     * The showcases' pre-training: {@link #mlp} initialised with {@code seed}, then {@code epochs} epochs of
     * minibatches of {@code batchSize} on {@code oldTrain}, in an order drawn from {@code new Random(seed)}.
     */
    public static MultiLayerNetwork pretrain(DataSet oldTrain, long seed, int epochs, int batchSize) {
        MultiLayerNetwork net = mlp(seed);
        Random random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            epoch(net, oldTrain, random, batchSize);
        }
        return net;
    }

    /** Pixels 0–16 scaled to [0, 1], one-hot labels. */
    public static DataSet toDataSet(LabelledData data) {
        float[][] features = new float[data.size()][];
        float[][] labels = new float[data.size()][CLASSES];
        for (int i = 0; i < data.size(); i++) {
            double[] row = data.features()[i];
            features[i] = new float[row.length];
            for (int j = 0; j < row.length; j++) {
                features[i][j] = (float) (row[j] / 16.0);
            }
            labels[i][data.labels()[i]] = 1;
        }
        return new DataSet(Nd4j.create(features), Nd4j.create(labels));
    }

    /** The showcases' MLP 64-64-64-64-10 (tanh, softmax head, float, Adam 10⁻³), initialised with {@code seed}. */
    public static MultiLayerNetwork mlp(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
