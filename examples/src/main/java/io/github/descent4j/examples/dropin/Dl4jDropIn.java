package io.github.descent4j.examples.dropin;

import io.github.descent4j.dl4j.clip.GlobalNormClipping;
import io.github.descent4j.dl4j.schedule.WarmupCosineSchedule;
import io.github.descent4j.dl4j.updater.AdamW;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.SplitTestAndTrain;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Random;

/**
 * A DL4J pipeline as a user has it today — an MLP on the 8×8 digits with DL4J's Adam — and the same pipeline after
 * the drop-in change to torch-exact AdamW with warmup-cosine and global-norm clipping:
 * <pre>
 *   before:  .updater(new Adam(1e-3))                                       new MultiLayerNetwork(conf)
 *   after:   .updater(AdamW.builder().learningRateSchedule(new WarmupCosineSchedule(ITERATION, 3e-3, 30, steps, 0.05))
 *                .weightDecay(1e-2).build())                                new MultiLayerNetwork(AdamW.install(conf))
 *            net.addListeners(GlobalNormClipping.maxNorm(1.0));
 * </pre>
 * Run: {@code java -cp descent4j.jar io.github.descent4j.examples.dropin.Dl4jDropIn [epochs]}; prints test accuracy
 * before and after.
 */
public final class Dl4jDropIn {
    private static final int BATCH = 32;

    private Dl4jDropIn() {}

    /** Test accuracy of the pipeline before and after the change, same data split, seeds and epochs. */
    public record Result(double before, double after, long steps) {}

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Result r = run(epochs);
        System.out.printf("DL4J digits MLP, %d epochs (%d steps)%n", epochs, r.steps());
        System.out.printf("  before  (DL4J Adam 1e-3)                                   test accuracy %.4f%n", r.before());
        System.out.printf("  after   (AdamW + warmup-cosine + clip by global norm 1.0)  test accuracy %.4f%n", r.after());
    }

    public static Result run(int epochs) {
        DataSet all = DigitsTraining.toDataSet(EmbeddedData.digits());
        all.shuffle(7);
        SplitTestAndTrain split = all.splitTestAndTrain(0.8);
        DataSet train = split.getTrain();
        DataSet test = split.getTest();
        long steps = (long) epochs * ((train.numExamples() + BATCH - 1) / BATCH);

        // before: the user's pipeline
        MultiLayerNetwork before = new MultiLayerNetwork(mlp(new Adam(1e-3)));
        before.init();
        train(before, train, epochs);

        // after: the drop-in change (updater line, install line, listener line)
        AdamW adamW = AdamW.builder()
                .learningRateSchedule(new WarmupCosineSchedule(ScheduleType.ITERATION, 3e-3, 30, steps, 0.05))
                .weightDecay(1e-2).build();
        MultiLayerNetwork after = new MultiLayerNetwork(AdamW.install(mlp(adamW)));
        after.init();
        after.addListeners(GlobalNormClipping.maxNorm(1.0));
        train(after, train, epochs);

        return new Result(DigitsTraining.accuracy(before, test, 0, DigitsTraining.CLASSES),
                DigitsTraining.accuracy(after, test, 0, DigitsTraining.CLASSES), steps);
    }

    private static MultiLayerConfiguration mlp(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(DigitsTraining.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    private static void train(MultiLayerNetwork net, DataSet train, int epochs) {
        Random order = new Random(3);
        for (int e = 0; e < epochs; e++) {
            DigitsTraining.epoch(net, train, order, BATCH);
        }
    }
}
