package io.github.descent4j.dl4j.updater;

import io.github.descent4j.dl4j.listen.ClassGroupLossListener;
import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.LongTail;
import io.github.descent4j.core.training.LossTrajectory;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Our updaters as a one-line swap in a DL4J MLP on the digits data, and the group-loss listener. */
public class Dl4jDropInTrainingTest {

    private static Path dataDir() {
        return Paths.get(System.getProperty("descent4j.data.dir", "../test-data/data"));
    }

    /** Digits with pixels scaled to [0, 1]: {train, test}, 70/30 stratified. */
    public static LabelledData[] digits() {
        LabelledData all = DataFiles.readHeaderless(dataDir().resolve("digits.csv.gz"));
        double[][] f = new double[all.size()][];
        for (int i = 0; i < f.length; i++) {
            f[i] = all.features()[i].clone();
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] /= 16.0;
            }
        }
        return new LabelledData(f, all.labels(), all.classNames()).split(0.7, 42);
    }

    public static DataSet dataSet(LabelledData data) {
        float[][] x = new float[data.size()][];
        float[][] y = new float[data.size()][data.classCount()];
        for (int i = 0; i < x.length; i++) {
            double[] row = data.features()[i];
            x[i] = new float[row.length];
            for (int j = 0; j < row.length; j++) {
                x[i][j] = (float) row[j];
            }
            y[i][data.labels()[i]] = 1f;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    public static MultiLayerNetwork mlp(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(48).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static Stream<Arguments> updaters() {
        return Stream.of(
                Arguments.of("SignSGD", new SignSGD(1e-3)),
                Arguments.of("SignSGD+momentum", new SignSGD(2e-4, 0.9)),
                Arguments.of("Signum", new Signum(1e-3, 0.9)),
                Arguments.of("Lion", new Lion(3e-4, 0.9, 0.99)),
                Arguments.of("NormalizedSGD", new NormalizedSGD(0.1, 0.9)),
                Arguments.of("AdaGradNorm", new AdaGradNorm(0.5, 0.01)),
                Arguments.of("DL4J Adam (reference)", new Adam(1e-3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updaters")
    void mlpOnDigitsReachesAccuracy(String name, IUpdater updater) {
        LabelledData[] split = digits();
        MultiLayerNetwork net = mlp(updater);
        var train = new ListDataSetIterator<>(dataSet(split[0]).asList(), 32);
        net.fit(train, 25);
        Evaluation evaluation = net.evaluate(new ListDataSetIterator<>(dataSet(split[1]).asList(), 256));
        // Threshold: DL4J's own Adam reaches about 0.96 here; every updater must be close.
        assertThat(evaluation.accuracy()).as(name + " test accuracy").isGreaterThan(0.92);
    }

    @Test
    void groupLossListenerRecordsEveryNIterationsAndMatchesTheNetworkScore() {
        LabelledData[] split = digits();
        // Long-tailed training set: class k keeps n_max · 50^(−k/9) examples, from 127 down to 3.
        LabelledData train = LongTail.subsample(split[0], 50, 3);
        DataSet trainSet = dataSet(train);
        MultiLayerNetwork net = mlp(new Lion(1e-3, 0.9, 0.99));
        var listener = new ClassGroupLossListener("Lion", trainSet, 3, 5);
        net.addListeners(listener);
        listener.record(net, 0);
        var iterator = new ListDataSetIterator<>(trainSet.asList(), 64);
        net.fit(iterator, 6);
        LossTrajectory t = listener.trajectory();
        assertThat(t.first().step()).isZero();
        assertThat(t.first().loss()).isCloseTo(Math.log(10), within(0.5));
        assertThat(t.points()).extracting(LossTrajectory.Point::step).allSatisfy(s -> assertThat(s % 5).isZero());
        assertThat(t.size()).isGreaterThan(3);
        assertThat(t.groupCount()).isEqualTo(3);
        assertThat(listener.groups().classes(0)).contains(0);
        // The last record equals the network's mean per-example score at the final parameters.
        listener.record(net, t.last().step() + 1);
        double expected = net.scoreExamples(trainSet, false).meanNumber().doubleValue();
        assertThat(t.finalLoss()).isCloseTo(expected, within(1e-5));
        assertThatRun(t).decreasesLossBy(1.5);
    }
}
