package io.github.descent4j.benchmarks;

import io.github.descent4j.dl4j.clip.GlobalNormClipping;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
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
 * What global-norm clipping and gradient accumulation add to a training step of a DL4J network of 10⁶ floats (one
 * 1000 × 1000 dense layer with bias), against the step of DL4J's native {@code Adam} updater on that network
 * ({@code Adam-step}: the network's updater over the flattened gradient, as in {@code fit}):
 * {@code clip} is {@link GlobalNormClipping#onGradientCalculation} with a bound that scales every step (one
 * reduction plus one scaling pass); {@code accumulate-sum} is the one addition gradient accumulation makes per
 * micro-batch (the window's sum). Issue 12 target: clipping ≤ 0.2 × the Adam step; accumulation nothing beyond the sum.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Dl4jTrainingAidsBenchmark {
    @Param({"Adam-step", "clip", "accumulate-sum"})
    public String work;

    private MultiLayerNetwork net;
    private BaseMultiLayerUpdater<?> updater;
    private Gradient gradient;
    private INDArray fresh;
    private INDArray view;
    private INDArray sum;
    private GlobalNormClipping clip;
    private int iteration;

    @Setup(Level.Trial)
    public void setUp() {
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(new Adam(1e-3))
                .list().layer(new DenseLayer.Builder().nIn(1000).nOut(1000).activation(Activation.IDENTITY).build()).build());
        net.init();
        net.setInput(Nd4j.zeros(DataType.FLOAT, 1, 1000));
        net.setLabels(Nd4j.zeros(DataType.FLOAT, 1, 1000));
        updater = (BaseMultiLayerUpdater<?>) net.getUpdater();
        view = net.getFlattenedGradients();
        Nd4j.getRandom().setSeed(2);
        fresh = Nd4j.rand(DataType.FLOAT, view.shape()).subi(0.5);
        gradient = new DefaultGradient(view);
        gradient.setGradientFor("0_W", net.getLayer(0).getGradientsViewArray().get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1_000_000)).reshape('f', 1000, 1000));
        gradient.setGradientFor("0_b", net.getLayer(0).getGradientsViewArray().get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1_000_000, 1_001_000)).reshape(1, 1000));
        sum = fresh.dup();
        clip = GlobalNormClipping.maxNorm(1e-3);
    }

    @Setup(Level.Invocation)
    public void freshGradient() {
        view.assign(fresh);
    }

    @Benchmark
    public Object step() {
        switch (work) {
            case "Adam-step":
                updater.update(gradient, iteration++, 0, 1, LayerWorkspaceMgr.noWorkspaces());
                return view;
            case "clip":
                clip.onGradientCalculation(net);
                return view;
            case "accumulate-sum":
                return sum.addi(view);
            default:
                throw new IllegalArgumentException(work);
        }
    }
}
