package io.github.descent4j.benchmarks;

import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Time of a training run of descent4j's {@link LinearClassificationTrainer} (LogMulticlass, descent4j Adam,
 * minibatches of 256, so 8 steps per epoch) with plain steps and with SAM ({@link SharpnessAwareTraining#sam}), for
 * 1 and for 81 steps.
 * A run also converts the dataset and builds the model; those costs are the same for both step counts, so
 * the cost of one step is {@code (time(81) − time(1)) / 80}, and the SAM ratio is that of SAM to plain.
 * <p>
 * Data: 2048 examples, 10 classes. Dense: 256 features, all present (W is 10 × 257). Sparse: 20000
 * features, 50 present per example (W is 10 × 20001; a batch touches about 10⁴ columns).
 * <p>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar TribuoSharpnessStepBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 10, time = 2)
@State(Scope.Thread)
public class TribuoSharpnessStepBenchmark {
    private static final int EXAMPLES = 2048;
    private static final int CLASSES = 10;
    private static final int BATCH = 256;

    @Param({"dense", "sparse"})
    public String layout;

    @Param({"plain", "SAM"})
    public String mode;

    @Param({"1", "81"})
    public int steps;

    private MutableDataset<Label> data;
    private LinearClassificationTrainer trainer;

    @Setup
    public void setUp() {
        Logger.getLogger("io.github.descent4j.tribuo").setLevel(Level.WARNING);
        Random r = new Random(42L);
        boolean sparse = layout.equals("sparse");
        int features = sparse ? 20000 : 256;
        int present = sparse ? 50 : features;
        LabelFactory factory = new LabelFactory();
        data = new MutableDataset<>(new SimpleDataSourceProvenance("bench", factory), factory);
        for (int i = 0; i < EXAMPLES; i++) {
            int label = r.nextInt(CLASSES);
            ArrayExample<Label> e = new ArrayExample<>(new Label("c" + label));
            Set<Integer> chosen = new HashSet<>();
            while (chosen.size() < present) {
                chosen.add(sparse ? r.nextInt(features) : chosen.size());
            }
            for (int j : chosen) {
                e.add("f" + j, r.nextGaussian() + (j % CLASSES == label ? 0.5 : 0.0));
            }
            data.add(e);
        }
        trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(1e-3), 11, -1, BATCH, false, steps, 1L);
        if (mode.equals("SAM")) {
            trainer.setSharpnessAware(SharpnessAwareTraining.sam(0.05));
        }
    }

    @Benchmark
    public LinearSGDModel train() {
        return trainer.train(data);
    }
}
