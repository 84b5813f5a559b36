package io.github.descent4j.benchmarks;

import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.FactorPair;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
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
 * One DL4J training step, {@code MultiLayerNetwork.fit(DataSet)}, on a digits-sized MLP (64 → 256 ReLU →
 * 256 identity, no bias → 10 softmax; 84,746 float parameters; DL4J's Adam; minibatch 128 of fixed random
 * inputs) with the base updater alone ({@code base}), with {@link SharpnessAwareTraining} SAM or ASAM, and
 * with {@link BalancednessAwareTraining} nBAR on one pair (the 256×256 and 256×10 weight matrices, whose
 * product is scale-invariant since the layer between them is linear). Targets (issue 5): SAM ≤ 2.1 × base,
 * BAR ≤ 1.1 × base. Run once with {@code OMP_NUM_THREADS=1} and once with {@code =2}; compare ratios within
 * one run. Sample-time mode, because the median (and minimum) step time resists the bursts of other jobs on
 * a shared machine better than the mean; repeat the whole run a few times to spread each mode over time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Dl4jSharpnessStepBenchmark {

    @Param({"base", "SAM", "ASAM", "nBAR"})
    public String training;

    private MultiLayerNetwork net;
    private DataSet batch;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(256).activation(Activation.IDENTITY).hasBias(false).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        switch (training) {
            case "base" -> { }
            case "SAM" -> net.addListeners(SharpnessAwareTraining.sam(0.05));
            case "ASAM" -> net.addListeners(SharpnessAwareTraining.asam(0.5, 0.01));
            case "nBAR" -> BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.1), FactorPair.of(1, "W", 2, "W")).attachTo(net);
            default -> throw new IllegalArgumentException(training);
        }
        var features = Nd4j.rand(DataType.FLOAT, 128, 64);
        var labels = Nd4j.zeros(DataType.FLOAT, 128, 10);
        for (int i = 0; i < 128; i++) {
            labels.putScalar(i, i % 10, 1f);
        }
        batch = new DataSet(features, labels);
    }

    @Benchmark
    public Object fitStep() {
        net.fit(batch);
        return net.params();
    }
}
