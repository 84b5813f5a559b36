package io.github.descent4j.examples.sharpness;

import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.finetune.FinetuneCommand;
import io.github.descent4j.examples.finetune.FinetuneExperiment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./descent4j sharpness}: SAM and ASAM against their base optimiser under label noise, and nBAR / oBAR
 * against SGD and SAM on a scale-invariant low-rank layer, in DL4J on the digits ({@link SharpnessExperiment}).
 */
public final class SharpnessCommand {
    static final String SUMMARY = "summary.json";
    static final String NOISE_PLOT = "noise.png";
    static final String SHARPNESS_PLOT = "sharpness.png";
    static final String BALANCEDNESS_PLOT = "balancedness.png";
    static final int DEFAULT_EPOCHS = 20;
    static final int DEFAULT_SEEDS = 3;
    static final double DEFAULT_NOISE = 0.2;
    static final double DEFAULT_RHO = 0.05;
    static final double DEFAULT_ASAM_RHO = 0.5;
    static final double DEFAULT_ASAM_ETA = 0.01;
    static final double DEFAULT_ALPHA = 0.1;
    static final AlphaScheduleConfig.Kind DEFAULT_ALPHA_SCHEDULE = AlphaScheduleConfig.Kind.CONSTANT;
    static final int DEFAULT_RANK = 8;
    static final double DEFAULT_INIT_SCALE = 3.0;
    static final double[] DEFAULT_RADII = {2.0, 5.0};
    static final int DEFAULT_DIRECTIONS = 10;
    static final int DEFAULT_EVERY = 10;

    private SharpnessCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j sharpness [--epochs E] [--seeds N] [--noise F] [--rho R] [--asam-rho R] [--alpha A]",
                "                             [--out DIR] [options]",
                "",
                "  On the embedded digits (70/30 split per seed) with a fraction F of the TRAINING labels flipped to a",
                "  different class (test labels clean):",
                "  1. an MLP 64-" + SharpnessExperiment.HIDDEN + "-" + SharpnessExperiment.HIDDEN + "-10 (ReLU, softmax) trained with SGD + Nesterov momentum "
                        + SharpnessExperiment.MOMENTUM + " (lr " + SharpnessExperiment.NOISE_LR + ")",
                "     alone, with SAM and with ASAM; reports clean test accuracy, accuracy on the noisy training labels,",
                "     the share of flipped examples predicted as their wrong label, and a sharpness proxy: the mean",
                "     increase of the training loss when all weights move by a random Gaussian direction of norm r;",
                "  2. a low-rank MLP 64-r-" + SharpnessExperiment.FACTOR_HIDDEN + "-10 whose first two weight matrices (x, y) form a scale-invariant",
                "     pair (identity activation, no bias between them), initialised unbalanced (x times s, y divided by s),",
                "     trained with plain SGD (lr " + SharpnessExperiment.FACTOR_LR + "), SAM, nBAR and oBAR; records B = (|x|^2 - |y|^2)/2.",
                "  Every method of a seed starts from the same weights and sees the same minibatches ("
                        + SharpnessExperiment.BATCH + ").",
                "  Writes DIR/summary.json, DIR/noise.png, DIR/sharpness.png and DIR/balancedness.png and prints tables.",
                "",
                "  --epochs E          passes over the training data, every run, >= 1 (default " + DEFAULT_EPOCHS + ")",
                "  --seeds N           seeds 1..N (split, flips, initialisation, order), >= 1 (default " + DEFAULT_SEEDS + ")",
                "  --noise F           fraction of training labels flipped, in [0, 1) (default " + DEFAULT_NOISE + ")",
                "  --rho R             SAM radius, > 0 (default " + DEFAULT_RHO + ")",
                "  --asam-rho R        ASAM radius, > 0 (default " + DEFAULT_ASAM_RHO + ")",
                "  --asam-eta H        ASAM offset eta, >= 0 (default " + DEFAULT_ASAM_ETA + ")",
                "  --alpha A           BAR alpha_0, >= 0 (default " + DEFAULT_ALPHA + ")",
                "  --alpha-schedule S  constant|linear|cosine over all iterations (default "
                        + DEFAULT_ALPHA_SCHEDULE.name().toLowerCase(Locale.ROOT) + ")",
                "  --rank R            rank r of the factorised layer, in [1, 64] (default " + DEFAULT_RANK + ")",
                "  --init-scale S      initial imbalance factor s, >= 1 (default " + DEFAULT_INIT_SCALE + ")",
                "  --radius r[,r...]   norms of the sharpness proxy's weight perturbation, each > 0 (default "
                        + radii(DEFAULT_RADII) + ")",
                "  --directions K      random directions averaged by the proxy, >= 1 (default " + DEFAULT_DIRECTIONS + ")",
                "  --every K           record B every K iterations, >= 1 (default " + DEFAULT_EVERY + ")",
                "  --out DIR           output directory (default descent4j-out/sharpness)",
                "");
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int epochs = DEFAULT_EPOCHS;
        int seeds = DEFAULT_SEEDS;
        double noise = DEFAULT_NOISE;
        double rho = DEFAULT_RHO;
        double asamRho = DEFAULT_ASAM_RHO;
        double asamEta = DEFAULT_ASAM_ETA;
        double alpha = DEFAULT_ALPHA;
        AlphaScheduleConfig.Kind schedule = DEFAULT_ALPHA_SCHEDULE;
        int rank = DEFAULT_RANK;
        double initScale = DEFAULT_INIT_SCALE;
        double[] radii = DEFAULT_RADII;
        int directions = DEFAULT_DIRECTIONS;
        int every = DEFAULT_EVERY;
        Path outDir = Paths.get("descent4j-out", "sharpness");
        double inf = Double.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--seeds" -> seeds = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--noise" -> noise = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, 1, false);
                case "--rho" -> rho = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, inf, false);
                case "--asam-rho" -> asamRho = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, inf, false);
                case "--asam-eta" -> asamEta = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, inf, false);
                case "--alpha" -> alpha = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, inf, false);
                case "--alpha-schedule" -> schedule = alphaSchedule(Cli.value(args, ++i, option));
                case "--rank" -> {
                    rank = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                    if (rank > 64) {
                        throw new UsageException("--rank must be an integer in [1, 64], got " + rank);
                    }
                }
                case "--init-scale" -> initScale = Cli.doubleIn(Cli.value(args, ++i, option), option, 1, true, inf, false);
                case "--radius" -> radii = Cli.positiveDoubles(Cli.value(args, ++i, option), option);
                case "--directions" -> directions = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--every" -> every = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j sharpness --help");
            }
        }
        var settings = new SharpnessExperiment.Settings(epochs, seeds, noise, rho, asamRho, asamEta, alpha, schedule, rank,
                initScale, radii, directions, every);
        out.printf(Locale.ROOT, "sharpness: UCI digits (embedded), 70/30 split, %.0f%% of training labels flipped; %d epochs, "
                + "minibatch %d, %d seeds%n", 100 * noise, epochs, SharpnessExperiment.BATCH, seeds);
        SharpnessExperiment.Result result = SharpnessExperiment.run(EmbeddedData.digits(), settings, out);
        out.println();
        printTables(result, out);
        try {
            write(result, outDir);
        } catch (IOException e) {
            throw new UsageException("cannot write results to " + outDir + ": " + e.getMessage());
        }
        out.printf(Locale.ROOT, "%nwrote %s, %s, %s and %s in %s (%.0f s)%n", SUMMARY, NOISE_PLOT, SHARPNESS_PLOT,
                BALANCEDNESS_PLOT, outDir, result.seconds());
        return 0;
    }

    private static AlphaScheduleConfig.Kind alphaSchedule(String text) {
        for (AlphaScheduleConfig.Kind k : AlphaScheduleConfig.Kind.values()) {
            if (k.name().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new UsageException("--alpha-schedule must be constant, linear or cosine, got '" + text + "'");
    }

    private static String radii(double[] radii) {
        StringBuilder b = new StringBuilder();
        for (double r : radii) {
            b.append(b.length() == 0 ? "" : ",").append(r);
        }
        return b.toString();
    }

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
                    FinetuneCommand.meanSd(r.testAccuracy(), 3), FinetuneCommand.meanSd(r.noisyTrainAccuracy(), 3),
                    FinetuneCommand.meanSd(r.memorised(), 3), FinetuneCommand.meanSd(r.trainLoss(), 3)));
            for (List<Double> proxy : r.sharpness()) {
                row.append(String.format(Locale.ROOT, " %16s", FinetuneCommand.meanSd(proxy, 4)));
            }
            out.println(row);
        }
        out.println();
        out.printf(Locale.ROOT, "low-rank layer: MLP 64-%d-%d-10, (x, y) = (W0, W1) initialised x*%s, y/%s; SGD lr %s; "
                        + "|B| = |(|x|^2 - |y|^2)/2|; mean ± sd over %d seeds%n", s.rank(), SharpnessExperiment.FACTOR_HIDDEN,
                s.initScale(), s.initScale(), SharpnessExperiment.FACTOR_LR, s.seeds());
        out.printf(Locale.ROOT, "%-26s %14s %16s %16s%n", "method", "clean test acc", "initial |B|", "final |B|");
        for (SharpnessExperiment.FactorRun r : result.factor()) {
            out.printf(Locale.ROOT, "%-26s %14s %16s %16s%n", r.name(), FinetuneCommand.meanSd(r.testAccuracy(), 3),
                    FinetuneCommand.meanSd(r.initialAbsB(), 3), FinetuneCommand.meanSd(r.finalAbsB(), 3));
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
        node.put(name, FinetuneExperiment.mean(values));
        ArrayNode perSeed = node.putArray(name + "PerSeed");
        values.forEach(perSeed::add);
    }

    static void write(SharpnessExperiment.Result result, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(SUMMARY).toFile(), summary(result));
        BitmapEncoder.saveBitmap(noiseChart(result), dir.resolve(NOISE_PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(sharpnessChart(result), dir.resolve(SHARPNESS_PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(balancednessChart(result), dir.resolve(BALANCEDNESS_PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
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
            test.add(FinetuneExperiment.mean(r.testAccuracy()));
            train.add(FinetuneExperiment.mean(r.noisyTrainAccuracy()));
            memorised.add(FinetuneExperiment.mean(r.memorised()));
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
                values.add(FinetuneExperiment.mean(r.sharpness().get(k)));
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
