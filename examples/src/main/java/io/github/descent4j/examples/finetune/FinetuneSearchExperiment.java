package io.github.descent4j.examples.finetune;

import io.github.descent4j.core.layerwise.LearningRateDistribution;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.dl4j.ewc.DiagonalFisher;
import io.github.descent4j.dl4j.ewc.ElasticWeightConsolidation;
import io.github.descent4j.dl4j.layerwise.LayerwiseLearningRates;
import io.github.descent4j.dl4j.layerwise.search.FineTuneProtocol;
import io.github.descent4j.dl4j.layerwise.search.FoundDistribution;
import io.github.descent4j.dl4j.layerwise.search.LayerwiseSearch;
import io.github.descent4j.dl4j.layerwise.search.LayerwiseSearchResult;
import io.github.descent4j.dl4j.layerwise.search.TaskAccuracy;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import static io.github.descent4j.examples.dl4j.DigitsTraining.byClasses;
import static io.github.descent4j.examples.dl4j.DigitsTraining.toDataSet;

/**
 * The search protocol of Kenneweg et al. (2024), "Intelligent Learning Rate Distribution to reduce
 * Catastrophic Forgetting in Transformers", on the bundled digits with the {@link DigitsFineTuning} MLP:
 * <ol>
 *   <li>for each search pair OLD/NEW: pre-train on OLD, then {@link LayerwiseSearch} the per-layer
 *       multipliers that keep most of OLD (task-aware validation accuracy) while NEW stays within the
 *       tolerance of the flat rate; save the best as a {@link FoundDistribution};</li>
 *   <li>tune EWC's λ on the same search pairs and objective (grid, one fine-tuning per λ and pair);</li>
 *   <li>on the evaluation pair, which no search used, for several seeds: fine-tune with a flat rate, a
 *       layer-wise decay, each found distribution (loaded back from its file), their geometric mean, EWC at
 *       the tuned λ and SPD, and score both tasks on the test split.</li>
 * </ol>
 * Searches use a 70/30 train/test split of the digits by the search seed and then a 75/25 fit/validation split
 * of the training part; the evaluation uses the 70/30 split of each seed. Protocol and table:
 * {@code docs/finetune.md}.
 */
final class FinetuneSearchExperiment {

    record Settings(List<TaskPair> searchPairs, TaskPair evalPair, int trials, int initialDesign, int seeds,
                    long searchSeed, int pretrainEpochs, int maxEpochs, double target, double learningRate,
                    double decay, double spdLambda, List<Double> ewcLambdas, ForgettingObjective objective,
                    double lowerMultiplier, double upperMultiplier) {}

    record PairSearch(TaskPair pair, LayerwiseSearchResult result, Path distributionFile) {}

    record MethodResult(String name, List<Double> newAccuracy, List<Double> oldAccuracy, List<Integer> epochs) {}

    /** One EWC strength on the search pairs: the mean objective value, and whether every pair met its constraint. */
    record EwcTrial(double meanValue, boolean feasibleOnAllPairs) {}

    record Result(Settings settings, List<PairSearch> searches, double[] combined, double ewcLambda,
                  Map<Double, EwcTrial> ewcTrials, List<Double> pretrainedOldAccuracy, List<MethodResult> methods) {}

    private FinetuneSearchExperiment() {}

    /** The file a search pair's state is kept in, under {@code stateDir}. */
    static Path stateFile(Path stateDir, TaskPair pair) {
        return stateDir.resolve("search").resolve(pair.slug() + ".json");
    }

    static Result run(LabelledData digits, Settings s, Path stateDir, Path outDir, boolean resume, PrintStream out) {
        List<PairSearch> searches = new ArrayList<>();
        List<PairData> pairData = new ArrayList<>();
        for (TaskPair pair : s.searchPairs()) {
            PairData d = searchData(digits, pair, s);
            pairData.add(d);
            Path state = stateFile(stateDir, pair);
            if (!resume) {
                delete(state);
            }
            out.printf(Locale.ROOT, "search on %s: pre-trained old-task validation accuracy %.3f; %d trials%n", pair,
                    TaskAccuracy.of(d.oldValidation, pair.oldClasses()).applyAsDouble(d.pretrained), s.trials());
            LayerwiseSearchResult result = LayerwiseSearch.builder()
                    .protocol(protocol(d.pretrained, d.newFit, s, s.searchSeed()))
                    .oldTask(TaskAccuracy.of(d.oldValidation, pair.oldClasses()))
                    .newTask(TaskAccuracy.of(d.newValidation, pair.newClasses()))
                    .bounds(s.lowerMultiplier(), s.upperMultiplier())
                    .initialDesign(s.initialDesign()).trials(s.trials()).seed(s.searchSeed()).objective(s.objective())
                    .stateFile(state).progress(line -> out.println("  " + line)).build().run();
            Path file = outDir.resolve("distributions").resolve(pair.slug() + ".json");
            write(result.found(pair.toString()), file);
            out.printf(Locale.ROOT, "  found on %s: %s %s (old %.3f, new %.3f vs flat old %.3f, new %.3f)%n",
                    pair, result.bestIsFlat() ? "no trial beat the flat rate; multipliers" : "multipliers",
                    FinetuneSearchCommand.format(result.bestMultipliers()), result.best().oldAccuracy(),
                    result.best().newAccuracy(), result.flat().oldAccuracy(), result.flat().newAccuracy());
            searches.add(new PairSearch(pair, result, file));
        }

        List<LearningRateDistribution> found = new ArrayList<>();
        for (PairSearch p : searches) {
            found.add(read(p.distributionFile()).distribution());
        }
        LearningRateDistribution combined = LearningRateDistribution.geometricMean(found.toArray(LearningRateDistribution[]::new));
        int depth = searches.get(0).result().layers().size();
        double[] combinedMultipliers = combined.multipliers(depth);
        write(new FoundDistribution("geometric mean", combinedMultipliers, searches.get(0).result().layers()),
                outDir.resolve("distributions").resolve("combined.json"));

        Map<Double, EwcTrial> ewcTrials = tuneEwc(pairData, searches, s, out);
        double ewcLambda = bestLambda(ewcTrials, s.objective());
        out.printf(Locale.ROOT, "EWC: lambda %s chosen on the search pairs%n", FinetuneSearchCommand.number(ewcLambda));

        List<Double> pretrainedOld = new ArrayList<>();
        List<MethodResult> methods = evaluate(digits, s, searches, found, combined, ewcLambda, pretrainedOld, out);
        return new Result(s, searches, combinedMultipliers, ewcLambda, ewcTrials, pretrainedOld, methods);
    }

    private record PairData(MultiLayerNetwork pretrained, DataSet oldFit, DataSet newFit, DataSet oldValidation,
                            DataSet newValidation) {}

    private static PairData searchData(LabelledData digits, TaskPair pair, Settings s) {
        LabelledData train = digits.split(0.7, s.searchSeed())[0];
        LabelledData[] fitValidation = train.split(0.75, s.searchSeed() + 1);
        DataSet fit = toDataSet(fitValidation[0]);
        DataSet validation = toDataSet(fitValidation[1]);
        DataSet oldFit = byClasses(fit, pair.oldClasses());
        MultiLayerNetwork pretrained = DigitsFineTuning.pretrain(oldFit, s.searchSeed(), s.pretrainEpochs());
        return new PairData(pretrained, oldFit, byClasses(fit, pair.newClasses()),
                byClasses(validation, pair.oldClasses()), byClasses(validation, pair.newClasses()));
    }

    private static FineTuneProtocol protocol(MultiLayerNetwork pretrained, DataSet newTrain, Settings s, long seed) {
        return new FineTuneProtocol() {
            @Override
            public MultiLayerNetwork start() {
                return DigitsFineTuning.fineTuneCopy(pretrained, s.learningRate(), seed);
            }

            @Override
            public void train(MultiLayerNetwork net) {
                DigitsFineTuning.trainUntil(net, newTrain, s.target(), s.maxEpochs(), seed);
            }
        };
    }

    /** Mean objective value over the search pairs for each λ (the flat baselines of the searches set the constraint). */
    private static Map<Double, EwcTrial> tuneEwc(List<PairData> data, List<PairSearch> searches, Settings s, PrintStream out) {
        Map<Double, EwcTrial> values = new LinkedHashMap<>();
        List<Map<String, INDArray>> fishers = new ArrayList<>();
        for (PairData d : data) {
            fishers.add(DiagonalFisher.compute(d.pretrained, new ListDataSetIterator<>(d.oldFit.asList(), 64)));
        }
        for (double lambda : s.ewcLambdas()) {
            double sum = 0;
            boolean feasible = true;
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < data.size(); k++) {
                PairData d = data.get(k);
                TaskPair pair = searches.get(k).pair();
                MultiLayerNetwork net = ElasticWeightConsolidation.install(
                        DigitsFineTuning.fineTuneCopy(d.pretrained, s.learningRate(), s.searchSeed()), fishers.get(k), lambda);
                DigitsFineTuning.trainUntil(net, d.newFit, s.target(), s.maxEpochs(), s.searchSeed());
                double pOld = TaskAccuracy.of(d.oldValidation, pair.oldClasses()).applyAsDouble(net);
                double pNew = TaskAccuracy.of(d.newValidation, pair.newClasses()).applyAsDouble(net);
                double flatNew = searches.get(k).result().flat().newAccuracy();
                sum += s.objective().value(pOld, pNew, flatNew);
                feasible &= s.objective().feasible(pNew, flatNew);
                line.append(String.format(Locale.ROOT, "  %s old %.3f new %.3f", pair, pOld, pNew));
            }
            values.put(lambda, new EwcTrial(sum / data.size(), feasible));
            out.printf(Locale.ROOT, "  EWC lambda %-8s mean objective %.4f%s |%s%n", FinetuneSearchCommand.number(lambda),
                    sum / data.size(), feasible ? "" : " (infeasible)", line);
        }
        return values;
    }

    /**
     * The λ chosen as the searches choose their best trial: feasible on every pair first, then the lowest mean
     * objective (the first of equals).
     */
    static double bestLambda(Map<Double, EwcTrial> trials, ForgettingObjective objective) {
        if (trials.isEmpty()) {
            throw new IllegalArgumentException("no EWC strengths were tried");
        }
        Map.Entry<Double, EwcTrial> best = null;
        for (Map.Entry<Double, EwcTrial> e : trials.entrySet()) {
            if (best == null || objective.isBetter(e.getValue().feasibleOnAllPairs(), e.getValue().meanValue(),
                    best.getValue().feasibleOnAllPairs(), best.getValue().meanValue())) {
                best = e;
            }
        }
        return best.getKey();
    }

    /** One compared method: its name and how it turns the fine-tuning copy into the network to train. */
    private record Method(String name, UnaryOperator<MultiLayerNetwork> prepare) {}

    private static List<Method> methods(Settings s, List<PairSearch> searches, List<LearningRateDistribution> found,
                                        LearningRateDistribution combined, double ewcLambda, Map<String, INDArray> fisher) {
        List<Method> methods = new ArrayList<>();
        methods.add(new Method("flat", net -> net));
        methods.add(new Method("layer-wise decay " + FinetuneSearchCommand.number(s.decay()),
                net -> withDistribution(net, LearningRateDistribution.layerwiseDecay(s.decay()))));
        for (int k = 0; k < found.size(); k++) {
            LearningRateDistribution d = found.get(k);
            methods.add(new Method("found on " + searches.get(k).pair(), net -> withDistribution(net, d)));
        }
        methods.add(new Method("geometric mean", net -> withDistribution(net, combined)));
        methods.add(new Method("EWC lambda " + FinetuneSearchCommand.number(ewcLambda),
                net -> ElasticWeightConsolidation.install(net, fisher, ewcLambda)));
        methods.add(new Method("SPD lambda " + FinetuneSearchCommand.number(s.spdLambda()), net -> {
            DigitsFineTuning.installSpd(net, s.spdLambda());
            return net;
        }));
        return methods;
    }

    private static MultiLayerNetwork withDistribution(MultiLayerNetwork net, LearningRateDistribution distribution) {
        LayerwiseLearningRates.apply(net, distribution);
        return net;
    }

    private static List<MethodResult> evaluate(LabelledData digits, Settings s, List<PairSearch> searches,
                                               List<LearningRateDistribution> found, LearningRateDistribution combined,
                                               double ewcLambda, List<Double> pretrainedOld, PrintStream out) {
        TaskPair pair = s.evalPair();
        List<MethodResult> results = new ArrayList<>();
        out.printf(Locale.ROOT, "evaluation on %s, %d seeds%n", pair, s.seeds());
        for (int seed = 1; seed <= s.seeds(); seed++) {
            LabelledData[] split = digits.split(0.7, seed);
            DataSet train = toDataSet(split[0]);
            DataSet test = toDataSet(split[1]);
            DataSet oldTrain = byClasses(train, pair.oldClasses());
            DataSet newTrain = byClasses(train, pair.newClasses());
            TaskAccuracy oldScore = TaskAccuracy.of(byClasses(test, pair.oldClasses()), pair.oldClasses());
            TaskAccuracy newScore = TaskAccuracy.of(byClasses(test, pair.newClasses()), pair.newClasses());
            MultiLayerNetwork pretrained = DigitsFineTuning.pretrain(oldTrain, seed, s.pretrainEpochs());
            pretrainedOld.add(oldScore.applyAsDouble(pretrained));
            Map<String, INDArray> fisher = DiagonalFisher.compute(pretrained, new ListDataSetIterator<>(oldTrain.asList(), 64));
            List<Method> methods = methods(s, searches, found, combined, ewcLambda, fisher);
            for (int m = 0; m < methods.size(); m++) {
                if (results.size() <= m) {
                    results.add(new MethodResult(methods.get(m).name(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
                }
                MultiLayerNetwork net = methods.get(m).prepare().apply(
                        DigitsFineTuning.fineTuneCopy(pretrained, s.learningRate(), seed));
                int epochs = DigitsFineTuning.trainUntil(net, newTrain, s.target(), s.maxEpochs(), seed);
                MethodResult r = results.get(m);
                r.epochs().add(epochs);
                r.newAccuracy().add(newScore.applyAsDouble(net));
                r.oldAccuracy().add(oldScore.applyAsDouble(net));
                out.printf(Locale.ROOT, "  seed %d  %-30s %3d epochs  new %.3f  old %.3f%n", seed, r.name(), epochs,
                        r.newAccuracy().get(seed - 1), r.oldAccuracy().get(seed - 1));
            }
        }
        return results;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old search state " + file, e);
        }
    }

    private static void write(FoundDistribution d, Path file) {
        try {
            d.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static FoundDistribution read(Path file) {
        try {
            return FoundDistribution.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
