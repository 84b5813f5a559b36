package io.github.descent4j.examples.sharpness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.report.ReportFiles;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
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
import static io.github.descent4j.examples.report.SeedStatistics.meanSd;

/** The tables, {@code summary.json} and charts of {@code ./descent4j sharpness} ({@link SharpnessExperiment.Result}). */
final class SharpnessReport {
    static final String SUMMARY = "summary.json";
    static final String NOISE_PLOT = "noise.png";
    static final String SHARPNESS_PLOT = "sharpness.png";
    static final String BALANCEDNESS_PLOT = "balancedness.png";

    private SharpnessReport() {}

    static void printTables(SharpnessExperiment.Result result, PrintStream out) {
        SharpnessExperiment.Settings s = result.settings();
        out.printf(Locale.ROOT, "label noise: %d of %d training labels flipped; MLP 64-%d-%d-10, SGD + Nesterov momentum %.1f, "
                        + "lr %s; sharpness@r = mean training-loss increase at |delta| = r over %d directions; mean ± sd over "
                        + "%d seeds%n", result.flipped(), result.trainSize(), SharpnessExperiment.HIDDEN, SharpnessExperiment.HIDDEN,
                SharpnessExperiment.MOMENTUM, SharpnessExperiment.NOISE_LR, s.directions(), s.seeds());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-26s %14s %15s %15s %14s", "method",
                "clean test acc", "noisy train acc", "flips memorised", "train loss"));
        for (double r : s.radii()) {
            header.append(String.format(Locale.ROOT, " %16s", "sharpness@" + r));
        }
        out.println(header);
        for (SharpnessExperiment.NoiseRun r : result.noise()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-26s %14s %15s %15s %14s", r.name(),
                    meanSd(r.testAccuracy(), 3), meanSd(r.noisyTrainAccuracy(), 3),
                    meanSd(r.memorised(), 3), meanSd(r.trainLoss(), 3)));
            for (List<Double> proxy : r.sharpness()) {
                row.append(String.format(Locale.ROOT, " %16s", meanSd(proxy, 4)));
            }
            out.println(row);
        }
        out.println();
        out.printf(Locale.ROOT, "low-rank layer: MLP 64-%d-%d-10, (x, y) = (W0, W1) initialised x*%s, y/%s; SGD lr %s; "
                        + "|B| = |(|x|^2 - |y|^2)/2|; mean ± sd over %d seeds%n", s.rank(), SharpnessExperiment.FACTOR_HIDDEN,
                s.initScale(), s.initScale(), SharpnessExperiment.FACTOR_LR, s.seeds());
        out.printf(Locale.ROOT, "%-26s %14s %16s %16s%n", "method", "clean test acc", "initial |B|", "final |B|");
        for (SharpnessExperiment.FactorRun r : result.factor()) {
            out.printf(Locale.ROOT, "%-26s %14s %16s %16s%n", r.name(), meanSd(r.testAccuracy(), 3),
                    meanSd(r.initialAbsB(), 3), meanSd(r.finalAbsB(), 3));
        }
    }

    static ObjectNode summary(SharpnessExperiment.Result result) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        SharpnessExperiment.Settings s = result.settings();
        root.put("task", "sharpness");
        root.put("dataset", "UCI digits (embedded), 70/30 split per seed");
        root.put("trainExamples", result.trainSize());
        root.put("testExamples", result.testSize());
        root.put("noise", s.noise());
        root.put("flippedLabels", result.flipped());
        root.put("epochs", s.epochs());
        root.put("minibatch", SharpnessExperiment.BATCH);
        root.put("seeds", s.seeds());
        root.put("seconds", Math.round(result.seconds() * 10) / 10.0);

        ObjectNode noise = root.putObject("labelNoise");
        noise.put("network", "MLP 64-" + SharpnessExperiment.HIDDEN + "-" + SharpnessExperiment.HIDDEN + "-10, ReLU, softmax");
        noise.put("baseUpdater", "Nesterovs(lr " + SharpnessExperiment.NOISE_LR + ", momentum " + SharpnessExperiment.MOMENTUM + ")");
        noise.put("rho", s.rho());
        noise.put("asamRho", s.asamRho());
        noise.put("asamEta", s.asamEta());
        ObjectNode proxy = noise.putObject("sharpnessProxy");
        proxy.put("definition", "mean over K seeded Gaussian directions d, scaled to |delta| = radius over all parameters, "
                + "of L_train(theta + delta) - L_train(theta) on the noisy training labels");
        ArrayNode radii = proxy.putArray("radii");
        for (double r : s.radii()) {
            radii.add(r);
        }
        proxy.put("directions", s.directions());
        ArrayNode methods = noise.putArray("methods");
        for (SharpnessExperiment.NoiseRun r : result.noise()) {
            ObjectNode node = methods.addObject();
            node.put("method", r.name());
            put(node, "testAccuracy", r.testAccuracy());
            put(node, "noisyTrainAccuracy", r.noisyTrainAccuracy());
            put(node, "memorised", r.memorised());
            put(node, "trainLoss", r.trainLoss());
            ArrayNode sharpness = node.putArray("sharpness");
            for (int k = 0; k < s.radii().length; k++) {
                ObjectNode atRadius = sharpness.addObject();
                atRadius.put("radius", s.radii()[k]);
                put(atRadius, "increase", r.sharpness().get(k));
            }
        }

        ObjectNode factor = root.putObject("lowRank");
        factor.put("network", "MLP 64-" + s.rank() + " (identity, no bias)-" + SharpnessExperiment.FACTOR_HIDDEN
                + " (ReLU)-10 (softmax)");
        factor.put("pair", "x = layer 0 W, y = layer 1 W");
        factor.put("baseUpdater", "Sgd(lr " + SharpnessExperiment.FACTOR_LR + ")");
        factor.put("rank", s.rank());
        factor.put("initScale", s.initScale());
        factor.put("rho", s.rho());
        factor.put("alpha", s.alpha());
        factor.put("alphaSchedule", s.alphaSchedule().name().toLowerCase(Locale.ROOT));
        factor.put("every", s.every());
        ArrayNode iterations = factor.putArray("iterations");
        for (int it : result.iterations()) {
            iterations.add(it);
        }
        ArrayNode runs = factor.putArray("methods");
        for (SharpnessExperiment.FactorRun r : result.factor()) {
            ObjectNode node = runs.addObject();
            node.put("method", r.name());
            put(node, "testAccuracy", r.testAccuracy());
            put(node, "initialAbsB", r.initialAbsB());
            put(node, "finalAbsB", r.finalAbsB());
            ArrayNode curves = node.putArray("balancednessPerSeed");
            for (double[] curve : r.balancedness()) {
                ArrayNode c = curves.addArray();
                for (double b : curve) {
                    c.add(b);
                }
            }
        }
        return root;
    }

    /** {@code name}: the mean, and {@code namePerSeed}: the values. */
    private static void put(ObjectNode node, String name, List<Double> values) {
        node.put(name, mean(values));
        ArrayNode perSeed = node.putArray(name + "PerSeed");
        values.forEach(perSeed::add);
    }

    static void write(SharpnessExperiment.Result result, Path dir) throws IOException {
        ReportFiles.writeJson(dir, SUMMARY, summary(result));
        ReportFiles.writePng(dir, NOISE_PLOT, noiseChart(result));
        ReportFiles.writePng(dir, SHARPNESS_PLOT, sharpnessChart(result));
        ReportFiles.writePng(dir, BALANCEDNESS_PLOT, balancednessChart(result));
    }

    private static CategoryChart noiseChart(SharpnessExperiment.Result result) {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title(String.format(Locale.ROOT, "Digits, %.0f%% of training labels flipped (mean of %d seeds)",
                        100 * result.settings().noise(), result.settings().seeds()))
                .yAxisTitle("accuracy").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        List<String> names = new ArrayList<>();
        List<Double> test = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> memorised = new ArrayList<>();
        for (SharpnessExperiment.NoiseRun r : result.noise()) {
            names.add(r.name());
            test.add(mean(r.testAccuracy()));
            train.add(mean(r.noisyTrainAccuracy()));
            memorised.add(mean(r.memorised()));
        }
        chart.addSeries("clean test accuracy", names, test);
        chart.addSeries("accuracy on noisy training labels", names, train);
        chart.addSeries("flipped labels memorised", names, memorised);
        return chart;
    }

    private static CategoryChart sharpnessChart(SharpnessExperiment.Result result) {
        SharpnessExperiment.Settings s = result.settings();
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title(String.format(Locale.ROOT, "Sharpness proxy: training-loss increase at |delta| = r (%d directions, %d seeds)",
                        s.directions(), s.seeds()))
                .yAxisTitle("L(theta + delta) - L(theta)").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<String> names = new ArrayList<>();
        for (SharpnessExperiment.NoiseRun r : result.noise()) {
            names.add(r.name());
        }
        for (int k = 0; k < s.radii().length; k++) {
            List<Double> values = new ArrayList<>();
            for (SharpnessExperiment.NoiseRun r : result.noise()) {
                values.add(mean(r.sharpness().get(k)));
            }
            chart.addSeries("r = " + s.radii()[k], names, values);
        }
        return chart;
    }

    private static XYChart balancednessChart(SharpnessExperiment.Result result) {
        SharpnessExperiment.Settings s = result.settings();
        XYChart chart = new XYChartBuilder().width(900).height(550)
                .title(String.format(Locale.ROOT, "Balancedness of the rank-%d factor pair (mean of %d seeds)", s.rank(), s.seeds()))
                .xAxisTitle("iteration").yAxisTitle("|B| = |(|x|^2 - |y|^2) / 2|").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] x = new double[result.iterations().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = result.iterations()[i];
        }
        for (SharpnessExperiment.FactorRun r : result.factor()) {
            chart.addSeries(r.name(), x, r.meanAbsB()).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
