package io.github.descent4j.examples.imbalance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.core.training.LossTrajectory;
import io.github.descent4j.examples.report.ReportFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the imbalance experiment's {@code summary.json}, its two plots (loss per frequency group over steps,
 * one panel per optimiser, as in Kunstner et al.'s figures; overall loss of every optimiser on one chart)
 * and the compact console table.
 */
final class ImbalanceReport {
    static final String SUMMARY = "summary.json";
    static final String GROUP_PLOT = "group-loss.png";
    static final String OVERALL_PLOT = "overall-loss.png";

    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 320;

    private ImbalanceReport() {}

    /** A learning rate in compact scientific notation, e.g. {@code 1e-03}. */
    static String rate(double lr) {
        return String.format(Locale.ROOT, "%.0e", lr);
    }

    static ObjectNode summary(ImbalanceExperiment.Result result) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("task", "imbalance");
        root.put("dataset", result.dataset());
        root.put("groups", result.groupClasses().length);
        root.put("classes", result.classes());
        root.put("examples", result.examples());
        root.put("evaluatedExamples", result.evaluated());
        root.put("features", result.features());
        root.put("steps", result.settings().steps());
        root.put("batch", result.settings().batch() == 0 ? "full" : Integer.toString(result.settings().batch()));
        root.put("seed", result.settings().seed());
        ArrayNode groupClasses = root.putArray("groupClassCounts");
        ArrayNode groupExamples = root.putArray("groupExampleCounts");
        for (int g = 0; g < result.groupClasses().length; g++) {
            groupClasses.add(result.groupClasses()[g].length);
            groupExamples.add(result.groupExamples()[g]);
        }
        ObjectNode optimizers = root.putObject("optimizers");
        for (ImbalanceExperiment.OptimizerResult o : result.optimizers()) {
            ImbalanceExperiment.Run best = o.best();
            ObjectNode node = optimizers.putObject(o.name());
            node.put("learningRate", best.learningRate());
            node.put("optimizer", best.description());
            putLoss(node, "finalLoss", best.curve().finalLoss());
            if (Double.isNaN(best.accuracy())) {
                node.putNull("accuracy");
            } else {
                node.put("accuracy", best.accuracy());
            }
            node.put("diverged", best.diverged());
            ArrayNode groupLoss = node.putArray("groupLoss");
            for (double v : o.finalGroupLoss()) {
                addLoss(groupLoss, v);
            }
            ArrayNode curve = node.putArray("curve");
            for (LossTrajectory.Point p : best.curve().points()) {
                ArrayNode row = curve.addArray();
                row.add(p.step());
                addLoss(row, p.loss());
                for (double v : p.groupLosses()) {
                    addLoss(row, v);
                }
            }
            ArrayNode grid = node.putArray("grid");
            for (ImbalanceExperiment.Run run : o.grid()) {
                ObjectNode r = grid.addObject();
                r.put("learningRate", run.learningRate());
                putLoss(r, "score", run.score());
                r.put("diverged", run.diverged());
            }
        }
        root.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        return root;
    }

    /** JSON has no infinity: a diverged loss is written as null. */
    private static void putLoss(ObjectNode node, String field, double v) {
        if (Double.isFinite(v)) {
            node.put(field, v);
        } else {
            node.putNull(field);
        }
    }

    private static void addLoss(ArrayNode array, double v) {
        if (Double.isFinite(v)) {
            array.add(v);
        } else {
            array.addNull();
        }
    }

    static void write(ImbalanceExperiment.Result result, Path dir) throws IOException {
        ReportFiles.writeJson(dir, SUMMARY, summary(result));
        ImageIO.write(groupPanels(result), "png", dir.resolve(GROUP_PLOT).toFile());
        ReportFiles.writePng(dir, OVERALL_PLOT, overallChart(result));
    }

    private static double[] steps(LossTrajectory curve) {
        List<LossTrajectory.Point> points = curve.points();
        double[] x = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i).step();
        }
        return x;
    }

    /** A diverged loss is drawn at the chart's top instead of breaking the axis. */
    private static double plotted(double v, double cap) {
        return Double.isFinite(v) ? Math.min(v, cap) : cap;
    }

    private static BufferedImage groupPanels(ImbalanceExperiment.Result result) {
        List<ImbalanceExperiment.OptimizerResult> optimizers = result.optimizers();
        int columns = Math.min(3, optimizers.size());
        int rows = (optimizers.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        double cap = 1.5 * initialLoss(result);
        for (int k = 0; k < optimizers.size(); k++) {
            ImbalanceExperiment.OptimizerResult o = optimizers.get(k);
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title(o.name() + " (lr " + rate(o.best().learningRate()) + ")").xAxisTitle("step").yAxisTitle("training loss").build();
            chart.getStyler().setLegendVisible(k == 0);
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(cap);
            LossTrajectory curve = o.best().curve();
            double[] x = steps(curve);
            List<LossTrajectory.Point> points = curve.points();
            int groups = curve.groupCount();
            for (int gIndex = 0; gIndex < groups; gIndex++) {
                double[] y = new double[x.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = plotted(points.get(i).groupLoss(gIndex), cap);
                }
                String label = gIndex == 0 ? "group 1 (frequent)" : gIndex == groups - 1 ? "group " + groups + " (rare)" : "group " + (gIndex + 1);
                chart.addSeries(label, x, y).setMarker(SeriesMarkers.NONE).setLineColor(groupColor(gIndex, groups));
            }
            g.drawImage(BitmapEncoder.getBufferedImage(chart), (k % columns) * PANEL_WIDTH, (k / columns) * PANEL_HEIGHT, null);
        }
        g.dispose();
        return image;
    }

    /** Frequent groups dark blue, rare groups yellow, like a viridis ramp. */
    private static Color groupColor(int group, int groups) {
        float t = groups == 1 ? 0 : group / (float) (groups - 1);
        return new Color(0.27f + 0.72f * t, 0.00f + 0.9f * t, 0.33f - 0.2f * t);
    }

    private static double initialLoss(ImbalanceExperiment.Result result) {
        return result.optimizers().get(0).best().curve().first().loss();
    }

    private static XYChart overallChart(ImbalanceExperiment.Result result) {
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title("Overall training loss: " + result.dataset()).xAxisTitle("step").yAxisTitle("training loss").build();
        double cap = 1.5 * initialLoss(result);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(cap);
        for (ImbalanceExperiment.OptimizerResult o : result.optimizers()) {
            LossTrajectory curve = o.best().curve();
            List<LossTrajectory.Point> points = curve.points();
            double[] y = new double[points.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = plotted(points.get(i).loss(), cap);
            }
            chart.addSeries(o.name() + " (" + rate(o.best().learningRate()) + ")", steps(curve), y).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    static void printTable(ImbalanceExperiment.Result result, PrintStream out) {
        int groups = result.groupClasses().length;
        out.printf("%-22s %-7s %10s %9s   loss per frequency group (%d groups, most frequent -> rarest)%n",
                "optimizer", "lr", "final loss", "accuracy", groups);
        for (ImbalanceExperiment.OptimizerResult o : result.optimizers()) {
            StringBuilder groupText = new StringBuilder();
            for (double v : o.finalGroupLoss()) {
                groupText.append(String.format(Locale.ROOT, " %6.3f", v));
            }
            ImbalanceExperiment.Run best = o.best();
            out.printf(Locale.ROOT, "%-22s %-7s %10s %9s  %s%n", o.name(), rate(best.learningRate()),
                    best.diverged() ? "diverged" : String.format(Locale.ROOT, "%.4f", best.curve().finalLoss()),
                    Double.isNaN(best.accuracy()) ? "-" : String.format(Locale.ROOT, "%.3f", best.accuracy()), groupText);
        }
    }
}
