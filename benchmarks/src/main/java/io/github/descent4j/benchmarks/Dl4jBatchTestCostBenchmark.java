package io.github.descent4j.benchmarks;

import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.batch.AdaptiveBatchRun;
import io.github.descent4j.dl4j.batch.AdaptiveBatchStep;
import io.github.descent4j.dl4j.batch.AdaptiveBatchTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
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

import java.util.concurrent.TimeUnit;

/**
 * The cost of a step of {@link AdaptiveBatchTrainer} with the batch-size test (m micro-batch gradients, the
 * statistics, one update) against a plain DL4J {@code fit} step on a batch of the same size: {@value #STEPS}
 * steps of batch {@value #BATCH} of an MLP {@value #FEATURES}–hidden–{@value #CLASSES} (tanh, softmax,
 * float, AdaGrad-Norm) on digits-sized random data ({@value #EXAMPLES} examples). Every mode runs through the
 * same driver, so sampling and gathering the batch cost the same: {@code fit} is the driver at
 * {@code b0 = b_max = 256}, where it takes plain {@code fit} steps and runs no test; {@code mK} keeps
 * testing at batch 256 with K micro-batches (the norm-test parameter is 10⁶ so the batch never grows;
 * checked once in the set-up). Besides wall time, the thread's CPU time per call is reported
 * ({@link ThreadCpuTime}), far steadier on a shared machine and complete at {@code OMP_NUM_THREADS=1}.
 * Run with {@code OMP_NUM_THREADS=1} and {@code =2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class Dl4jBatchTestCostBenchmark {
    static final int EXAMPLES = 2560;
    static final int FEATURES = 64;
    static final int CLASSES = 10;
    static final int BATCH = 256;
    static final int STEPS = 20;

    @Param({"fit", "m2", "m4", "m8"})
    public String mode;

    @Param({"128", "1024"})
    public int hidden;

    private DataSet data;
    private MultiLayerNetwork net;
    private AdaptiveBatchTrainer trainer;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.randn(DataType.FLOAT, EXAMPLES, FEATURES);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, EXAMPLES, CLASSES);
        for (int i = 0; i < EXAMPLES; i++) {
            labels.putScalar(i, (i * 7) % CLASSES, 1.0);
        }
        data = new DataSet(features, labels);
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new AdaGradNorm(0.5, 0.1)).list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(hidden).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        AdaptiveBatchTrainer.Builder builder = AdaptiveBatchTrainer.builder().normTest(1e6).initialBatchSize(BATCH)
                .epochs(0).maxSteps(STEPS).seed(1);
        trainer = mode.equals("fit") ? builder.maxBatchSize(BATCH).microBatches(2).build()
                : builder.microBatches(Integer.parseInt(mode.substring(1))).build();
        AdaptiveBatchRun check = trainer.fit(net, data);
        boolean testing = !mode.equals("fit");
        for (AdaptiveBatchStep step : check.steps()) {
            if (step.tested() != testing || step.batchSize() != BATCH || step.nextBatchSize() != BATCH) {
                throw new IllegalStateException("mode " + mode + ": step " + step + " is not what is measured");
            }
        }
    }

    @Benchmark
    public AdaptiveBatchRun train(ThreadCpuTime cpu) {
        long start = cpu.start();
        AdaptiveBatchRun run = trainer.fit(net, data);
        cpu.stop(start);
        return run;
    }
}
