package io.github.descent4j.benchmarks;

import io.github.descent4j.datasets.NextWordDataset;
import io.github.descent4j.datasets.SparseLabelledData;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.objectives.LogMulticlass;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * descent4j's side of the PyTorch peer comparison ({@code benchmarks/peers/run-nextword.sh}): full-batch next-word
 * prediction on {@code tinyshakespeare.txt} (the first 20,000 examples, V = 1000 so 1001 classes, one-hot previous
 * word), a linear softmax model with bias trained by descent4j's {@link Adam} (lr 10⁻³) for 100 full-batch steps
 * with {@link LinearClassificationTrainer#fullBatch}, in double precision. Prints the median milliseconds per step
 * over {@code --repeats} runs (after one warm-up run), training only (the data is built once, before).
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.NextWordFullBatch \
 *       [--data ../shared/data] [--examples 20000] [--steps 100] [--repeats 3] [--threads 1] [--export examples.csv]
 * </pre>
 * {@code --export} writes the examples for the PyTorch script as Tribuo's model sees them, so both sides train on
 * exactly the same problem: a header {@code features=F classes=C}, then one {@code feature,label} line per example
 * in Tribuo's own feature and output ids. Tribuo keeps only the words that occur (818 of the 1001 classes and
 * features in the first 20,000 examples), so the model is C × F plus a bias, not 1001 × 1001.
 */
public final class NextWordFullBatch {
    private NextWordFullBatch() {}

    private static void export(Dataset<Label> dataset, Path file) throws IOException {
        var features = dataset.getFeatureIDMap();
        var outputs = dataset.getOutputIDInfo();
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("features=" + features.size() + " classes=" + outputs.size() + "\n");
            for (Example<Label> example : dataset) {
                if (example.size() != 1) {
                    throw new IllegalStateException("expected one active feature per example, got " + example.size());
                }
                String feature = example.iterator().next().getName();
                out.write(features.get(feature).getID() + "," + outputs.getID(example.getOutput()) + "\n");
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path data = Files.isDirectory(Path.of("../shared/data")) ? Path.of("../shared/data") : Path.of("shared/data");
        int examples = 20_000, steps = 100, repeats = 3, threads = 1;
        Path export = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--examples" -> examples = Integer.parseInt(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--export" -> export = Path.of(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs: --name value");
        }
        SparseLabelledData words = NextWordDataset.fromFile(data.resolve("tinyshakespeare.txt"), 1000, 1, examples).data();
        Quiet.logs();
        Dataset<Label> dataset = TribuoDatasets.classification(words, "tinyshakespeare.txt");
        if (export != null) {
            export(dataset, export);
        }
        double[] msPerStep = new double[repeats];
        double loss = Double.NaN;
        for (int r = -1; r < repeats; r++) {
            LinearClassificationTrainer trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(1e-3), steps, 1L);
            trainer.setThreads(threads);
            long start = System.nanoTime();
            Model<Label> model = trainer.train(dataset);
            double ms = (System.nanoTime() - start) / 1e6 / steps;
            if (r >= 0) {
                msPerStep[r] = ms;
                loss = TribuoEndToEndBenchmark.meanLogLoss(model, dataset);
            }
        }
        double[] sorted = msPerStep.clone();
        Arrays.sort(sorted);
        System.out.printf("descent4j float64 threads=%d examples=%d features=%d classes=%d steps=%d: median %.2f ms/step (min %.2f, max %.2f over %d runs), "
                        + "final train loss %.5f, JDK %s%n", threads, dataset.size(), dataset.getFeatureMap().size(),
                dataset.getOutputInfo().size(), steps,
                TribuoEndToEndBenchmark.median(msPerStep), sorted[0], sorted[sorted.length - 1], repeats, loss,
                System.getProperty("java.version"));
    }
}
