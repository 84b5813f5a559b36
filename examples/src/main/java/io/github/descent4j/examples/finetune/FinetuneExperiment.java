package io.github.descent4j.examples.finetune;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import io.github.descent4j.dl4j.layerwise.LayerwiseLearningRates;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.github.descent4j.examples.dl4j.DigitsTraining.CLASSES;
import static io.github.descent4j.examples.dl4j.DigitsTraining.accuracy;
import static io.github.descent4j.examples.dl4j.DigitsTraining.toDataSet;

/**
 * Forgetting when fine-tuning a DL4J network: an MLP 64-64-64-64-10 (tanh) is pre-trained on the 8×8 digits
 * 0–4, then fine-tuned through {@code TransferLearning} + {@code FineTuneConfiguration} on 5–9 only, once per
 * method, each until the same 5–9 training accuracy (so methods are compared at similar new-task accuracy).
 * Afterwards the 0–4 test digits are scored two ways: 10-way (the shared softmax head must still rank 0–4
 * first) and among 0–4 only (what the features and the 0–4 rows of the head still know; the usual
 * task-aware measure of forgetting).
 * <p>
 * Methods: a flat learning rate; a layer-wise decay distribution (Kenneweg et al. 2024, "Learning Rate
 * Distributions over Layers Reduce Forgetting", via {@link LayerwiseLearningRates}); Selective Projection Decay
 * toward the pre-trained weights (Tian et al. 2024, {@link SelectiveProjectionDecay}) at the flat rate.
 */
public final class FinetuneExperiment {
    /**
     * @param seeds seeds 1..seeds (one 70/30 split and one network initialisation each)
     * @param pretrainEpochs epochs on 0–4
     * @param maxEpochs cap on fine-tuning epochs
     * @param target fine-tuning stops once the 5–9 training accuracy reaches this
     * @param learningRate Adam's rate for fine-tuning
     * @param decay layer-wise decay factor
     * @param lambda SPD strength
     */
    record Settings(int seeds, int pretrainEpochs, int maxEpochs, double target, double learningRate, double decay,
                    double lambda) {}

    /** One method's results, one entry per seed. */
    record MethodResult(String name, List<Integer> epochs, List<Double> newAccuracy, List<Double> oldAccuracyTenWay,
                        List<Double> oldAccuracyAmongOld) {}

    record Result(Settings settings, List<Double> pretrainedOldAccuracy, List<MethodResult> methods) {}

    private enum Method { FLAT, LAYERWISE_DECAY, SPD }

    private FinetuneExperiment() {}

    static String methodName(Method m, Settings s) {
        return switch (m) {
            case FLAT -> "flat learning rate";
            case LAYERWISE_DECAY -> String.format(Locale.ROOT, "layer-wise decay %.2g", s.decay());
            case SPD -> String.format(Locale.ROOT, "SPD lambda %.2g", s.lambda());
        };
    }

    static Result run(LabelledData digits, Settings settings, PrintStream progress) {
        List<MethodResult> methods = new ArrayList<>();
        for (Method m : Method.values()) {
            methods.add(new MethodResult(methodName(m, settings), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>()));
        }
        List<Double> pretrainedOld = new ArrayList<>();
        for (int seed = 1; seed <= settings.seeds(); seed++) {
            LabelledData[] split = digits.split(0.7, seed);
            DataSet train = toDataSet(split[0]);
            DataSet test = toDataSet(split[1]);
            DataSet oldTrain = DigitsTraining.byClass(train, 0, 5);
            DataSet newTrain = DigitsTraining.byClass(train, 5, 10);
            DataSet oldTest = DigitsTraining.byClass(test, 0, 5);
            DataSet newTest = DigitsTraining.byClass(test, 5, 10);

            MultiLayerNetwork pretrained = DigitsFineTuning.pretrain(oldTrain, seed, settings.pretrainEpochs());
            pretrainedOld.add(accuracy(pretrained, oldTest, 0, CLASSES));
            for (Method m : Method.values()) {
                MultiLayerNetwork tuned = fineTuneCopy(pretrained, m, settings, seed);
                int epochs = DigitsFineTuning.trainUntil(tuned, newTrain, settings.target(), settings.maxEpochs(), seed);
                MethodResult r = methods.get(m.ordinal());
                r.epochs().add(epochs);
                r.newAccuracy().add(accuracy(tuned, newTest, 0, CLASSES));
                r.oldAccuracyTenWay().add(accuracy(tuned, oldTest, 0, CLASSES));
                r.oldAccuracyAmongOld().add(accuracy(tuned, oldTest, 0, 5));
                progress.printf(Locale.ROOT, "seed %d  %-22s %3d epochs  5-9 %.3f  0-4 %.3f (10-way)  %.3f (among 0-4)%n",
                        seed, r.name(), epochs, last(r.newAccuracy()), last(r.oldAccuracyTenWay()), last(r.oldAccuracyAmongOld()));
            }
        }
        return new Result(settings, pretrainedOld, methods);
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    private static MultiLayerNetwork fineTuneCopy(MultiLayerNetwork pretrained, Method method, Settings settings, long seed) {
        MultiLayerNetwork tuned = DigitsFineTuning.fineTuneCopy(pretrained, settings.learningRate(), seed);
        switch (method) {
            case FLAT -> { }
            case LAYERWISE_DECAY -> LayerwiseLearningRates.apply(tuned, LearningRateDistribution.layerwiseDecay(settings.decay()));
            case SPD -> DigitsFineTuning.installSpd(tuned, settings.lambda());
        }
        return tuned;
    }
}
