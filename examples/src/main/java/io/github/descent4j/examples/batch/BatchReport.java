package io.github.descent4j.examples.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.report.ReportFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The table, {@code summary.json} and batch-size chart of {@code ./descent4j batch} ({@link BatchExperiment.Result}). */
final class BatchReport {
    static final String SUMMARY = "summary.json";
    static final String PLOT = "batch-size.png";

    private BatchReport() {}

    static ObjectNode summary(BatchExperiment.Result result) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        BatchExperiment.Settings s = result.settings();
        root.put("task", "batch");
        root.put("dataset", result.dataset());
        root.put("accuracyOn", result.accuracyOn());
        root.put("trainExamples", result.trainSize());
        root.put("evaluatedExamples", result.evalSize());
        root.put("features", result.features());
        root.put("classes", result.classes());
        root.put("epochs", s.epochs());
        root.put("b0", s.b0());
        root.put("maxBatch", s.maxBatch());
        root.put("target", s.target());
        root.put("eta", s.eta());
        root.put("theta", s.theta());
        root.put("nu", s.nu());
        root.put("seed", s.seed());
        ArrayNode seeds = root.putArray("seeds");
        result.seeds().forEach(r -> seeds.add(r.seed()));
        root.put("tuned", result.grid() != null);
        if (result.grid() != null) {
            BatchExperiment.Grid g = result.grid();
            ObjectNode grid = root.putObject("grid");
            values(grid.putArray("adaGradNormLearningRates"), g.adaGradNormRates());
            values(grid.putArray("adaGradLearningRates"), g.adaGradRates());
            values(grid.putArray("eta"), g.etas());
            values(grid.putArray("theta"), g.thetas());
            values(grid.putArray("nu"), g.nus());
            root.put("selection", result.selection().name().toLowerCase(Locale.ROOT));
            root.put("tolerancePoints", 100 * result.tolerance());
        }
        ArrayNode runs = root.putArray("runs");
        for (BatchExperiment.SeedResult seed : result.seeds()) {
            for (BatchExperiment.Run r : seed.runs()) {
                ObjectNode node = runs.addObject();
                config(node, r);
                node.put("description", r.description());
                node.put("steps", r.steps());
                node.put("examples", r.examples());
                if (r.stepsToTarget() < 0) {
                    node.putNull("stepsToTarget");
                    node.putNull("examplesToTarget");
                } else {
                    node.put("stepsToTarget", r.stepsToTarget());
                    node.put("examplesToTarget", r.examplesToTarget());
                }
                node.put("finalAccuracy", r.finalAccuracy());
                node.put("finalLoss", r.finalLoss());
                node.put("bestAccuracy", r.bestAccuracy());
                node.put("finalBatchSize", r.finalBatchSize());
                ArrayNode changes = node.putArray("batchSizeChanges");
                for (int[] c : r.batchChanges()) {
                    changes.addArray().add(c[0]).add(c[1]);
                }
                node.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            }
        }
        ArrayNode means = root.putArray("means");
        for (BatchExperiment.Mean m : BatchExperiment.means(result)) {
            ObjectNode node = means.addObject();
            node.put("name", m.name());
            node.put("parameters", m.parameters());
            node.put("steps", m.steps());
            node.put("examples", m.examples());
            node.put("seedsReachingTarget", m.reachedTarget());
            putFinite(node, "stepsToTarget", m.stepsToTarget());
            putFinite(node, "examplesToTarget", m.examplesToTarget());
            node.put("accuracy", m.accuracy());
            node.put("accuracySd", m.accuracySd());
            node.put("finalBatchSize", m.finalBatchSize());
            if (m.schedule() != BatchExperiment.Schedule.CONSTANT) {
                node.put("stepRatio", m.stepRatio());
                node.put("accuracyDeltaPoints", m.accuracyDeltaPoints());
                node.put("meetsTarget", m.meetsTarget(BatchCommand.TARGET_STEP_RATIO, BatchCommand.TARGET_ACCURACY_LOSS_POINTS));
            }
        }
        ArrayNode tuning = root.putArray("tuning");
        for (BatchExperiment.SeedResult seed : result.seeds()) {
            for (BatchExperiment.Run r : seed.tuning()) {
                ObjectNode node = tuning.addObject();
                config(node, r);
                node.put("steps", r.steps());
                node.put("tuningAccuracy", r.finalAccuracy());
                node.put("tuningLoss", r.finalLoss());
                node.put("finalBatchSize", r.finalBatchSize());
            }
        }
        root.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        return root;
    }

    private static void config(ObjectNode node, BatchExperiment.Run r) {
        BatchExperiment.Config c = r.config();
        node.put("seed", r.seed());
        node.put("optimizer", c.optimiser());
        node.put("schedule", c.schedule().name().toLowerCase(Locale.ROOT));
        node.put("learningRate", c.learningRate());
        putFinite(node, "eta", c.eta());
        putFinite(node, "theta", c.theta());
        putFinite(node, "nu", c.nu());
    }

    /** JSON has no NaN: a number the run does not have is null. */
    private static void putFinite(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void values(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }

    static void write(BatchExperiment.Result result, Path dir) throws IOException {
        ReportFiles.writeJson(dir, SUMMARY, summary(result));
        ReportFiles.writePng(dir, PLOT, chart(result));
    }

    /** Batch size against step as a step function through the recorded changes, both axes logarithmic. */
    private static XYChart chart(BatchExperiment.Result result) {
        XYChart chart = new XYChartBuilder().width(900).height(550)
                .title("Batch size per step: " + result.dataset() + (result.grid() != null ? ", tuned" : "")
                        + (result.seeds().size() > 1 ? ", seed " + result.seeds().get(0).seed() : "")).xAxisTitle("optimiser step").yAxisTitle("batch size").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (BatchExperiment.Run r : result.runs()) {
            List<int[]> changes = r.batchChanges();
            if (changes.isEmpty()) {
                continue;
            }
            double[] x = new double[2 * changes.size()];
            double[] y = new double[x.length];
            for (int i = 0; i < changes.size(); i++) {
                long end = i + 1 < changes.size() ? changes.get(i + 1)[0] : Math.max(r.steps(), changes.get(i)[0]);
                x[2 * i] = changes.get(i)[0];
                y[2 * i] = changes.get(i)[1];
                x[2 * i + 1] = end;
                y[2 * i + 1] = changes.get(i)[1];
            }
            chart.addSeries(r.name() + " (" + r.steps() + " steps)", x, y).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /**
     * Means over seeds (one seed: that run) of every optimiser &times; schedule, with each test's step ratio and
     * accuracy change against its optimiser's constant batch and whether that meets the seed's target.
     */
    static void printTable(BatchExperiment.Result result, PrintStream out) {
        int n = result.seeds().size();
        String accuracyFormat = n > 1 ? "%15s" : "%9s";
        out.printf(Locale.ROOT, "%-28s %7s %9s %12s %15s " + accuracyFormat + " %11s %8s %7s %6s  %s%n", "optimizer / schedule", "steps", "examples",
                "steps@" + String.format(Locale.ROOT, "%.3f", result.settings().target()), "examples@target",
                result.accuracyOn() + " acc", "final batch", "x fewer", "Δ acc", "target", "parameters");
        for (BatchExperiment.Mean m : BatchExperiment.means(result)) {
            boolean constant = m.schedule() == BatchExperiment.Schedule.CONSTANT;
            String reached = m.reachedTarget() == n ? "" : " (" + m.reachedTarget() + "/" + n + ")";
            out.printf(Locale.ROOT, "%-28s %7.0f %9.0f %12s %15s " + accuracyFormat + " %11.0f %8s %7s %6s  %s%n", m.name(),
                    m.steps(), m.examples(),
                    m.reachedTarget() == 0 ? "never" : String.format(Locale.ROOT, "%.0f", m.stepsToTarget()) + reached,
                    m.reachedTarget() == 0 ? "never" : String.format(Locale.ROOT, "%.0f", m.examplesToTarget()),
                    n > 1 ? String.format(Locale.ROOT, "%.4f ± %.4f", m.accuracy(), m.accuracySd())
                            : String.format(Locale.ROOT, "%.4f", m.accuracy()), m.finalBatchSize(),
                    constant ? "" : String.format(Locale.ROOT, "%.1f", m.stepRatio()),
                    constant ? "" : String.format(Locale.ROOT, "%+.2f", m.accuracyDeltaPoints()),
                    constant ? "" : m.meetsTarget(BatchCommand.TARGET_STEP_RATIO, BatchCommand.TARGET_ACCURACY_LOSS_POINTS) ? "met" : "missed",
                    m.parameters());
        }
        if (n > 1) {
            out.printf(Locale.ROOT, "means over %d seeds %s (accuracy ± sd); steps@target averages the seeds that reached it (count)"
                    + "%n", n, result.seeds().stream().map(r -> Long.toString(r.seed())).toList());
        }
        out.printf(Locale.ROOT, "target: >= %.0fx fewer steps than the constant batch at <= %.1f points lower accuracy%n",
                BatchCommand.TARGET_STEP_RATIO, BatchCommand.TARGET_ACCURACY_LOSS_POINTS);
    }
}
