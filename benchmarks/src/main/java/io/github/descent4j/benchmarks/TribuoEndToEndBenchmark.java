package io.github.descent4j.benchmarks;

import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.NextWordDataset;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * End-to-end Tribuo training time (issue 16): descent4j's {@link LinearClassificationTrainer} against Tribuo's own
 * {@link LinearSGDTrainer}, with the same optimiser (Tribuo's {@link AdaGrad} and descent4j's {@link Adam}), data,
 * epochs, minibatch size and seed, on (a) sparse next-word prediction ({@code tinyshakespeare.txt}, V = 1000,
 * previous word) and (b) the dense digits. Each configuration runs {@code --repeats} times after
 * {@code --warmup} unrecorded runs, the two trainers alternating; the table gives the median wall time per epoch of
 * {@code train()}, its spread (min–max), the median CPU time of the training thread per epoch (steadier on a shared
 * machine; both trainers train on the calling thread), and the final mean training log-loss of the trained model.
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.TribuoEndToEndBenchmark \
 *       [--workload nextword|digits|all] [--repeats 5] [--warmup 1] [--epochs 3] [--batch 1]
 *       [--max-examples N] [--data ../shared/data]
 * </pre>
 * With minibatch 1 both trainers take the same steps (descent4j averages a minibatch's gradient, Tribuo sums it,
 * which differs only for larger batches), so the final losses should agree closely.
 */
public final class TribuoEndToEndBenchmark {
    private TribuoEndToEndBenchmark() {}

    record Settings(String workload, int repeats, int warmup, int epochs, int batch, int maxExamples, Path data) {}

    record Result(String workload, String optimiser, String trainer, double[] secondsPerEpoch, double[] cpuSecondsPerEpoch,
                  double finalLoss, int examples) {}

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws IOException {
        Quiet.logs();
        Settings s = parse(args);
        List<Result> results = new ArrayList<>();
        for (String workload : s.workload().equals("all") ? List.of("nextword", "digits") : List.of(s.workload())) {
            Dataset<Label> data = load(workload, s);
            System.out.printf("# %s: %d examples, %d features, %d classes%n", workload, data.size(),
                    data.getFeatureMap().size(), data.getOutputInfo().size());
            results.addAll(run(workload, data, s));
        }
        print(results, s);
    }

    static Dataset<Label> load(String workload, Settings s) throws IOException {
        return switch (workload) {
            case "nextword" -> {
                Path text = s.data().resolve("tinyshakespeare.txt");
                NextWordDataset words = s.maxExamples() > 0 ? NextWordDataset.fromFile(text, 1000, 1, s.maxExamples())
                        : NextWordDataset.fromFile(text, 1000, 1);
                yield TribuoDatasets.classification(words.data(), text.toString());
            }
            case "digits" -> {
                var digits = DataFiles.readHeaderless(s.data().resolve("digits.csv.gz"));
                if (s.maxExamples() > 0 && s.maxExamples() < digits.size()) {
                    int[] rows = new int[s.maxExamples()];
                    Arrays.setAll(rows, i -> i);
                    digits = digits.select(rows);
                }
                yield TribuoDatasets.classification(digits, "digits.csv.gz", false);
            }
            default -> throw new IllegalArgumentException("--workload must be nextword, digits or all, got " + workload);
        };
    }

    private static List<Result> run(String workload, Dataset<Label> data, Settings s) {
        Map<String, Supplier<StochasticGradientOptimiser>> optimisers = new LinkedHashMap<>();
        optimisers.put("AdaGrad (Tribuo)", () -> new AdaGrad(0.1));
        optimisers.put("Adam (descent4j)", () -> new Adam(1e-3));
        List<Result> out = new ArrayList<>();
        for (var opt : optimisers.entrySet()) {
            double[][] times = new double[2][s.repeats()];
            double[][] cpu = new double[2][s.repeats()];
            double[] losses = new double[2];
            for (int r = -s.warmup(); r < s.repeats(); r++) {
                for (int j = 0; j < 2; j++) {
                    int t = (r & 1) == 0 ? j : 1 - j;   // alternate which trainer runs first
                    Trainer<Label> trainer = t == 0
                            ? new LinearClassificationTrainer(new LogMulticlass(), opt.getValue().get(), s.epochs(), s.batch(), 1L)
                            : new LinearSGDTrainer(new LogMulticlass(), opt.getValue().get(), s.epochs(), -1, s.batch(), 1L);
                    // a collection now, so no run pays for the garbage of the one before (or of the loss below)
                    System.gc();
                    long cpuStart = THREADS.getCurrentThreadCpuTime();
                    long start = System.nanoTime();
                    Model<Label> model = trainer.train(data);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
                    if (r >= 0) {
                        times[t][r] = seconds / s.epochs();
                        cpu[t][r] = cpuSeconds / s.epochs();
                        losses[t] = meanLogLoss(model, data);
                    }
                }
            }
            out.add(new Result(workload, opt.getKey(), "descent4j LinearClassificationTrainer", times[0], cpu[0], losses[0], data.size()));
            out.add(new Result(workload, opt.getKey(), "Tribuo LinearSGDTrainer", times[1], cpu[1], losses[1], data.size()));
        }
        return out;
    }

    /** Mean −log p(true label) of the model on {@code data}. */
    static double meanLogLoss(Model<Label> model, Dataset<Label> data) {
        double sum = 0;
        int n = 0;
        // one example at a time: predict(Dataset) would hold every prediction's score map at once (GBs here)
        for (Example<Label> example : data) {
            Prediction<Label> p = model.predict(example);
            Label truth = p.getExample().getOutput();
            Label scored = p.getOutputScores().get(truth.getLabel());
            double probability = scored == null ? 0 : scored.getScore();
            sum += -Math.log(Math.max(probability, 1e-300));
            n++;
        }
        return sum / n;
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        int n = c.length;
        return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private static void print(List<Result> results, Settings s) {
        System.out.println();
        System.out.printf("Tribuo end to end: %d epochs, minibatch %d, %d repeats after %d warm-up, JDK %s, OMP_NUM_THREADS=%s, "
                        + "%d processors%n%n", s.epochs(), s.batch(), s.repeats(), s.warmup(), System.getProperty("java.version"),
                System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
        System.out.println("| workload | optimiser | trainer | examples | median s/epoch | min–max | median CPU s/epoch | final train loss "
                + "| Tribuo ÷ descent4j (wall) | (CPU) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < results.size(); i += 2) {
            Result ours = results.get(i);
            Result theirs = results.get(i + 1);
            double speedUp = median(theirs.secondsPerEpoch()) / median(ours.secondsPerEpoch());
            double cpuSpeedUp = median(theirs.cpuSecondsPerEpoch()) / median(ours.cpuSecondsPerEpoch());
            for (Result r : List.of(ours, theirs)) {
                double[] c = r.secondsPerEpoch().clone();
                Arrays.sort(c);
                System.out.printf("| %s | %s | %s | %d | %.4g | %.4g–%.4g | %.4g | %.5f | %s | %s |%n", r.workload(), r.optimiser(),
                        r.trainer(), r.examples(), median(c), c[0], c[c.length - 1], median(r.cpuSecondsPerEpoch()), r.finalLoss(),
                        r == ours ? String.format("%.2f×", speedUp) : "", r == ours ? String.format("%.2f×", cpuSpeedUp) : "");
            }
        }
    }

    private static Settings parse(String[] args) {
        String workload = "all";
        int repeats = 5, warmup = 1, epochs = 3, batch = 1, maxExamples = 0;
        Path data = Path.of("../shared/data");
        if (!Files.isDirectory(data)) {
            data = Path.of("shared/data");
        }
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--workload" -> workload = value;
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--epochs" -> epochs = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--max-examples" -> maxExamples = Integer.parseInt(value);
                case "--data" -> data = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (repeats < 1 || warmup < 0 || epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("--repeats, --epochs and --batch must be >= 1 and --warmup >= 0");
        }
        return new Settings(workload, repeats, warmup, epochs, batch, maxExamples, data);
    }
}
