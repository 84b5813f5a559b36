package io.github.descent4j.examples.spark;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.examples.report.ReportFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./descent4j spark}: single machine vs DL4J's parameter averaging vs gradient sharing in {@code local[2]}, per
 * descent4j updater, on the embedded digits ({@link SparkComparison}); prints a table and writes DIR/summary.json.
 * It lives in its own module so that Spark stays out of the command-line jar; the {@code ./descent4j} script runs it
 * with Spark's Java 17 flags. Bad input prints one line on standard error and exits with code 2.
 */
public final class SparkCommand {
    static final String SUMMARY = "summary.json";

    private SparkCommand() {}

    public static void main(String[] args) {
        // DL4J and Spark log their set-up at INFO through SLF4J; the command prints its own progress.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
        System.exit(run(args, System.out, System.err));
    }

    static String usage(Set<String> keys) {
        return String.join("\n",
                "usage: ./descent4j spark [--epochs N] [--updaters a,b,...] [--out DIR]",
                "",
                "  Trains the digits MLP 64-48-10 (minibatches of 32) per updater on one machine, with DL4J's parameter",
                "  averaging (2 workers, every 10 steps, updater state carried) and with gradient sharing (fixed",
                "  threshold 1e-3) in Spark local[2], on the same minibatches; prints test accuracy and wall time.",
                "  Writes DIR/summary.json. Needs the Spark module: run it through ./descent4j, which builds it.",
                "",
                "  --epochs N         passes over the training data (default 8)",
                "  --updaters a,b,..  any of " + String.join(", ", keys) + " (default: all)",
                "  --out DIR          output directory (default descent4j-out/spark)",
                "  --help             this text",
                "");
    }

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return runOrThrow(args, out);
        } catch (UsageException e) {
            err.println("descent4j: " + e.getMessage());
            return 2;
        }
    }

    private static int runOrThrow(String[] args, PrintStream out) {
        Set<String> keys = SparkComparison.methods(List.of()).keySet();
        int epochs = 8;
        List<String> selected = new ArrayList<>(keys);
        Path outDir = Paths.get("descent4j-out", "spark");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> {
                    out.print(usage(keys));
                    return 0;
                }
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, option), option, 1);
                case "--updaters" -> selected = updaters(Cli.value(args, ++i, option), keys);
                case "--out" -> outDir = Paths.get(Cli.value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'; run ./descent4j spark --help");
            }
        }
        DataSet[] split = SparkComparison.split(EmbeddedData.digits());
        List<DataSet> batches = SparkComparison.batches(split[0]);
        Map<String, SparkComparison.Method> methods = SparkComparison.methods(batches);
        List<SparkComparison.Method> chosen = selected.stream().map(methods::get).toList();
        out.printf(Locale.ROOT, "spark: UCI digits (embedded), %d training / %d test examples, %d epochs of %d minibatches of %d;"
                        + " Spark local[2]%n", split[0].numExamples(), split[1].numExamples(), epochs, batches.size(),
                SparkComparison.BATCH);
        List<SparkComparison.Row> rows;
        JavaSparkContext sc = LocalCluster.start();
        try {
            rows = SparkComparison.run(sc, chosen, batches, split[1], epochs, out);
        } finally {
            sc.stop();
        }
        out.println();
        printTable(rows, out);
        int trainExamples = split[0].numExamples();
        int testExamples = split[1].numExamples();
        int epochCount = epochs;
        ReportFiles.write(outDir, dir -> write(rows, epochCount, trainExamples, testExamples, dir));
        out.printf("%nwrote %s in %s%n", SUMMARY, outDir);
        return 0;
    }

    /** The {@code --updaters} list: known keys (case-insensitive), each once, at least one. */
    static List<String> updaters(String text, Set<String> keys) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String key = part.trim().toLowerCase(Locale.ROOT);
            if (!keys.contains(key)) {
                throw new UsageException("--updaters: unknown updater '" + part.trim() + "'; choose from " + String.join(", ", keys));
            }
            if (!out.add(key)) {
                throw new UsageException("--updaters: '" + key + "' is listed twice");
            }
        }
        return new ArrayList<>(out);
    }

    static void printTable(List<SparkComparison.Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%-26s %18s %22s %20s%n", "updater", "one machine", "parameter averaging", "gradient sharing");
        for (SparkComparison.Row r : rows) {
            out.printf(Locale.ROOT, "%-26s %18s %22s %20s%n", r.method().name(), cell(r.single()), cell(r.averaging()), cell(r.sharing()));
        }
        out.println("test accuracy (wall time of the training); Spark's times include the job, the broadcasts and, for"
                + " gradient sharing, Aeron's set-up");
    }

    private static String cell(SparkComparison.Run run) {
        return String.format(Locale.ROOT, "%.3f (%.1f s)", run.accuracy(), run.seconds());
    }

    static void write(List<SparkComparison.Row> rows, int epochs, int trainExamples, int testExamples, Path dir) throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", "spark");
        root.put("master", "local[2]");
        root.put("epochs", epochs);
        root.put("minibatch", SparkComparison.BATCH);
        root.put("trainExamples", trainExamples);
        root.put("testExamples", testExamples);
        root.put("gradientSharingThreshold", SparkComparison.THRESHOLD);
        ObjectNode updaters = root.putObject("updaters");
        for (SparkComparison.Row r : rows) {
            ObjectNode node = updaters.putObject(r.method().key());
            node.put("name", r.method().name());
            put(node.putObject("singleMachine"), r.single());
            put(node.putObject("parameterAveraging"), r.averaging());
            put(node.putObject("gradientSharing"), r.sharing());
        }
        ReportFiles.writeJson(dir, SUMMARY, root);
    }

    private static void put(ObjectNode node, SparkComparison.Run run) {
        node.put("accuracy", run.accuracy());
        node.put("seconds", run.seconds());
    }
}
