package io.github.descent4j.benchmarks;

import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The cost of the adaptive batch-size test in descent4j's Tribuo training loop (issue 6: "a test costs no
 * more than the step"): {@value #STEPS} steps of batch {@value #BATCH} of a linear softmax model on
 * digits-sized dense synthetic data ({@value #EXAMPLES} examples, {@value #FEATURES} features,
 * {@value #CLASSES} classes), AdaGrad-Norm, without the test ({@code plain}) and with the norm or augmented
 * test computed every step from the loop's closed forms. The test parameter is 10⁶, so the statistic stays
 * far below b and every step keeps batch 256 while still running the test (checked once in the set-up).
 * Besides wall time, the thread's CPU time per call is reported ({@link ThreadCpuTime}), far steadier on
 * a shared machine.
 * Each invocation is one {@code train} call, so the fixed cost of preparing the data and building the model
 * is in every mode; {@code plain-1-step} (one step) measures that fixed cost, so that
 * {@code (plain − plain-1-step) / 99} is the cost of a plain step and {@code (norm-test − plain) / 100} that
 * of a test.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class TribuoBatchTestCostBenchmark {
    static final int EXAMPLES = 2560;
    static final int FEATURES = 64;
    static final int CLASSES = 10;
    static final int BATCH = 256;
    static final int STEPS = 100;
    private static final double NEVER_GROWS = 1e6;

    @Param({"plain", "norm-test", "augmented-test", "plain-1-step"})
    public String mode;

    /** The loop's per-epoch INFO lines would be timed too; held so the level setting is not collected. */
    private static final Logger LOOP_LOGGER = Logger.getLogger("io.github.descent4j.tribuo");

    private MutableDataset<Label> data;
    private LinearClassificationTrainer trainer;

    @Setup(Level.Trial)
    public void setUp() {
        LOOP_LOGGER.setLevel(java.util.logging.Level.WARNING);
        data = syntheticDigits();
        trainer = trainer(mode);
        if (mode.endsWith("-test")) {
            int[] tested = new int[2];
            LinearClassificationTrainer check = trainer(mode);
            check.addListener(new TrainingListener<Label>() {
                @Override
                public void onStep(TrainingProgress<Label> progress) {
                    if (progress.lastBatchStatistics() != null && progress.lastBatchSize() == BATCH
                            && progress.currentBatchSize() == BATCH) {
                        tested[0]++;
                    }
                    tested[1]++;
                }
            });
            check.train(data);
            if (tested[0] != STEPS || tested[1] != STEPS) {
                throw new IllegalStateException("the test ran at batch " + BATCH + " on " + tested[0] + " of "
                        + tested[1] + " steps, expected " + STEPS);
            }
        }
    }

    private static LinearClassificationTrainer trainer(String mode) {
        int epochs = STEPS * BATCH / EXAMPLES;
        return switch (mode) {
            case "plain" -> new LinearClassificationTrainer(new LogMulticlass(), new AdaGradNorm(0.5, 0.1), epochs, -1,
                    BATCH, false, STEPS, 1L);
            case "plain-1-step" -> new LinearClassificationTrainer(new LogMulticlass(), new AdaGradNorm(0.5, 0.1), epochs,
                    -1, BATCH, false, 1, 1L);
            case "norm-test" -> new LinearClassificationTrainer(new LogMulticlass(), new AdaGradNorm(0.5, 0.1), epochs,
                    -1, AdaptiveBatchSizes.norm(NEVER_GROWS, BATCH, EXAMPLES), STEPS, 1L);
            case "augmented-test" -> new LinearClassificationTrainer(new LogMulticlass(), new AdaGradNorm(0.5, 0.1),
                    epochs, -1, AdaptiveBatchSizes.augmented(NEVER_GROWS, NEVER_GROWS, BATCH, EXAMPLES), STEPS, 1L);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    /** Dense features N(0, 1) plus a class-dependent shift, labels uniform over the classes; seeded. */
    static MutableDataset<Label> syntheticDigits() {
        Random random = new Random(6);
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic digits-sized data", factory), factory);
        String[] names = new String[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            names[j] = String.format("f%02d", j);
        }
        for (int i = 0; i < EXAMPLES; i++) {
            int c = random.nextInt(CLASSES);
            double[] values = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                values[j] = random.nextGaussian() + (j % CLASSES == c ? 1.0 : 0.0);
            }
            dataset.add(new ArrayExample<>(new Label("c" + c), names, values));
        }
        return dataset;
    }

    @Benchmark
    public Model<Label> train(ThreadCpuTime cpu) {
        long start = cpu.start();
        Model<Label> model = trainer.train(data);
        cpu.stop(start);
        return model;
    }
}
