package io.github.descent4j.benchmarks;

import io.github.descent4j.dl4j.lora.LoraDense;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
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
 * One DL4J training step, {@code MultiLayerNetwork.fit(DataSet)}, on a 512 → 512 ReLU → 10 softmax MLP (float,
 * DL4J's Adam, minibatch 64 of fixed random inputs): full fine-tuning ({@code full}: the hidden {@code DenseLayer}
 * and the head trained, 267,786 parameters), LoRA ({@code LoRA}: the hidden layer a {@link LoraDense} with r = 8,
 * W and b frozen, A, B and the head trained, 13,322 parameters), and LoRA with nBAR on the adapter pair
 * ({@code LoRA+nBAR}, {@link BalancednessAwareTraining#nbar(AlphaScheduleConfig)}{@code .onLora(net)}) or SAM
 * ({@code LoRA+SAM}, ρ = 0.05). Targets (issue 13): LoRA &lt; full; LoRA+nBAR ≤ 1.1 × LoRA; LoRA+SAM ≈ 2 × LoRA.
 * Compare ratios within one run; sample time, for the same reason as {@link Dl4jSharpnessStepBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Dl4jLoraStepBenchmark {

    @Param({"full", "LoRA", "LoRA+nBAR", "LoRA+SAM"})
    public String training;

    private MultiLayerNetwork net;
    private DataSet batch;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        Layer hidden = training.equals("full")
                ? new DenseLayer.Builder().nIn(512).nOut(512).activation(Activation.RELU).build()
                : new LoraDense.Builder().nIn(512).nOut(512).rank(8).alpha(16).activation(Activation.RELU).build();
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-3))
                .list()
                .layer(hidden)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(512).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        switch (training) {
            case "full", "LoRA" -> { }
            case "LoRA+nBAR" -> BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.1)).onLora(net);
            case "LoRA+SAM" -> net.addListeners(SharpnessAwareTraining.sam(0.05));
            default -> throw new IllegalArgumentException(training);
        }
        var features = Nd4j.rand(DataType.FLOAT, 64, 512);
        var labels = Nd4j.zeros(DataType.FLOAT, 64, 10);
        for (int i = 0; i < 64; i++) {
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
