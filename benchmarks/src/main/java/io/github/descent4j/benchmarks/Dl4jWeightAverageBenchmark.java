package io.github.descent4j.benchmarks;

import io.github.descent4j.dl4j.average.WeightAveraging;
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
 * The cost of weight averaging per optimiser step on a float {@code MultiLayerNetwork} of 10⁶ parameters (one
 * 999×1000 dense layer with bias), against the step it follows, in the same run:
 * <ul>
 *   <li>{@code Adam-native}: one step of DL4J's native {@code org.nd4j.linalg.learning.config.Adam} as
 *       {@code StochasticGradientDescent} takes it (the network's updater over the flattened gradient view, then
 *       {@code params −= update}), the gradient refreshed before each invocation;</li>
 *   <li>{@code EMA}, {@code SWA}: one {@link WeightAveraging#iterationDone} after the average exists (a scale and an
 *       axpy over the flat parameter view, no allocation).</li>
 * </ul>
 * The ratio EMA / Adam-native is the overhead of adding the listener. Run once with {@code OMP_NUM_THREADS=1} and
 * once with {@code =2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Dl4jWeightAverageBenchmark {
    /** nIn·nOut + nOut = 999·1000 + 1000 = 10⁶. */
    private static final int N_IN = 999;
    private static final int N_OUT = 1000;

    @Param({"Adam-native", "EMA", "SWA"})
    public String work;

    private MultiLayerNetwork net;
    private INDArray gradient;
    private INDArray flatGradient;
    private Gradient gradientHolder;
    private WeightAveraging averaging;
    private int iteration;

    @Setup(Level.Trial)
    public void setUp() {
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(new Adam(1e-3))
                .list().layer(new DenseLayer.Builder().nIn(N_IN).nOut(N_OUT).activation(Activation.IDENTITY).build()).build());
        net.init();
        if (net.numParams() != 1_000_000) {
            throw new IllegalStateException("expected 10^6 parameters, got " + net.numParams());
        }
        net.getUpdater();
        flatGradient = net.getFlattenedGradients();
        gradientHolder = new DefaultGradient(flatGradient);
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
        layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray())
                .forEach((name, view) -> gradientHolder.setGradientFor("0_" + name, view));
        Nd4j.getRandom().setSeed(2);
        gradient = Nd4j.rand(DataType.FLOAT, flatGradient.shape()).subi(0.5).muli(1e-2);
        if (!work.equals("Adam-native")) {
            averaging = work.equals("EMA") ? WeightAveraging.ema(0.999) : WeightAveraging.swa(0);
            averaging.iterationDone(net, iteration++, 0);   // allocates the average: the measured calls are updates
            averaging.iterationDone(net, iteration++, 0);
        }
    }

    @Setup(Level.Invocation)
    public void freshGradient() {
        if (averaging == null) {
            flatGradient.assign(gradient);   // the updater overwrites the gradient view with the update
        }
    }

    @Benchmark
    public Object step() {
        if (averaging != null) {
            averaging.iterationDone(net, iteration++, 0);
            return averaging;
        }
        ((BaseMultiLayerUpdater<?>) net.getUpdater()).update(gradientHolder, iteration, 0, 1, LayerWorkspaceMgr.noWorkspaces());
        iteration++;
        INDArray params = net.params();
        params.subi(flatGradient.reshape(params.shape()));
        return params;
    }
}
