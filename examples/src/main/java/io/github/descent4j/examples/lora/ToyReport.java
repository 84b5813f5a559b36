package io.github.descent4j.examples.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.core.sharpness.toy.BalancednessExperiment;
import io.github.descent4j.core.sharpness.toy.BalancednessTrajectory;
import io.github.descent4j.core.sharpness.toy.ToyMethod;
import io.github.descent4j.examples.report.ReportFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table, {@code summary.json} and plot of {@code ./descent4j lora --toy} (one {@link BalancednessTrajectory} per run). */
final class ToyReport {
    static final String SUMMARY = "summary.json";
    static final String PLOT = "toy-balancedness.png";

    /** How the grid was run (the parts not held by each trajectory). */
    record Settings(long steps, long seed, int recordEvery, double seconds) {}

    private ToyReport() {}

    static void printTable(List<BalancednessTrajectory> runs, PrintStream out) {
        out.printf(Locale.ROOT, "%-7s %-6s %5s %5s %12s %12s %16s%n", "problem", "method", "alpha", "rho", "firstB", "lastB",
                "|lastB|/|firstB|");
        for (BalancednessTrajectory r : runs) {
            out.printf(Locale.ROOT, "%-7s %-6s %5.1f %5s %12.6g %12.6g %16.4g%n", r.problem(), r.method(), r.alpha(),
                    r.method() == ToyMethod.SAM ? Double.toString(r.rho()) : "-", r.firstB(), r.lastB(), r.shrinkRatio());
        }
    }

    /**
     * The issue's shape, {@code {"task":"lora", "methods":{}, "toy":[{problem, method, alpha, firstB, lastB}, ...]}},
     * each toy entry with more fields (rho, shrinkRatio, finalLoss, the recorded B) and the protocol in {@code toySettings}.
     */
    static ObjectNode summary(List<BalancednessTrajectory> runs, Settings settings) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("task", "lora");
        root.putObject("methods");
        ArrayNode toy = root.putArray("toy");
        for (BalancednessTrajectory r : runs) {
            ObjectNode node = toy.addObject();
            node.put("problem", r.problem());
            node.put("method", r.method().name());
            node.put("alpha", r.alpha());
            node.put("firstB", r.firstB());
            node.put("lastB", r.lastB());
            if (r.method() == ToyMethod.SAM) {
                node.put("rho", r.rho());
            }
            node.put("shrinkRatio", r.shrinkRatio());
            node.put("finalLoss", r.finalLoss());
            ArrayNode b = node.putArray("B");
            for (double v : r.series()) {
                b.add(v);
            }
        }
        ObjectNode s = root.putObject("toySettings");
        s.put("source", "Li, Zhang, He (NeurIPS 2024), Appendix A.4");
        s.put("learningRate", BalancednessExperiment.PAPER_LEARNING_RATE);
        s.put("steps", settings.steps());
        s.put("seed", settings.seed());
        s.put("recordEvery", settings.recordEvery());
        ArrayNode x0 = s.putArray("x0");
        for (double v : BalancednessExperiment.paperX0()) {
            x0.add(v);
        }
        ArrayNode y0 = s.putArray("y0");
        for (double v : BalancednessExperiment.paperY0()) {
            y0.add(v);
        }
        ArrayNode recordedSteps = s.putArray("recordedSteps");
        if (!runs.isEmpty()) {
            for (int i = 0; i < runs.get(0).series().length; i++) {
                recordedSteps.add(runs.get(0).stepOf(i));
            }
        }
        s.put("seconds", Math.round(settings.seconds() * 100) / 100.0);
        return root;
    }

    static void writePlot(List<BalancednessTrajectory> runs, Settings settings, Path dir) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (String problem : List.of("NOP", "OP")) {
            charts.add(chart(problem, runs, settings));
        }
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), dir.resolve(PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * |B| over the steps of every run of one problem, SGD dashed; the axis is logarithmic when |B| spans more than two
     * decades (OP under SAM reaches 1e-5) and every value is positive.
     */
    private static XYChart chart(String problem, List<BalancednessTrajectory> runs, Settings settings) {
        XYChart chart = new XYChartBuilder().width(700).height(550)
                .title(String.format(Locale.ROOT, "%s: |B| under SGD and SAM (lr %s, seed %d)", problem,
                        BalancednessExperiment.PAPER_LEARNING_RATE, settings.seed()))
                .xAxisTitle("step").yAxisTitle("|B| = |(|x|^2 - |y|^2) / 2|").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisDecimalPattern("#");
        double min = Double.POSITIVE_INFINITY;
        double max = 0.0;
        for (BalancednessTrajectory r : runs) {
            if (!r.problem().equals(problem)) {
                continue;
            }
            double[] b = r.series();
            double[] steps = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                steps[i] = r.stepOf(i);
                b[i] = Math.abs(b[i]);
                min = Math.min(min, b[i]);
                max = Math.max(max, b[i]);
            }
            String name = r.method() + (r.method() == ToyMethod.SAM ? " rho " + r.rho() : "") + ", alpha " + r.alpha();
            var series = chart.addSeries(name, steps, b);
            series.setMarker(SeriesMarkers.NONE);
            if (r.method() == ToyMethod.SGD) {
                series.setLineStyle(SeriesLines.DASH_DASH);
            }
        }
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min > 100);
        return chart;
    }
}
