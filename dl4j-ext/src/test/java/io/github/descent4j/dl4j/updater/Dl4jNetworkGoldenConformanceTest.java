package io.github.descent4j.dl4j.updater;

import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenClipCaseWriter;
import io.github.descent4j.dl4j.clip.GlobalNormClipping;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the golden gradient sequences of the DL4J updaters ({@link Dl4jGoldenConformanceTest#UPDATERS}) through a
 * real network and its updater, rather than through the bare {@code GradientUpdater}, in three topologies: a
 * {@link MultiLayerNetwork} with the updater set once on the builder, the same with the updater (and the bias
 * updater) set on every layer, and a {@link ComputationGraph}. {@code ClipByGlobalNorm} cases run their base updater with
 * the {@link GlobalNormClipping} listener called where DL4J calls it (after the gradient is written, before the update).
 * <ul>
 *   <li>the case's tensors become the parameters of dense layers: a {@code [r, c]} tensor is a layer's
 *       weight matrix ({@code nIn = r}, {@code nOut = c}; DL4J stores it column-major, so the row-major
 *       golden data goes through {@code assign}), and a following {@code [c]} tensor is that layer's bias
 *       (otherwise the layer has none); any other tensor of n values (a vector that is no bias, a tensor of
 *       rank 3 or more) is the {@code [1, n]} weight of a bias-free layer of its own;</li>
 *   <li>each step writes the case's gradients into the network's own flattened gradient view through
 *       the per-variable views DL4J's parameter initialiser hands out, calls
 *       {@link BaseMultiLayerUpdater#update(Gradient, int, int, int, LayerWorkspaceMgr)} (batch size 1, so
 *       DL4J's minibatch division is the identity) — which runs the updater blocks and the post-updater
 *       {@code WeightDecay(λ, true)} (per layer for Lion, installed by {@link AdamW#install} for AdamW) — and
 *       subtracts the result from the parameters, as DL4J's {@code NegativeGradientStepFunction} does;</li>
 *   <li>every parameter tensor is compared with the case's {@code after} after every step: at 1e-9
 *       relative in a double-precision network and at 1e-5 in a float network.</li>
 * </ul>
 */
class Dl4jNetworkGoldenConformanceTest {
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-5;

    /** Where the updater is configured and which network type runs it. */
    enum Topology { NETWORK, NETWORK_PER_LAYER_UPDATERS, GRAPH }

    @Test
    void everyCaseMatchesThroughADoublePrecisionNetwork() {
        for (Topology topology : Topology.values()) {
            runAll(GoldenCases.directory(), DataType.DOUBLE, DOUBLE_TOLERANCE, topology);
        }
    }

    @Test
    void everyCaseMatchesThroughAFloatNetwork() {
        for (Topology topology : Topology.values()) {
            runAll(GoldenCases.directory(), DataType.FLOAT, FLOAT_TOLERANCE, topology);
        }
    }

    /**
     * Generated cases of one, two and three tensors of unrelated shapes: a lone vector, a rank-3 tensor, a matrix
     * followed by a vector that is not its bias, and a weight matrix with its bias and a further vector.
     */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 4, 32);
        for (Topology topology : Topology.values()) {
            for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
                Map<String, Integer> ran = runAll(dir, type, type == DataType.DOUBLE ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE, topology);
                assertThat(ran.remove(GoldenCase.CLIP_BY_GLOBAL_NORM)).as("clip cases, one per base and shape set")
                        .isEqualTo(GoldenClipCaseWriter.BASES.size() * GoldenCaseWriter.UNRELATED_SHAPES.length);
                assertThat(ran).containsOnlyKeys(Dl4jGoldenConformanceTest.UPDATERS.keySet()).allSatisfy((algorithm, n) ->
                        assertThat(n).as(algorithm).isEqualTo(GoldenCaseWriter.UNRELATED_SHAPES.length));
            }
        }
    }

    /** Replays every case of {@code dir} with a DL4J updater here through a network; fails on unknown or none. */
    static Map<String, Integer> runAll(Path dir, DataType dataType, double tolerance, Topology topology) {
        ConformanceTally tally = new ConformanceTally("Dl4jNetworkGoldenConformanceTest (" + topology + ", " + dataType
                + ", " + tolerance + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (c.algorithm().equals(GoldenCase.CLIP_BY_GLOBAL_NORM)) {
                GoldenCase base = c.baseCase();
                IUpdater updater = baseUpdater(base);
                if (updater == null) {
                    tally.unknown(c, "no DL4J updater for the base '" + base.algorithm() + "'");
                    continue;
                }
                if (!Dl4jGoldenConformanceTest.unreadSettings(base).isEmpty()) {
                    tally.unknown(c, "base settings the DL4J replay does not implement: "
                            + Dl4jGoldenConformanceTest.unreadSettings(base));
                    continue;
                }
                replay(c, updater, base.hyperparameter("weightDecay", 0.0), GlobalNormClipping.maxNorm(c.hyperparameter("maxNorm")),
                        dataType, tolerance, topology);
                tally.ran(c.algorithm());
            } else if (Dl4jGoldenConformanceTest.UPDATERS.containsKey(c.algorithm())
                    && !Dl4jGoldenConformanceTest.unreadSettings(c).isEmpty()) {
                tally.unknown(c, "settings the DL4J replay does not implement: " + Dl4jGoldenConformanceTest.unreadSettings(c));
            } else if (Dl4jGoldenConformanceTest.UPDATERS.containsKey(c.algorithm())) {
                replay(c, Dl4jGoldenConformanceTest.UPDATERS.get(c.algorithm()).apply(c), c.hyperparameter("weightDecay", 0.0),
                        null, dataType, tolerance, topology);
                tally.ran(c.algorithm());
            } else if (Dl4jGoldenConformanceTest.ELSEWHERE.containsKey(c.algorithm())) {
                tally.skipped(c.algorithm() + ": " + Dl4jGoldenConformanceTest.ELSEWHERE.get(c.algorithm()));
            } else {
                tally.unknown(c, "no DL4J updater");
            }
        }
        return tally.finish();
    }

    /** Where one golden tensor lives in the network, and the shape it has there. */
    private record Slot(int layer, String param, int[] shape) {}

    /** The pieces of a built network the replay touches, for either network type. */
    private record Built(Model model, BaseMultiLayerUpdater<?> updater, INDArray flatGradient,
                         Function<String, Layer> layer, Runnable setBatchOfOne) {}

    /**
     * The DL4J updater of a clip case's base: one of {@link Dl4jGoldenConformanceTest#UPDATERS}, or for torch's SGD (with
     * or without momentum, which DL4J's own updaters do not offer) the equivalent descent4j {@link TransformChain}.
     */
    static IUpdater baseUpdater(GoldenCase base) {
        if (base.algorithm().equals("SGD") && !base.flag("nesterov", false)) {
            double momentum = base.hyperparameter("momentum", 0.0);
            return new TransformChain(base.hyperparameter("learningRate"), momentum == 0 ? "scaleByLearningRate()"
                    : "heavyBallMomentum(momentum=" + momentum + ") | scaleByLearningRate()");
        }
        var factory = Dl4jGoldenConformanceTest.UPDATERS.get(base.algorithm());
        return factory == null ? null : factory.apply(base);
    }

    /**
     * @param clipping the clipping listener to run after the gradient is written and before the update, or null
     */
    private static void replay(GoldenCase c, IUpdater updater, double weightDecay, GlobalNormClipping clipping,
                               DataType dataType, double tolerance, Topology topology) {
        boolean adamW = updater instanceof AdamW;
        List<GoldenCase.GoldenTensor> tensors = c.tensors();

        List<Slot> slots = new ArrayList<>();
        List<DenseLayer> layers = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            int[] shape = tensors.get(t).shape();
            // A matrix [r, c] is a layer's weight (nIn = r, nOut = c); any other tensor of n values is the weight
            // [1, n] of a layer of its own (nIn = 1, nOut = n), which holds its row-major values in order.
            int[] weight = shape.length == 2 ? shape : new int[]{1, tensors.get(t).initial().length};
            boolean bias = shape.length == 2 && t + 1 < tensors.size() && tensors.get(t + 1).shape().length == 1
                    && tensors.get(t + 1).shape()[0] == shape[1];
            DenseLayer.Builder dense = new DenseLayer.Builder().nIn(weight[0]).nOut(weight[1])
                    .activation(Activation.IDENTITY).hasBias(bias);
            if (topology == Topology.NETWORK_PER_LAYER_UPDATERS) {
                dense.updater(updater.clone()).biasUpdater(updater.clone());
            }
            if (weightDecay != 0 && !adamW) {
                // Per layer: in 1.0.0-M2.1 the global builder's weightDecay registers the decay twice.
                dense.weightDecay(weightDecay, true).weightDecayBias(weightDecay, true);
            }
            layers.add(dense.build());
            slots.add(new Slot(layers.size() - 1, "W", weight));
            if (bias) {
                t++;
                slots.add(new Slot(layers.size() - 1, "b", tensors.get(t).shape()));
            }
        }
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().seed(1).dataType(dataType);
        if (topology != Topology.NETWORK_PER_LAYER_UPDATERS) {
            builder.updater(updater);
        }
        Built net = topology == Topology.GRAPH ? graph(builder, layers, adamW) : network(builder, layers, adamW);
        assertThat(net.model().params().dataType()).isEqualTo(dataType);
        assertThat(net.model().numParams()).isEqualTo(tensors.stream().mapToLong(g -> g.initial().length).sum());

        for (int t = 0; t < slots.size(); t++) {
            param(net, slots.get(t)).assign(rowMajor(tensors.get(t).initial(), slots.get(t).shape(), dataType));
        }

        List<UpdaterBlock> blocks = net.updater().getUpdaterBlocks();
        assertThat(blocks).as("updater blocks of %s (a global norm must see every tensor)", c.name()).hasSize(1);
        INDArray flatGradient = net.flatGradient();
        assertThat(flatGradient.length()).isEqualTo(net.model().numParams());

        Gradient gradient = new DefaultGradient(flatGradient);
        List<INDArray> gradientViews = new ArrayList<>();
        for (Slot slot : slots) {
            Layer l = net.layer().apply(String.valueOf(slot.layer()));
            Map<String, INDArray> views = l.conf().getLayer().initializer()
                    .getGradientsFromFlattened(l.conf(), l.getGradientsViewArray());
            INDArray view = views.get(slot.param());
            assertThat(view.shape()).as("%s gradient view %d_%s", c.name(), slot.layer(), slot.param())
                    .isEqualTo(param(net, slot).shape());
            gradient.setGradientFor(slot.layer() + "_" + slot.param(), view);
            gradientViews.add(view);
        }

        double[] norms = clipping == null ? null : c.globalNormsBeforeClip();
        if (clipping != null) {
            net.setBatchOfOne().run();   // DL4J reads the minibatch size (here 1) from the input it holds
        }
        int iteration = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            flatGradient.assign(Double.NaN);   // every cell must be overwritten by the case's gradients
            for (int t = 0; t < slots.size(); t++) {
                gradientViews.get(t).assign(rowMajor(step.gradients()[t], slots.get(t).shape(), dataType));
            }
            assertThat(flatGradient.toDoubleVector()).as("gradient view of %s", c.name()).doesNotContain(Double.NaN);
            if (clipping != null) {
                clipping.onGradientCalculation(net.model());
                assertThat(clipping.lastNorm()).as("%s %s step %d norm before clipping", c.name(), topology, iteration)
                        .isCloseTo(norms[iteration], org.assertj.core.data.Offset.offset(tolerance * norms[iteration]));
            }
            net.updater().update(gradient, iteration, 0, 1, LayerWorkspaceMgr.noWorkspaces());
            INDArray params = net.model().params();
            params.subi(flatGradient.reshape(params.shape()));
            iteration++;
            for (int t = 0; t < slots.size(); t++) {
                double[] actual = param(net, slots.get(t)).dup('c').reshape(-1).toDoubleVector();
                assertThatValues(actual).as("%s %s %s step %d tensor %d", c.name(), topology, dataType, iteration, t)
                        .isCloseTo(step.after()[t], tolerance, floor(step.after()[t], dataType));
            }
        }
        assertThat(iteration).as("steps in " + c.name()).isPositive();
        UpdateRuleGradientUpdater gradientUpdater = (UpdateRuleGradientUpdater) blocks.get(0).getGradientUpdater();
        assertThat(gradientUpdater.getStepCount()).isEqualTo(iteration);
        for (double v : net.updater().getStateViewArray().toDoubleVector()) {
            assertThat(v).as("updater state of %s", c.name()).isFinite();
        }
    }

    /**
     * The relative-error floor: 1e-8 in double; in float, 1 % of the tensor's largest entry, since float32 holds an
     * entry that cancelled to near zero only to the absolute precision of the larger ones (public-clip-sgd has an
     * entry of 1e-3 beside entries of 2, off by 4e-8 after 12 steps, a third of a float ulp at 2).
     */
    private static double floor(double[] expected, DataType dataType) {
        if (dataType == DataType.DOUBLE) {
            return 1e-8;
        }
        double largest = 0;
        for (double v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        return Math.max(1e-8, 1e-2 * largest);
    }

    private static Built network(NeuralNetConfiguration.Builder builder, List<DenseLayer> layers, boolean adamW) {
        NeuralNetConfiguration.ListBuilder list = builder.list();
        layers.forEach(list::layer);
        // Layers hold unrelated tensors, so nIn must stay as set (DL4J would otherwise copy the previous nOut).
        MultiLayerConfiguration conf = list.overrideNinUponBuild(false).build();
        MultiLayerNetwork net = new MultiLayerNetwork(adamW ? AdamW.install(conf) : conf);
        net.init();
        return new Built(net, (BaseMultiLayerUpdater<?>) net.getUpdater(), net.getFlattenedGradients(),
                name -> net.getLayer(Integer.parseInt(name)), () -> {
                    net.setInput(Nd4j.zeros(net.params().dataType(), 1, 1));
                    net.setLabels(Nd4j.zeros(net.params().dataType(), 1, 1));
                });
    }

    private static Built graph(NeuralNetConfiguration.Builder builder, List<DenseLayer> layers, boolean adamW) {
        ComputationGraphConfiguration.GraphBuilder graph = builder.graphBuilder().addInputs("in");
        String previous = "in";
        for (int i = 0; i < layers.size(); i++) {
            graph.addLayer(String.valueOf(i), layers.get(i), previous);   // a chain; no forward pass is run
            previous = String.valueOf(i);
        }
        ComputationGraphConfiguration conf = graph.setOutputs(previous).build();
        ComputationGraph net = new ComputationGraph(adamW ? AdamW.install(conf) : conf);
        net.init();
        return new Built(net, net.getUpdater(), net.getGradientsViewArray(), net::getLayer, () -> {
            net.setInputs(Nd4j.zeros(net.params().dataType(), 1, 1));
            net.setLabels(Nd4j.zeros(net.params().dataType(), 1, 1));
        });
    }

    private static INDArray param(Built net, Slot slot) {
        return net.model().getParam(slot.layer() + "_" + slot.param());
    }

    private static INDArray rowMajor(double[] values, int[] shape, DataType dataType) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return Nd4j.create(values, dims, 'c').castTo(dataType);
    }
}
