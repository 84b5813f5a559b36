package io.github.descent4j.benchmarks;

import io.github.descent4j.datasets.NextWordDataset;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.tribuo.Dataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How cost grows with size (issue 16), as log-log PNG plots with the fitted slope printed (a slope of 1 is linear):
 * <ul>
 *   <li>{@code docs/growth-dl4j-step.png}: one DL4J updater step against the block length, 10⁴ … 10⁷ floats, for
 *       SignSGD with momentum, AdaGradNorm and descent4j's Adam, with the native copy floors {@code copy-1..3}
 *       ({@link Dl4jUpdaterStepBenchmark} through JMH);</li>
 *   <li>{@code docs/growth-tribuo-examples.png}: one epoch of sparse next-word training (V = 1000, previous word,
 *       Adam, minibatch 1) against the number of examples, descent4j's trainer and Tribuo's;</li>
 *   <li>{@code docs/growth-tribuo-vocabulary.png}: the same epoch at 20,000 examples against the vocabulary size.</li>
 * </ul>
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.GrowthPlots [--quick] [--out docs]
 *       [--data ../shared/data] [--part dl4j|tribuo|all]
 * </pre>
 * {@code --quick} is a smoke run (JMH 1 × 1 s warm-up, 2 × 1 s measurement; one timed epoch per point, fewer
 * points); without it JMH uses 3 × 1 s and 5 × 1 s and each point is the median of 3 epochs after a warm-up.
 */
public final class GrowthPlots {
    private GrowthPlots() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Quiet.logs();
        boolean quick = false;
        Path out = Path.of("docs");
        Path data = Files.isDirectory(Path.of("../shared/data")) ? Path.of("../shared/data") : Path.of("shared/data");
        String part = "all";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--part" -> part = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        String env = "JDK " + System.getProperty("java.version") + ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
                + ", " + Runtime.getRuntime().availableProcessors() + " cores" + (quick ? ", quick run" : "");
        if (!part.equals("tribuo")) {
            dl4j(out, quick, env);
        }
        if (!part.equals("dl4j")) {
            tribuo(out, data, quick, env);
        }
    }

    private static void dl4j(Path out, boolean quick, String env) throws Exception {
        String[] jmh = quick ? new String[]{"-f", "1", "-wi", "1", "-i", "2", "-w", "1s", "-r", "1s"} : new String[0];
        List<String> updaters = List.of("SignSGD-momentum", "AdaGradNorm", "Adam", "copy-1", "copy-2", "copy-3");
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(new CommandLineOptions(jmh))
                .include(Dl4jUpdaterStepBenchmark.class.getName() + ".step")
                .param("updater", updaters.toArray(new String[0]))
                .param("size", "10000", "100000", "1000000", "10000000")
                .build()).run();
        Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
        for (String u : updaters) {
            series.put(u, new TreeMap<>());
        }
        for (RunResult r : results) {
            series.get(r.getParams().getParam("updater")).put(Double.parseDouble(r.getParams().getParam("size")),
                    r.getPrimaryResult().getScore());
        }
        plot(out.resolve("growth-dl4j-step.png"), "DL4J updater step vs block length", "floats in the block (" + env + ")",
                "µs per step", series);
    }

    private static void tribuo(Path out, Path data, boolean quick, String env) throws IOException {
        Path text = data.resolve("tinyshakespeare.txt");
        int[] examples = quick ? new int[]{5_000, 10_000, 20_000} : new int[]{5_000, 10_000, 20_000, 40_000, 80_000};
        int[] vocabularies = quick ? new int[]{250, 1000, 4000} : new int[]{250, 500, 1000, 2000, 4000};
        int repeats = quick ? 1 : 3;
        Map<String, TreeMap<Double, Double>> byExamples = new LinkedHashMap<>();
        for (int n : examples) {
            Dataset<Label> d = TribuoDatasets.classification(NextWordDataset.fromFile(text, 1000, 1, n).data(), "tinyshakespeare");
            epochs(d, repeats).forEach((trainer, seconds) -> byExamples.computeIfAbsent(trainer, k -> new TreeMap<>())
                    .put((double) n, seconds));
        }
        plot(out.resolve("growth-tribuo-examples.png"), "Tribuo epoch vs examples (next word, V=1000, Adam, batch 1)",
                "examples (" + env + ")", "seconds per epoch", byExamples);
        Map<String, TreeMap<Double, Double>> byVocabulary = new LinkedHashMap<>();
        for (int v : vocabularies) {
            Dataset<Label> d = TribuoDatasets.classification(NextWordDataset.fromFile(text, v, 1, 20_000).data(), "tinyshakespeare");
            epochs(d, repeats).forEach((trainer, seconds) -> byVocabulary.computeIfAbsent(trainer, k -> new TreeMap<>())
                    .put((double) v, seconds));
        }
        plot(out.resolve("growth-tribuo-vocabulary.png"), "Tribuo epoch vs vocabulary (20,000 examples, Adam, batch 1)",
                "vocabulary size V (" + env + ")", "seconds per epoch", byVocabulary);
    }

    /** Median seconds of one epoch for each trainer, after one unrecorded warm-up epoch. */
    private static Map<String, Double> epochs(Dataset<Label> data, int repeats) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int t = 0; t < 2; t++) {
            double[] seconds = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                Trainer<Label> trainer = t == 0 ? new LinearClassificationTrainer(new LogMulticlass(), new Adam(1e-3), 1, 1, 1L)
                        : new LinearSGDTrainer(new LogMulticlass(), new Adam(1e-3), 1, -1, 1, 1L);
                long start = System.nanoTime();
                trainer.train(data);
                if (r >= 0) {
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                }
            }
            out.put(t == 0 ? "descent4j LinearClassificationTrainer" : "Tribuo LinearSGDTrainer", TribuoEndToEndBenchmark.median(seconds));
        }
        return out;
    }

    /** Least-squares slope of log y against log x. */
    static double slope(TreeMap<Double, Double> points) {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var e : points.entrySet()) {
            double x = Math.log(e.getKey()), y = Math.log(e.getValue());
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    private static void plot(Path file, String title, String xLabel, String yLabel, Map<String, TreeMap<Double, Double>> series)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        System.out.println();
        System.out.println(title + " — " + xLabel);
        for (var e : series.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            double slope = slope(e.getValue());
            List<Double> xs = new ArrayList<>(e.getValue().keySet());
            List<Double> ys = new ArrayList<>(e.getValue().values());
            chart.addSeries(String.format("%s (slope %.2f)", e.getKey(), slope), xs, ys);
            StringBuilder points = new StringBuilder();
            e.getValue().forEach((x, y) -> points.append(String.format(" %.0f→%.4g", x, y)));
            System.out.printf("  %-40s log-log slope %.2f;%s%n", e.getKey(), slope, points);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("  wrote " + file);
    }
}
