package io.github.descent4j.examples.finetune;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.dl4j.layerwise.search.LayerwiseSearchResult;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.descent4j.examples.report.SeedStatistics.mean;
import static io.github.descent4j.examples.report.SeedStatistics.sd;

/** The files of {@code ./descent4j finetune --search}: {@code summary.json} and its two plots. */
final class FinetuneSearchReport {
    private FinetuneSearchReport() {}

    /**
     * {@code {"task":"finetune-search","searchPairs":[...],"evalPair":..,"distributions":{pair:[...],
     * "combined":[...]},"methods":{NAME:{"newTaskAccuracy":..,"oldTaskAccuracy":..,"sd":{...}}}}} plus the
     * settings, each search's baseline and best trial, and the EWC grid.
     */
    static ObjectNode summary(FinetuneSearchExperiment.Result result) {
        FinetuneSearchExperiment.Settings s = result.settings();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", "finetune-search");
        ArrayNode pairs = root.putArray("searchPairs");
        s.searchPairs().forEach(p -> pairs.add(p.toString()));
        root.put("evalPair", s.evalPair().toString());
        root.put("trials", s.trials());
        root.put("initialDesign", s.initialDesign());
        root.put("seeds", s.seeds());
        root.put("searchSeed", s.searchSeed());
        root.put("lowerMultiplier", s.lowerMultiplier());
        root.put("upperMultiplier", s.upperMultiplier());
        root.put("tolerance", s.objective().tolerance());
        root.put("penalty", s.objective().penalty());
        root.put("learningRate", s.learningRate());
        root.put("targetNewAccuracy", s.target());
        ArrayNode layers = root.putArray("layers");
        result.searches().get(0).result().layers().forEach(layers::add);

        ObjectNode distributions = root.putObject("distributions");
        ObjectNode searches = root.putObject("searches");
        for (FinetuneSearchExperiment.PairSearch p : result.searches()) {
            numbers(distributions.putArray(p.pair().toString()), p.result().bestMultipliers());
            LayerwiseSearchResult r = p.result();
            ObjectNode n = searches.putObject(p.pair().toString());
            n.put("trials", r.trials().size());
            n.put("flatOldAccuracy", r.flat().oldAccuracy());
            n.put("flatNewAccuracy", r.flat().newAccuracy());
            n.put("bestOldAccuracy", r.best().oldAccuracy());
            n.put("bestNewAccuracy", r.best().newAccuracy());
            n.put("bestIsFlat", r.bestIsFlat());
            n.put("feasibleTrials", r.trials().stream().filter(t -> t.feasible()).count());
        }
        numbers(distributions.putArray("combined"), result.combined());

        ObjectNode ewc = root.putObject("ewc");
        ewc.put("lambda", result.ewcLambda());
        ObjectNode grid = ewc.putObject("meanObjectiveByLambda");
        ObjectNode feasible = ewc.putObject("feasibleOnAllPairsByLambda");
        for (Map.Entry<Double, FinetuneSearchExperiment.EwcTrial> e : result.ewcTrials().entrySet()) {
            grid.put(FinetuneSearchCommand.number(e.getKey()), e.getValue().meanValue());
            feasible.put(FinetuneSearchCommand.number(e.getKey()), e.getValue().feasibleOnAllPairs());
        }

        root.put("pretrainedOldAccuracy", mean(result.pretrainedOldAccuracy()));
        ObjectNode methods = root.putObject("methods");
        for (FinetuneSearchExperiment.MethodResult m : result.methods()) {
            ObjectNode n = methods.putObject(m.name());
            n.put("newTaskAccuracy", mean(m.newAccuracy()));
            n.put("oldTaskAccuracy", mean(m.oldAccuracy()));
            n.put("epochs", mean(m.epochs()));
            ObjectNode sd = n.putObject("sd");
            sd.put("newTaskAccuracy", sd(m.newAccuracy()));
            sd.put("oldTaskAccuracy", sd(m.oldAccuracy()));
            ObjectNode perSeed = n.putObject("perSeed");
            m.newAccuracy().forEach(perSeed.withArray("newTaskAccuracy")::add);
            m.oldAccuracy().forEach(perSeed.withArray("oldTaskAccuracy")::add);
        }
        return root;
    }

    /** Multiplier per layer on a log scale: one curve per search pair and the geometric mean. */
    static XYChart distributionsChart(FinetuneSearchExperiment.Result result) {
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title("Learning-rate multipliers found per layer").xAxisTitle("layer (input side first)")
                .yAxisTitle("multiplier of the base rate").build();
        chart.getStyler().setYAxisLogarithmic(true);
        for (FinetuneSearchExperiment.PairSearch p : result.searches()) {
            chart.addSeries("found on " + p.pair(), layerAxis(p.result().bestMultipliers().length),
                    p.result().bestMultipliers());
        }
        chart.addSeries("geometric mean", layerAxis(result.combined().length), result.combined())
                .setMarker(SeriesMarkers.DIAMOND);
        return chart;
    }

    /** New- and old-task test accuracy of every method on the evaluation pair. */
    static CategoryChart methodsChart(FinetuneSearchExperiment.Result result) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("Fine-tuning on " + result.settings().evalPair() + ": both tasks after fine-tuning")
                .yAxisTitle("test accuracy (task-aware)").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        List<String> names = new ArrayList<>();
        List<Double> fresh = new ArrayList<>();
        List<Double> old = new ArrayList<>();
        for (FinetuneSearchExperiment.MethodResult m : result.methods()) {
            names.add(m.name());
            fresh.add(mean(m.newAccuracy()));
            old.add(mean(m.oldAccuracy()));
        }
        chart.addSeries("new task", names, fresh);
        chart.addSeries("old task (kept)", names, old);
        return chart;
    }

    private static double[] layerAxis(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    private static void numbers(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }
}
