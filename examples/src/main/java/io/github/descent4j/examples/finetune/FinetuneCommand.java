package io.github.descent4j.examples.finetune;

import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import io.github.descent4j.examples.report.ReportFiles;
import io.github.descent4j.examples.report.SeedStatistics;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.github.descent4j.examples.report.SeedStatistics.mean;

/**
 * {@code ./descent4j finetune}: how much a DL4J network forgets of digits 0–4 while fine-tuned on 5–9, with a
 * flat learning rate, a layer-wise decay distribution and Selective Projection Decay ({@link FinetuneExperiment}).
 */
public final class FinetuneCommand {
    static final String SUMMARY = "summary.json";
    static final String PLOT = "forgetting.png";

    private FinetuneCommand() {}

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j finetune [--seeds N] [--decay D] [--spd-lambda L] [--target ACC] [--out DIR] [options]",
                "",
                "  Pre-trains a DL4J MLP 64-64-64-64-10 on digits 0-4, then fine-tunes copies on 5-9 only (Adam, via",
                "  TransferLearning) with a flat learning rate, a layer-wise decay distribution and Selective Projection",
                "  Decay, each until the same 5-9 training accuracy, and reports how much of 0-4 each keeps.",
                "  Writes DIR/summary.json and DIR/forgetting.png and prints a table.",
                "",
                "  --data FILE          digits CSV without header, 64 pixel columns (0-16) and the label last",
                "                       (default: the embedded UCI digits, 1797 images)",
                "  --seeds N            seeds (splits and initialisations) to average over (default 3)",
                "  --decay D            layer-wise decay factor in (0, 1] (default 0.5)",
                "  --spd-lambda L       SPD strength >= 0 (default 10)",
                "  --target ACC         fine-tune until 5-9 training accuracy reaches ACC in (0, 1] (default 0.97)",
                "  --lr R               fine-tuning learning rate of Adam (default 1e-3)",
                "  --pretrain-epochs N  epochs on 0-4 (default 30)",
                "  --max-epochs N       cap on fine-tuning epochs (default 60)",
                "  --out DIR            output directory (default descent4j-out/finetune)",
                "",
                "  ./descent4j finetune --search [options] searches the per-layer distribution instead (--search --help).",
                "");
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (java.util.Arrays.asList(args).contains("--search")) {
            return FinetuneSearchCommand.run(args, out);
        }
        Path data = null;
        int seeds = 3;
        double decay = 0.5;
        double lambda = 10.0;
        double target = 0.97;
        double lr = 1e-3;
        int pretrainEpochs = 30;
        int maxEpochs = 60;
        Path outDir = Paths.get("descent4j-out", "finetune");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--data" -> data = Paths.get(Cli.value(args, ++i, option));
                case "--seeds" -> seeds = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--decay" -> decay = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, true);
                case "--spd-lambda" -> lambda = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, true, Double.MAX_VALUE, true);
                case "--target" -> target = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, 1, true);
                case "--lr" -> lr = Cli.doubleIn(Cli.value(args, ++i, option), option, 0, false, Double.MAX_VALUE, true);
                case "--pretrain-epochs" -> pretrainEpochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--max-epochs" -> maxEpochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j finetune --help");
            }
        }
        LabelledData digits = load(data);
        var settings = new FinetuneExperiment.Settings(seeds, pretrainEpochs, maxEpochs, target, lr, decay, lambda);
        out.printf(Locale.ROOT, "finetune: %s, %d seeds; pre-train on 0-4 for %d epochs, fine-tune on 5-9 with Adam %.0e"
                        + " until 5-9 training accuracy >= %.2f (max %d epochs)%n", data == null ? "UCI digits (embedded)" : data,
                seeds, pretrainEpochs, lr, target, maxEpochs);
        FinetuneExperiment.Result result = FinetuneExperiment.run(digits, settings, out);
        out.println();
        printTable(result, out);
        ReportFiles.write(outDir, dir -> write(result, dir));
        out.printf("%nwrote %s and %s in %s%n", SUMMARY, PLOT, outDir);
        return 0;
    }

    static LabelledData load(Path data) {
        try {
            LabelledData digits;
            if (data == null) {
                digits = EmbeddedData.digits();
            } else {
                if (!Files.isRegularFile(data)) {
                    throw new UsageException("data file " + data + " does not exist");
                }
                digits = DataFiles.readHeaderless(data);
            }
            if (digits.dimension() != 64 || digits.classCount() != DigitsTraining.CLASSES) {
                throw new UsageException("digits data must have 64 pixel columns and labels 0-9, got " + digits.dimension()
                        + " columns and " + digits.classCount() + " classes");
            }
            return digits;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String meanSd(List<? extends Number> values) {
        return SeedStatistics.meanSd(values, 3);
    }

    static void printTable(FinetuneExperiment.Result result, PrintStream out) {
        out.printf(Locale.ROOT, "pre-trained 0-4 test accuracy %s%n", meanSd(result.pretrainedOldAccuracy()));
        out.printf(Locale.ROOT, "%-22s %7s %14s %18s %20s%n", "method", "epochs", "5-9 test acc", "0-4 acc (10-way)",
                "0-4 acc (among 0-4)");
        for (FinetuneExperiment.MethodResult m : result.methods()) {
            out.printf(Locale.ROOT, "%-22s %7.1f %14s %18s %20s%n", m.name(), mean(m.epochs()),
                    meanSd(m.newAccuracy()), meanSd(m.oldAccuracyTenWay()), meanSd(m.oldAccuracyAmongOld()));
        }
    }

    static void write(FinetuneExperiment.Result result, Path dir) throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", "finetune");
        FinetuneExperiment.Settings s = result.settings();
        root.put("seeds", s.seeds());
        root.put("targetNewAccuracy", s.target());
        root.put("learningRate", s.learningRate());
        root.put("pretrainedOldAccuracy", mean(result.pretrainedOldAccuracy()));
        ObjectNode methods = root.putObject("methods");
        for (FinetuneExperiment.MethodResult m : result.methods()) {
            ObjectNode node = methods.putObject(m.name());
            node.put("epochs", mean(m.epochs()));
            node.put("newAccuracy", mean(m.newAccuracy()));
            node.put("oldAccuracyTenWay", mean(m.oldAccuracyTenWay()));
            node.put("oldAccuracyAmongOld", mean(m.oldAccuracyAmongOld()));
            ArrayNode perSeed = node.putArray("oldAccuracyAmongOldPerSeed");
            m.oldAccuracyAmongOld().forEach(perSeed::add);
        }
        ReportFiles.writeJson(dir, SUMMARY, root);

        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title("Fine-tuning on digits 5-9: accuracy kept on 0-4").yAxisTitle("test accuracy").build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        List<String> names = new ArrayList<>();
        List<Double> newAcc = new ArrayList<>();
        List<Double> oldAmong = new ArrayList<>();
        List<Double> oldTen = new ArrayList<>();
        for (FinetuneExperiment.MethodResult m : result.methods()) {
            names.add(m.name());
            newAcc.add(mean(m.newAccuracy()));
            oldAmong.add(mean(m.oldAccuracyAmongOld()));
            oldTen.add(mean(m.oldAccuracyTenWay()));
        }
        chart.addSeries("5-9 (new task)", names, newAcc);
        chart.addSeries("0-4 among 0-4 (kept)", names, oldAmong);
        chart.addSeries("0-4 10-way", names, oldTen);
        ReportFiles.writePng(dir, PLOT, chart);
    }
}
