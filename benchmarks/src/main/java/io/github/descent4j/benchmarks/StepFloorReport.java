package io.github.descent4j.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs a per-step floor benchmark through JMH and prints one markdown table per size: each optimiser's time, its
 * floor's time from the same run, and the ratios (issue 16).
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.StepFloorReport tribuo [JMH options]
 *   java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.StepFloorReport dl4j [JMH options]
 * </pre>
 * {@code tribuo}: {@link TribuoStepFloorBenchmark} at 1000×1000 and 250×250, ratio to the floor (target ≤ 1.3)
 * and to Tribuo's AdaGrad. {@code dl4j}: {@link Dl4jUpdaterStepBenchmark} on 10⁶ floats, ratio to the native
 * copy floor {@code copy-k} (target ≤ 2.5 on JDK 17), to the Java chunk floor {@code java-k} and the staging
 * floor {@code stage-k}. JMH options (e.g. {@code -f 1 -wi 1 -i 2 -w 1s -r 1s}, {@code -p size=250}) pass
 * through; the JDK is whichever {@code java} runs this.
 */
public final class StepFloorReport {
    private StepFloorReport() {}

    /** The floors (native copy, Java chunks, Java staging) of each DL4J updater: arrays it reads and writes. */
    static int dl4jArrays(String updater) {
        return switch (updater) {
            case "Sgd-native", "SignSGD", "AdaGradNorm", "NormalizedSGD" -> 1;   // g (the norm rules: + a norm pass)
            case "SignSGD-momentum", "Signum", "Lion" -> 2;                       // g, m
            case "Adam-native", "Adam", "AdamW", "SPD-Adam-native", "SPD-Adam-native-nocache" -> 3;   // g, m, v (+θ, θ₀ read)
            default -> throw new IllegalArgumentException(updater);
        };
    }

    private static final List<String> DL4J_UPDATERS = List.of("Adam-native", "Sgd-native", "SignSGD", "SignSGD-momentum",
            "Lion", "AdaGradNorm", "Adam", "AdamW", "SPD-Adam-native", "SPD-Adam-native-nocache");

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("tribuo") || args[0].equals("dl4j"))) {
            System.err.println("usage: StepFloorReport tribuo|dl4j [JMH options]");
            System.exit(2);
        }
        boolean tribuo = args[0].equals("tribuo");
        String[] jmhArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(new CommandLineOptions(jmhArgs));
        if (tribuo) {
            builder.include(TribuoStepFloorBenchmark.class.getName() + ".step");
        } else {
            builder.include(Dl4jUpdaterStepBenchmark.class.getName() + ".step");
            if (!hasParam(jmhArgs, "updater")) {
                List<String> all = new ArrayList<>(DL4J_UPDATERS);
                for (int k = 1; k <= 3; k++) {
                    all.add("copy-" + k);
                    all.add("java-" + k);
                    all.add("stage-" + k);
                }
                builder.param("updater", all.toArray(new String[0]));
            }
        }
        Options options = builder.build();
        Collection<RunResult> results = new Runner(options).run();
        String environment = "JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + "), OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", " + Runtime.getRuntime().availableProcessors()
                + " processors";
        System.out.println();
        System.out.println("<!-- " + environment + "; args: " + String.join(" ", args) + " -->");
        if (tribuo) {
            printTribuo(results, environment);
        } else {
            printDl4j(results, environment);
        }
    }

    private static boolean hasParam(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-p") && args[i + 1].startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    /** Score and error of each (size, name) result. */
    private record Score(double mean, double error) {
        String show() {
            return Double.isNaN(error) ? format(mean) : format(mean) + " ± " + format(error);
        }
    }

    private static Map<Integer, Map<String, Score>> bySize(Collection<RunResult> results, String nameParam) {
        Map<Integer, Map<String, Score>> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            int size = Integer.parseInt(r.getParams().getParam("size"));
            String name = r.getParams().getParam(nameParam);
            out.computeIfAbsent(size, s -> new LinkedHashMap<>())
                    .put(name, new Score(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
        }
        return out;
    }

    private static void printTribuo(Collection<RunResult> results, String environment) {
        for (Map.Entry<Integer, Map<String, Score>> e : bySize(results, "optimiser").entrySet()) {
            Map<String, Score> scores = e.getValue();
            Score adaGrad = scores.get("AdaGrad-Tribuo");
            System.out.println();
            System.out.println("Tribuo dense step, " + e.getKey() + "×" + e.getKey() + ", " + environment + " (µs/step)");
            System.out.println();
            System.out.println("| optimiser | µs/step | floor | floor µs | ratio to floor | ≤ 1.3? | ratio to Tribuo AdaGrad |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String name : new TreeSet<>(scores.keySet())) {
                if (name.startsWith("floor-") || name.startsWith("handwritten-") && !scores.containsKey(name)) {
                    continue;
                }
                String floor = TribuoStepFloorBenchmark.floorOf(name);
                Score f = scores.get(floor);
                Score s = scores.get(name);
                double ratio = f == null ? Double.NaN : s.mean() / f.mean();
                System.out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", name, s.show(), floor,
                        f == null ? "not run" : f.show(), ratio(ratio), Double.isNaN(ratio) ? "?" : ratio <= 1.3 ? "yes" : "no",
                        adaGrad == null ? "not run" : ratio(s.mean() / adaGrad.mean()));
            }
        }
    }

    private static void printDl4j(Collection<RunResult> results, String environment) {
        for (Map.Entry<Integer, Map<String, Score>> e : bySize(results, "updater").entrySet()) {
            Map<String, Score> scores = e.getValue();
            System.out.println();
            System.out.println("DL4J updater step on " + e.getKey() + " floats, " + environment + " (µs/step)");
            System.out.println();
            System.out.println("| updater | µs/step | k | copy-k µs | ratio to copy-k | ≤ 2.5? | java-k µs | ratio to java-k | stage-k µs | ratio to stage-k |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (String name : DL4J_UPDATERS) {
                Score s = scores.get(name);
                if (s == null) {
                    continue;
                }
                int k = dl4jArrays(name);
                Score copy = scores.get("copy-" + k);
                Score java = scores.get("java-" + k);
                Score stage = scores.get("stage-" + k);
                double toCopy = copy == null ? Double.NaN : s.mean() / copy.mean();
                System.out.printf("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", name, s.show(), k,
                        copy == null ? "-" : copy.show(), ratio(toCopy), Double.isNaN(toCopy) ? "?" : toCopy <= 2.5 ? "yes" : "no",
                        java == null ? "-" : java.show(), java == null ? "-" : ratio(s.mean() / java.mean()),
                        stage == null ? "-" : stage.show(), stage == null ? "-" : ratio(s.mean() / stage.mean()));
            }
            for (int k = 1; k <= 3; k++) {
                Score copy = scores.get("copy-" + k);
                Score java = scores.get("java-" + k);
                Score stage = scores.get("stage-" + k);
                if (copy != null && java != null && stage != null) {
                    System.out.printf("%nfloors k=%d: copy %s, java %s, stage %s µs; staging ÷ java chunks = %s, stage ÷ copy = %s%n",
                            k, copy.show(), java.show(), stage.show(), ratio(stage.mean() / java.mean()),
                            ratio(stage.mean() / copy.mean()));
                }
            }
        }
    }

    static String format(double v) {
        return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2f", v);
    }
}
