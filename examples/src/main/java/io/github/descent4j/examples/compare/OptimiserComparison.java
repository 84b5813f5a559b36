package io.github.descent4j.examples.compare;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.spd.AdamSPD;
import io.github.descent4j.tribuo.optim.AdamW;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.optim.NormalizedSGD;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.optim.Signum;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.SGD;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Trains Tribuo's stock logistic regression ({@code LinearSGDTrainer} with {@code LogMulticlass}) once per
 * optimiser on the same split, and reports test accuracy and mean training log loss. Tribuo's own SGD,
 * AdaGrad and Adam run as baselines.
 */
public final class OptimiserComparison {

    /** One row of the comparison. */
    public record Result(String optimiser, String description, double accuracy, double trainingLoss) {}

    private OptimiserComparison() {}

    /** The optimisers compared, with learning rates suited to standardised features. */
    public static Map<String, Supplier<StochasticGradientOptimiser>> optimisers() {
        Map<String, Supplier<StochasticGradientOptimiser>> m = new LinkedHashMap<>();
        m.put("Tribuo SGD", () -> SGD.getSimpleSGD(0.05));
        m.put("Tribuo AdaGrad", () -> new AdaGrad(0.5, 1e-6));
        m.put("Tribuo Adam (4.3.2)", () -> new org.tribuo.math.optimisers.Adam(0.01, 0.9, 0.999, 1e-8));
        m.put("SignSGD", () -> new SignSGD(0.002));
        m.put("SignSGD+momentum", () -> new SignSGD(0.0005, 0.9));
        m.put("Signum", () -> new Signum(0.005, 0.9));
        m.put("Lion", () -> new Lion(0.002, 0.9, 0.99, 0.01));
        m.put("NormalizedSGD", () -> new NormalizedSGD(0.05));
        m.put("NormalizedSGD+momentum", () -> new NormalizedSGD(0.01, 0.9));
        m.put("AdaGradNorm", () -> new AdaGradNorm(1.0, 0.1));
        m.put("Adam", () -> new Adam(0.01));
        m.put("AdamW", () -> new AdamW(0.01, 0.9, 0.999, 1e-8, 0.01));
        m.put("AdamSPD", () -> new AdamSPD(0.01, 0.5));
        return m;
    }

    public static List<Result> run(LabelledData train, LabelledData test, int epochs, int minibatch, long seed, PrintStream progress) {
        Dataset<Label> trainSet = TribuoDatasets.classification(train, "train", false);
        Dataset<Label> testSet = TribuoDatasets.classification(test, "test", false);
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, Supplier<StochasticGradientOptimiser>> e : optimisers().entrySet()) {
            StochasticGradientOptimiser optimiser = e.getValue().get();
            progress.printf("training with %s ...%n", optimiser);
            LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), optimiser, epochs, -1, minibatch, seed);
            Model<Label> model = trainer.train(trainSet);
            double accuracy = new LabelEvaluator().evaluate(model, testSet).accuracy();
            results.add(new Result(e.getKey(), optimiser.toString(), accuracy, meanLogLoss(model, trainSet)));
        }
        return results;
    }

    /** Mean of −log p(true label) over the dataset, with p clipped at 1e-15 so a hard mistake stays finite. */
    static double meanLogLoss(Model<Label> model, Dataset<Label> data) {
        double sum = 0;
        List<Prediction<Label>> predictions = model.predict(data);
        for (int i = 0; i < predictions.size(); i++) {
            String truth = data.getExample(i).getOutput().getLabel();
            Label scored = predictions.get(i).getOutputScores().get(truth);
            double p = scored == null ? 0 : scored.getScore();
            sum -= Math.log(Math.max(p, 1e-15));
        }
        return sum / predictions.size();
    }

    public static void printTable(List<Result> results, PrintStream out) {
        out.printf("%-24s %10s %14s%n", "optimiser", "accuracy", "train log loss");
        for (Result r : results) {
            out.printf("%-24s %10.3f %14.4f%n", r.optimiser(), r.accuracy(), r.trainingLoss());
        }
    }
}
