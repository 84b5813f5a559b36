package io.github.descent4j.examples.finetune;

import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Random;

import static io.github.descent4j.examples.dl4j.DigitsTraining.CLASSES;

/**
 * The fine-tuning protocol both finetune showcases share: an MLP 64-64-64-64-10 (tanh, float), pre-trained
 * with Adam 10⁻³ on the old task's digits, then copied through {@code TransferLearning} +
 * {@code FineTuneConfiguration} with Adam at the fine-tuning rate and trained on the new task's digits in
 * minibatches of 32 (order seeded) until its 10-way training accuracy reaches a target or an epoch cap.
 */
final class DigitsFineTuning {
    static final int BATCH = 32;

    private DigitsFineTuning() {}

    static MultiLayerNetwork pretrain(DataSet oldTrain, long seed, int epochs) {
        return DigitsTraining.pretrain(oldTrain, seed, epochs, BATCH);
    }

    /** A copy of {@code pretrained} with a fresh Adam at {@code learningRate}, ready to fine-tune. */
    static MultiLayerNetwork fineTuneCopy(MultiLayerNetwork pretrained, double learningRate, long seed) {
        return new TransferLearning.Builder(pretrained.clone())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(learningRate)).seed(seed).build())
                .build();
    }

    /** Trains until the 10-way accuracy on {@code newTrain} reaches {@code target} or after {@code maxEpochs}; returns the epochs. */
    static int trainUntil(MultiLayerNetwork net, DataSet newTrain, double target, int maxEpochs, long seed) {
        Random order = new Random(1000L + seed);
        int epochs = 0;
        while (epochs < maxEpochs && DigitsTraining.accuracy(net, newTrain, 0, CLASSES) < target) {
            DigitsTraining.epoch(net, newTrain, order, BATCH);
            epochs++;
        }
        return epochs;
    }

    /** Selective Projection Decay at strength {@code lambda} on every layer's weights and biases. */
    static void installSpd(MultiLayerNetwork tuned, double lambda) {
        // Anchored at each array's first update: the pre-trained weights the copy starts from.
        for (Layer layer : tuned.getLayers()) {
            BaseLayer conf = (BaseLayer) layer.conf().getLayer();
            conf.setRegularization(SelectiveProjectionDecay.of(lambda));
            conf.setRegularizationBias(SelectiveProjectionDecay.of(lambda));
        }
    }
}
