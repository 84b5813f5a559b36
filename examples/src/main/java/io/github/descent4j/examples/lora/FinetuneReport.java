package io.github.descent4j.examples.lora;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.lora.LoraExperiment.MethodResult;
import io.github.descent4j.examples.report.SeedStatistics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.github.descent4j.examples.report.SeedStatistics.mean;

/** The table, the {@code methods} part of {@code summary.json} and the |B| plot of {@code ./descent4j lora}'s fine-tuning. */
final class FinetuneReport {
    static final String PLOT = "lora-balancedness.png";

    private FinetuneReport() {}

    private static String meanSd(List<? extends Number> values) {
        return SeedStatistics.meanSd(values, 3);
    }

    static void printTable(LoraExperiment.Result result, PrintStream out) {
        out.printf(Locale.ROOT, "pre-trained 0-4 test accuracy (among 0-4) %s%n", meanSd(result.pretrainedOldAccuracy()));
        out.printf(Locale.ROOT, "%-10s %14s %16s %11s %10s %9s %s%n", "method", "5-9 test acc", "0-4 acc (among)",
                "ms/step", "trainable", "adapter B", "|B| first -> last per LoRA layer (mean over seeds)");
        for (MethodResult m : result.methods()) {
            StringBuilder b = new StringBuilder();
            for (int layer = 0; layer < layers(m); layer++) {
                b.append(String.format(Locale.ROOT, "%s%.3g->%.3g", layer == 0 ? "" : ", ", meanFirst(m, layer), meanLast(m, layer)));
            }
            out.printf(Locale.ROOT, "%-10s %14s %16s %11.3f %10.0f %9s %s%n", m.method().label, meanSd(m.newAccuracy()),
                    meanSd(m.oldAccuracy()), mean(m.msPerStep()), mean(m.trainableParameters()),
                    m.method().lora() ? String.format(Locale.ROOT, "%.0f", mean(m.adapterBytes())) : "n/a",
                    m.method().lora() ? b : "n/a");
        }
    }

    private static int layers(MethodResult m) {
        return m.balancedness().isEmpty() ? 0 : m.balancedness().get(0).length;
    }

    private static int points(MethodResult m) {
        return m.balancedness().get(0)[0].length;
    }

    /** |B| of one LoRA layer at one recorded point, mean over seeds. */
    private static double meanAt(MethodResult m, int layer, int at) {
        return m.balancedness().stream().mapToDouble(b -> b[layer][at]).average().orElse(Double.NaN);
    }

    private static double meanFirst(MethodResult m, int layer) {
        return meanAt(m, layer, 0);
    }

    private static double meanLast(MethodResult m, int layer) {
        return meanAt(m, layer, points(m) - 1);
    }

    /** Fills {@code root.methods} (keys full, LoRA, LoRA+SAM, LoRA+nBAR, LoRA+oBAR) and {@code root.finetuneSettings}. */
    static void summary(LoraExperiment.Result result, ObjectNode root) {
        ObjectNode methods = root.putObject("methods");
        for (MethodResult m : result.methods()) {
            ObjectNode node = methods.putObject(m.method().label);
            node.put("accuracy", mean(m.newAccuracy()));
            node.put("oldTaskAccuracy", mean(m.oldAccuracy()));
            node.put("oldTaskAccuracyTenWay", mean(m.oldAccuracyTenWay()));
            node.put("msPerStep", mean(m.msPerStep()));
            node.put("trainableParameters", Math.round(mean(m.trainableParameters())));
            node.put("adapterBytes", Math.round(mean(m.adapterBytes())));
            ArrayNode perSeed = node.putArray("accuracyPerSeed");
            m.newAccuracy().forEach(perSeed::add);
            ArrayNode oldPerSeed = node.putArray("oldTaskAccuracyPerSeed");
            m.oldAccuracy().forEach(oldPerSeed::add);
            ObjectNode balancedness = node.putObject("balancedness");
            for (int layer = 0; layer < layers(m); layer++) {
                ObjectNode l = balancedness.putObject(LoraExperiment.HIDDEN[layer]);
                l.put("firstB", meanFirst(m, layer));
                l.put("lastB", meanLast(m, layer));
                ArrayNode series = l.putArray("B");
                for (int e = 0; e < points(m); e++) {
                    series.add(meanAt(m, layer, e));
                }
            }
        }
        LoraExperiment.Settings s = result.settings();
        ObjectNode settings = root.putObject("finetuneSettings");
        settings.put("protocol", "MLP 64-64-64-10 tanh pre-trained on digits 0-4 (Adam 1e-3), fine-tuned on 5-9 with Adam");
        settings.put("seeds", s.seeds());
        settings.put("pretrainEpochs", s.pretrainEpochs());
        settings.put("epochs", s.epochs());
        settings.put("rank", s.rank());
        settings.put("loraAlpha", 2.0 * s.rank());
        settings.put("learningRate", s.learningRate());
        settings.put("samRho", s.rho());
        settings.put("barAlpha0", s.barAlpha());
        settings.put("barSchedule", "linear to 0 over the fine-tuning steps");
        settings.put("batchSize", LoraExperiment.BATCH);
        settings.put("pretrainedOldTaskAccuracy", mean(result.pretrainedOldAccuracy()));
        settings.put("balancednessRecordedAt", "before fine-tuning and after every epoch");
    }

    /** One chart per LoRA layer: |B| (mean over seeds) after each epoch, one series per LoRA method. */
    static void writePlot(LoraExperiment.Result result, Path dir) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (int layer = 0; layer < LoraExperiment.HIDDEN.length; layer++) {
            XYChart chart = new XYChartBuilder().width(500).height(500)
                    .title(String.format(Locale.ROOT, "LoRA layer %s: |B| (r %d, %d seeds)", LoraExperiment.HIDDEN[layer],
                            result.settings().rank(), result.settings().seeds()))
                    .xAxisTitle("fine-tuning epoch").yAxisTitle("|(|A|^2 - |B|^2) / 2|").build();
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            chart.getStyler().setXAxisDecimalPattern("#");
            for (MethodResult m : result.methods()) {
                if (!m.method().lora()) {
                    continue;
                }
                double[] x = new double[points(m)];
                double[] y = new double[points(m)];
                for (int e = 0; e < x.length; e++) {
                    x[e] = e;
                    y[e] = meanAt(m, layer, e);
                }
                chart.addSeries(m.method().label, x, y).setMarker(SeriesMarkers.NONE);
            }
            charts.add(chart);
        }
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), dir.resolve(PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
