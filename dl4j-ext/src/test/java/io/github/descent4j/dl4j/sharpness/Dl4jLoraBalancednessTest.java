package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization.Variant;
import io.github.descent4j.dl4j.lora.LoraDense;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code BalancednessAwareTraining.nbar|obar(alpha).onLora(net)}: finds every LoRA layer's (A, B) pair, refuses a
 * network without one, equals core's BAR arithmetic on each pair step by step, keeps W and b frozen, and nBAR moves
 * |‖A‖² − ‖B‖²| toward 0.
 */
class Dl4jLoraBalancednessTest {
    private static final double LR = 0.1;

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).updater(new Sgd(LR));
    }

    private static LoraDense lora(int nIn, int nOut, int rank, String name) {
        LoraDense.Builder b = new LoraDense.Builder().nIn(nIn).nOut(nOut).rank(rank).alpha(2 * rank).activation(Activation.TANH);
        return (name == null ? b : b.name(name)).build();
    }

    private static OutputLayer output(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(3).activation(Activation.SOFTMAX).build();
    }

    /** LoRA 8→6 (r 3) → LoRA 6→5 (r 2) → softmax 5→3, B randomised so that every BAR decision has two sides. */
    private static Model network(boolean graph) {
        Model model;
        if (graph) {
            ComputationGraph g = new ComputationGraph(base().graphBuilder().addInputs("in")
                    .addLayer("first", lora(8, 6, 3, null), "in")
                    .addLayer("second", lora(6, 5, 2, null), "first")
                    .addLayer("out", output(5), "second").setOutputs("out").build());
            g.init();
            model = g;
        } else {
            MultiLayerNetwork net = new MultiLayerNetwork(base().list().layer(lora(8, 6, 3, null)).layer(lora(6, 5, 2, "second"))
                    .layer(output(5)).build());
            net.init();
            model = net;
        }
        Nd4j.getRandom().setSeed(17);
        for (Map.Entry<String, INDArray> e : model.paramTable().entrySet()) {
            if (e.getKey().endsWith("_B")) {
                e.getValue().assign(Nd4j.randn(DataType.DOUBLE, e.getValue().shape()).muli(0.4));
            }
        }
        return model;
    }

    private static DataSet batch(int seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i * 7 + seed) % 3, 1.0);
        }
        return new DataSet(Nd4j.randn(DataType.DOUBLE, n, 8), labels);
    }

    private static double squaredNorm(INDArray a) {
        double n = a.norm2Number().doubleValue();
        return n * n;
    }

    @Test
    void onLoraAttachesToEveryLoraPairAndRefusesANetworkWithoutOne() {
        MultiLayerNetwork net = (MultiLayerNetwork) network(false);
        BalancednessAwareTraining bar = BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.3)).onLora(net);
        assertThat(bar.getPairs()).containsExactly(FactorPair.lora("layer0"), FactorPair.lora("second"));
        assertThat(bar.getVariant()).isEqualTo(Variant.NBAR);
        assertThat(net.getListeners()).containsExactly(bar);
        double[] b = bar.balancedness(net);
        assertThat(b[0]).isCloseTo(0.5 * (squaredNorm(net.getParam("0_A")) - squaredNorm(net.getParam("0_B"))), within(1e-12));
        assertThat(b[1]).isCloseTo(0.5 * (squaredNorm(net.getParam("1_A")) - squaredNorm(net.getParam("1_B"))), within(1e-12));
        assertThat(BalancednessAwareTraining.fromJson(bar.toJson())).isEqualTo(bar);

        ComputationGraph graph = (ComputationGraph) network(true);
        BalancednessAwareTraining onGraph = BalancednessAwareTraining.obar(AlphaScheduleConfig.linear(1.0, 10)).onLora(graph);
        assertThat(onGraph.getPairs()).containsExactly(FactorPair.lora("first"), FactorPair.lora("second"));
        assertThat(onGraph.getVariant()).isEqualTo(Variant.OBAR);

        MultiLayerNetwork partlyFrozen = new MultiLayerNetwork(base().list()
                .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(lora(8, 6, 3, null)))
                .layer(lora(6, 5, 2, null)).layer(output(5)).build());
        partlyFrozen.init();
        assertThat(BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.1)).onLora(partlyFrozen).getPairs())
                .as("a frozen LoRA layer is left out").containsExactly(FactorPair.lora("layer1"));

        MultiLayerNetwork plain = new MultiLayerNetwork(base().list()
                .layer(new DenseLayer.Builder().nIn(8).nOut(5).build()).layer(output(5)).build());
        plain.init();
        assertThatThrownBy(() -> BalancednessAwareTraining.obar(AlphaScheduleConfig.constant(0.1)).onLora(plain))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trainable LoraDense layer")
                .hasMessageContaining("DenseLayer");
        assertThat(plain.getListeners()).isEmpty();
        assertThatThrownBy(() -> BalancednessAwareTraining.nbar(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha");
    }

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(false, Variant.NBAR), Arguments.of(false, Variant.OBAR),
                Arguments.of(true, Variant.NBAR), Arguments.of(true, Variant.OBAR));
    }

    /**
     * The reference: the network's gradient at the reference parameters (divided by the batch size, as DL4J's
     * updater sees it), each LoRA pair stepped by a core {@link BalancednessAwareRegularization} over SGD, the output
     * layer by plain SGD, W and b untouched.
     */
    @ParameterizedTest(name = "graph={0}, {1}")
    @MethodSource("cases")
    void barOnLoraEqualsCoreBarOnEachPairStepByStep(boolean graph, Variant variant) {
        Model model = network(graph);
        Model ref = graph ? ((ComputationGraph) model).clone() : ((MultiLayerNetwork) model).clone();
        AlphaScheduleConfig alpha = AlphaScheduleConfig.linear(2.0, 6);
        BalancednessAwareTraining bar = (variant == Variant.NBAR ? BalancednessAwareTraining.nbar(alpha)
                : BalancednessAwareTraining.obar(alpha)).onLora(model);
        assertThat(bar.getPairs()).hasSize(2);

        INDArray flat = ref.params();
        Map<String, long[]> ranges = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : ref.paramTable().entrySet()) {
            long start = e.getValue().offset() - flat.offset();
            ranges.put(e.getKey(), new long[]{start, start + e.getValue().length()});
        }
        double[] theta = flat.toDoubleVector();
        double[] frozen0 = frozen(theta, ranges);
        List<String> prefixes = List.of(graph ? "first" : "0", graph ? "second" : "1");
        List<double[][]> pairs = new ArrayList<>();
        List<BalancednessAwareRegularization> cores = new ArrayList<>();
        for (String p : prefixes) {
            double[][] ab = {slice(theta, ranges.get(p + "_A")), slice(theta, ranges.get(p + "_B"))};
            pairs.add(ab);
            cores.add(new BalancednessAwareRegularization(new FlatOptimiser(new SgdRule(), LR, ab), LR, variant,
                    alpha.schedule(), 0, 1));
        }
        String out = graph ? "out" : "2";
        List<String> plainKeys = List.of(out + "_W", out + "_b");
        for (int step = 0; step < 6; step++) {
            DataSet data = batch(100 + step, 12);
            // the gradient at the reference parameters
            flat.assign(Nd4j.createFromArray(theta).reshape(flat.shape()));
            if (ref instanceof MultiLayerNetwork n) {
                n.setInput(data.getFeatures());
                n.setLabels(data.getLabels());
                n.computeGradientAndScore();
            } else {
                ComputationGraph g = (ComputationGraph) ref;
                g.setInputs(data.getFeatures());
                g.setLabels(data.getLabels());
                g.computeGradientAndScore();
            }
            double[] grad = (ref instanceof MultiLayerNetwork n ? n.getFlattenedGradients()
                    : ((ComputationGraph) ref).getFlattenedGradients()).toDoubleVector();
            for (int i = 0; i < grad.length; i++) {
                grad[i] /= data.numExamples();
            }
            for (int k = 0; k < prefixes.size(); k++) {
                cores.get(k).step(new double[][]{slice(grad, ranges.get(prefixes.get(k) + "_A")),
                        slice(grad, ranges.get(prefixes.get(k) + "_B"))});
                put(theta, ranges.get(prefixes.get(k) + "_A"), pairs.get(k)[0]);
                put(theta, ranges.get(prefixes.get(k) + "_B"), pairs.get(k)[1]);
            }
            for (String key : plainKeys) {
                long[] r = ranges.get(key);
                for (int i = (int) r[0]; i < r[1]; i++) {
                    theta[i] -= LR * grad[i];
                }
            }

            Dl4jSharpnessGoldenConformanceTest.fit(model, data);
            double[] actual = model.params().toDoubleVector();
            for (int i = 0; i < theta.length; i++) {
                assertThat(actual[i]).as("step %d, parameter %d", step, i).isCloseTo(theta[i], within(1e-12));
            }
            double[] b = bar.balancedness(model);
            for (int k = 0; k < b.length; k++) {
                assertThat(b[k]).isCloseTo(BalancednessAwareRegularization.balancedness(pairs.get(k)[0], pairs.get(k)[1]), within(1e-12));
            }
            assertThat(frozen(actual, ranges)).as("W and b of the LoRA layers, bit for bit").isEqualTo(frozen0);
        }
    }

    /** nBAR drives the balancedness of each pair toward 0; plain SGD on the same data leaves it much larger. */
    @Test
    void nbarMovesTheBalancednessOfEveryLoraPairTowardZero() {
        MultiLayerNetwork net = (MultiLayerNetwork) network(false);
        for (String key : List.of("0_B", "1_B")) {
            net.getParam(key).muli(3);   // |‖A‖² − ‖B‖²| well away from 0
        }
        MultiLayerNetwork plain = net.clone();
        BalancednessAwareTraining bar = BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(1.0)).onLora(net);
        double[] first = bar.balancedness(net);
        INDArray frozen = Nd4j.concat(0, net.getParam("0_W").ravel(), net.getParam("0_b").ravel(),
                net.getParam("1_W").ravel(), net.getParam("1_b").ravel()).dup();
        for (int step = 0; step < 60; step++) {
            DataSet data = batch(step, 16);
            net.fit(data);
            plain.fit(data);
        }
        double[] last = bar.balancedness(net);
        double[] withoutBar = bar.balancedness(plain);
        System.out.println("nBAR on LoRA: |B| first " + Arrays.toString(first) + ", after nBAR " + Arrays.toString(last)
                + ", after plain SGD " + Arrays.toString(withoutBar));
        for (int k = 0; k < first.length; k++) {
            assertThat(Math.abs(first[k])).as("pair %d starts unbalanced", k).isGreaterThan(0.5);
            // Measured over 6 JVM runs: pair 0 ends at 0.005–0.10 of its start, pair 1 at 0.19–0.56, plain SGD at 0.98–1.0.
            // DL4J training here is not bit-reproducible between JVM runs (a plain DenseLayer MLP with fixed seeds ends
            // at different parameters in two runs), so the bound keeps a margin.
            assertThat(Math.abs(last[k])).as("pair %d: |B| after nBAR vs at the start", k).isLessThan(0.75 * Math.abs(first[k]));
            assertThat(Math.abs(last[k])).as("pair %d: |B| after nBAR vs plain SGD", k).isLessThan(0.75 * Math.abs(withoutBar[k]));
        }
        INDArray after = Nd4j.concat(0, net.getParam("0_W").ravel(), net.getParam("0_b").ravel(),
                net.getParam("1_W").ravel(), net.getParam("1_b").ravel());
        assertThat(after.toDoubleVector()).isEqualTo(frozen.toDoubleVector());
    }

    private static double[] frozen(double[] theta, Map<String, long[]> ranges) {
        List<Double> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : ranges.entrySet()) {
            String key = e.getKey();
            boolean loraLayer = ranges.containsKey(key.substring(0, key.lastIndexOf('_')) + "_A");
            if (loraLayer && (key.endsWith("_W") || key.endsWith("_b"))) {
                for (double d : slice(theta, e.getValue())) {
                    out.add(d);
                }
            }
        }
        assertThat(out).as("frozen entries: W and b of both LoRA layers").hasSize(8 * 6 + 6 + 6 * 5 + 5);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] slice(double[] all, long[] range) {
        return Arrays.copyOfRange(all, (int) range[0], (int) range[1]);
    }

    private static void put(double[] all, long[] range, double[] values) {
        System.arraycopy(values, 0, all, (int) range[0], values.length);
    }
}
