package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every AdamSPD golden case (Tian et al. 2024, the authors' {@code adamSPD.py} in float64) through
 * a real {@link MultiLayerNetwork} of identity {@code DenseLayer}s whose parameter arrays are the case's
 * tensors, one array per tensor whatever their count and shapes (see {@link #layers}), the case's gradients
 * written into the network's gradient view and pushed through DL4J's own
 * {@code MultiLayerUpdater} (updater blocks, pre- and post-updater regularisation passes), then subtracted
 * as DL4J's step function does. Every tensor of every step is compared at 1e-9 relative in double precision
 * and 1e-5 in float.
 * <p>
 * The base is torch's Adam ({@link io.github.descent4j.dl4j.updater.Adam}) because DL4J's {@code Adam} places ε
 * differently (see there); SPD on top of DL4J's {@code Adam} and {@code Sgd} is checked per tensor against
 * the framework-free reference ({@link SelectiveProjection#step}) driven by the same DL4J updater.
 * <p>
 * Each case runs with SPD configured globally (where DL4J 1.0.0-M2.1 lists both steps twice per layer) and
 * per layer, and with the anchor captured at the first step (or zero) and given explicitly.
 */
class Dl4jSpdGoldenConformanceTest {
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-5;

    /** The format's other gradient-sequence algorithms, which the updater and Tribuo harnesses replay. */
    private static final Set<String> OTHER_ALGORITHMS = Set.of("ClipByGlobalNorm", "SGD", "AdaGrad", "Adam", "AdamW", "SignSGD", "NormalizedSGD",
            "Signum", "Lion", "AdaGradNorm");

    /** The AdamSPD cases of {@code dir}; fails on an unknown algorithm or when there is none. */
    private static List<GoldenCase> spdCases(Path dir, String variant) {
        ConformanceTally tally = new ConformanceTally("Dl4jSpdGoldenConformanceTest (" + variant + ")", dir);
        List<GoldenCase> cases = new ArrayList<>();
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (c.algorithm().equals("AdamSPD")) {
                cases.add(c);
                tally.ran(c.algorithm());
            } else if (OTHER_ALGORITHMS.contains(c.algorithm())) {
                tally.skipped(c.algorithm() + ": no SPD");
            } else {
                tally.unknown(c, "unknown gradient-sequence algorithm");
            }
        }
        tally.finish();
        return cases;
    }

    /** The public set covers the zero-anchor path ({@code towardZero}); a generated set need not. */
    @Test
    void thePublicCasesIncludeAnExplicitZeroAnchor() {
        assertThat(spdCases(publicSet(), "public set")).hasSizeGreaterThanOrEqualTo(5).as("a case with an explicit zero anchor")
                .anyMatch(Dl4jSpdGoldenConformanceTest::isZeroAnchor);
    }

    /** The repository's own test-data/golden (tests run in the module directory), whatever -D selects. */
    private static Path publicSet() {
        Path fromModule = Paths.get("..", "test-data", "golden");
        return Files.isDirectory(fromModule) ? fromModule : Paths.get("test-data", "golden");
    }

    @Test
    void everyAdamSpdCaseMatchesThroughANetworkInDoublePrecision() {
        replayAll(GoldenCases.directory(), DataType.DOUBLE, DOUBLE_TOLERANCE);
    }

    @Test
    void everyAdamSpdCaseMatchesThroughANetworkInFloat() {
        replayAll(GoldenCases.directory(), DataType.FLOAT, FLOAT_TOLERANCE);
    }

    /**
     * Generated AdamSPD cases of one, two and three tensors of unrelated shapes (with and without an explicit
     * anchor), through the network and over DL4J's own Adam and Sgd.
     */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeGradientSequences(dir, List.of("AdamSPD"), GoldenCaseWriter.UNRELATED_SHAPES, 5, 41);
        assertThat(replayAll(dir, DataType.DOUBLE, DOUBLE_TOLERANCE)).isEqualTo(4 * GoldenCaseWriter.UNRELATED_SHAPES.length);
        assertThat(replayAll(dir, DataType.FLOAT, FLOAT_TOLERANCE)).isEqualTo(4 * GoldenCaseWriter.UNRELATED_SHAPES.length);
        assertThat(compareAllWithReference(dir)).isPositive();
    }

    /** Replays every AdamSPD case of {@code dir} four ways; returns the number of replays. */
    static int replayAll(Path dir, DataType dataType, double tolerance) {
        int runs = 0;
        long applications = 0;
        for (GoldenCase c : spdCases(dir, dataType + ", " + tolerance)) {
            for (boolean global : new boolean[]{true, false}) {
                applications += replay(c, dataType, tolerance, global, defaultAnchor(c));
                applications += replay(c, dataType, tolerance, global, explicitAnchor(c));
                runs += 2;
            }
        }
        System.out.println("Dl4jSpdGoldenConformanceTest (" + dataType + ", " + tolerance + "): " + runs
                + " network replays, projection applied " + applications + " times");
        assertThat(applications).as("projections applied over all replays").isPositive();
        return runs;
    }

    /**
     * {@code of(λ)} when the anchor is the initial point, {@code towardZero(λ)} for a zero anchor, and
     * {@code toward(λ, anchor)} for any other explicit anchor (which has no shorthand).
     */
    private static Supplier<List<Regularization>> defaultAnchor(GoldenCase c) {
        double lambda = c.hyperparameter("lambda");
        if (isZeroAnchor(c)) {
            return () -> SelectiveProjectionDecay.towardZero(lambda);
        }
        double[][] anchor = c.anchor().orElse(c.initialValues());
        if (!Arrays.equals(concat(anchor), concat(c.initialValues()))) {
            return explicitAnchor(c);
        }
        return () -> SelectiveProjectionDecay.of(lambda);
    }

    private static Supplier<List<Regularization>> explicitAnchor(GoldenCase c) {
        double lambda = c.hyperparameter("lambda");
        INDArray anchor = Nd4j.createFromArray(concat(c.anchor().orElse(c.initialValues())));
        return () -> SelectiveProjectionDecay.toward(lambda, anchor);
    }

    private static boolean isZeroAnchor(GoldenCase c) {
        return c.anchor().isPresent() && Arrays.stream(concat(c.anchor().get())).allMatch(v -> v == 0)
                && !Arrays.stream(concat(c.initialValues())).allMatch(v -> v == 0);
    }

    /** Returns how many (step, tensor) pairs the projection applied to. */
    private static long replay(GoldenCase c, DataType dataType, double tolerance, boolean global,
                               Supplier<List<Regularization>> spd) {
        IUpdater base = new io.github.descent4j.dl4j.updater.Adam(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
                c.hyperparameter("beta2"), c.hyperparameter("epsilon"));
        MultiLayerNetwork net = network(c, dataType, base, spd, global);
        double[][] initial = c.initialValues();
        net.params().assign(Nd4j.createFromArray(concat(initial)).castTo(dataType).reshape(net.params().shape()));
        int iteration = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            networkStep(net, concat(step.gradients()), iteration++);
            double[] params = net.params().toDoubleVector();
            int at = 0;
            for (int t = 0; t < initial.length; t++) {
                double[] actual = Arrays.copyOfRange(params, at, at + initial[t].length);
                at += initial[t].length;
                String what = String.format("%s %s %s step %d tensor %d", c.name(), dataType, global ? "global" : "per layer",
                        iteration, t);
                if (dataType == DataType.DOUBLE) {
                    assertThatValues(actual).as(what).isCloseTo(step.after()[t], tolerance);
                } else {
                    assertCloseAtFloatResolution(what, actual, step.after()[t], tolerance);
                }
            }
        }
        long applications = 0;
        for (String name : paramNames(c)) {
            INDArray param = net.getParam(name);
            assertThat(SelectiveProjectionDecay.updateCount(param)).as("%s updates of %s", c.name(), name).isEqualTo(iteration);
            applications += SelectiveProjectionDecay.applicationCount(param);
        }
        return applications;
    }

    /**
     * 1e-5 relative per element, except that an entry much smaller than its tensor's largest is compared
     * relative to 1% of that largest value. A float network stores every entry to 2⁻²⁴ of itself, but the
     * projection θ̃ − λ·r·(θ̃ − θ₀) and the ratio r are differences of quantities of the tensor's scale, so an
     * entry passing near zero carries an absolute error of about one float ulp of the tensor's scale
     * (measured: at most 1.5·10⁻⁷ of the largest entry, in plain Adam as in AdamSPD; public-adamspd-l1.5-0 has
     * an entry of −9.9·10⁻⁴ in a tensor of scale 1.4 that is off by 3·10⁻⁸, 3·10⁻⁵ of itself).
     */
    private static void assertCloseAtFloatResolution(String what, double[] actual, double[] expected, double tolerance) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 0.01 * scale);
            assertThat(error).as("%s value [%d] = %s, reference %s", what, i, actual[i], expected[i]).isLessThanOrEqualTo(tolerance);
        }
    }

    /** One dense layer of the network built from a case's tensor list. */
    record LayerShape(int nIn, int nOut, boolean bias) {}

    /**
     * The layers holding a case's tensors, in order: a matrix [r, c] is a layer's weight (nIn = r, nOut = c) and a
     * following [c] vector its bias; any other tensor of n values is the weight of a bias-free layer nIn = 1,
     * nOut = n of its own. So the network has exactly one parameter array per tensor, of the tensor's length, in
     * the case's order (DL4J flattens a layer's W before its b), and SPD's per-tensor ratio sees the case's tensors.
     */
    static List<LayerShape> layers(GoldenCase c) {
        List<GoldenCase.GoldenTensor> tensors = c.tensors();
        List<LayerShape> out = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            int[] shape = tensors.get(t).shape();
            if (shape.length == 2) {
                boolean bias = t + 1 < tensors.size() && tensors.get(t + 1).shape().length == 1
                        && tensors.get(t + 1).shape()[0] == shape[1];
                out.add(new LayerShape(shape[0], shape[1], bias));
                t += bias ? 1 : 0;
            } else {
                out.add(new LayerShape(1, tensors.get(t).initial().length, false));
            }
        }
        return out;
    }

    private static List<String> paramNames(GoldenCase c) {
        List<String> names = new ArrayList<>();
        List<LayerShape> layers = layers(c);
        for (int l = 0; l < layers.size(); l++) {
            names.add(l + "_W");
            if (layers.get(l).bias()) {
                names.add(l + "_b");
            }
        }
        return names;
    }

    /** The network of {@link #layers}: identity dense layers whose parameters are the case's tensors. */
    static MultiLayerNetwork network(GoldenCase c, DataType dataType, IUpdater base, Supplier<List<Regularization>> spd,
                                     boolean global) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().seed(1).dataType(dataType).updater(base);
        List<Regularization> regularization = spd == null ? null : spd.get();
        if (regularization != null && global) {
            builder.regularization(regularization).regularizationBias(regularization);
        }
        NeuralNetConfiguration.ListBuilder list = builder.list();
        for (LayerShape shape : layers(c)) {
            DenseLayer.Builder layer = new DenseLayer.Builder().nIn(shape.nIn()).nOut(shape.nOut()).activation(Activation.IDENTITY)
                    .hasBias(shape.bias());
            if (regularization != null && !global) {
                layer.regularization(regularization).regularizationBias(regularization);
            }
            list.layer(layer.build());
        }
        // Layers hold unrelated tensors, so nIn must stay as set (DL4J would otherwise copy the previous nOut).
        MultiLayerNetwork net = new MultiLayerNetwork(list.overrideNinUponBuild(false).build());
        net.init();
        net.initGradientsView();
        assertThat(net.numParams()).as("%s: one parameter per golden value", c.name())
                .isEqualTo(c.tensors().stream().mapToLong(t -> t.initial().length).sum());
        if (regularization != null && global) {
            // The DL4J 1.0.0-M2.1 trap this configuration exercises: the global list lands twice in every layer.
            for (int l = 0; l < net.getnLayers(); l++) {
                List<Regularization> inLayer = ((BaseLayer) net.getLayerWiseConfigurations().getConf(l).getLayer()).getRegularization();
                assertThat(inLayer.stream().filter(r -> r instanceof SelectiveProjectionDecay)).as("condition steps in layer %d", l).hasSize(2);
                assertThat(inLayer.stream().filter(r -> r instanceof SelectiveProjectionDecay.Projection)).hasSize(2);
            }
        }
        return net;
    }

    /** DL4J's update of the network with a given loss gradient: its updater (with regularisation), then θ ← θ − u. */
    static void networkStep(MultiLayerNetwork net, double[] gradient, int iteration) {
        INDArray view = net.getGradientsViewArray();
        view.assign(Nd4j.createFromArray(gradient).castTo(view.dataType()).reshape(view.shape()));
        ((BaseMultiLayerUpdater<?>) net.getUpdater()).update(new DefaultGradient(view), iteration, 0, 1,
                LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(view.reshape(net.params().shape()));
    }

    @Test
    void overDl4jsOwnAdamAndSgdEveryTensorMatchesTheFrameworkFreeReference() {
        assertThat(compareAllWithReference(GoldenCases.directory())).as("projections applied over DL4J's Adam and Sgd").isPositive();
    }

    /** SPD over DL4J's Adam and Sgd against the framework-free reference on every AdamSPD case of {@code dir}. */
    static long compareAllWithReference(Path dir) {
        long applications = 0;
        for (GoldenCase c : spdCases(dir, "over DL4J's Adam and Sgd")) {
            double lr = c.hyperparameter("learningRate");
            List<IUpdater> bases = List.of(new Adam(lr, c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon")),
                    new Sgd(lr));
            for (IUpdater base : bases) {
                for (boolean explicit : new boolean[]{false, true}) {
                    applications += compareWithReference(c, base, explicit ? explicitAnchor(c) : defaultAnchor(c));
                }
            }
        }
        return applications;
    }

    private static long compareWithReference(GoldenCase c, IUpdater base, Supplier<List<Regularization>> spd) {
        double lambda = c.hyperparameter("lambda");
        double[][] theta = c.initialValues();
        double[][] anchor = c.anchor().orElse(c.initialValues());
        int n = concat(theta).length;
        MultiLayerNetwork net = network(c, DataType.DOUBLE, base, spd, true);
        net.params().assign(Nd4j.createFromArray(concat(theta)).reshape(net.params().shape()));
        // The reference: the same DL4J updater on its own, then SPD per tensor in descent4j-core.
        long stateSize = base.stateSize(n);
        GradientUpdater<?> updater = base.clone().instantiate(stateSize == 0 ? null : Nd4j.create(DataType.DOUBLE, stateSize), true);
        MultiLayerNetwork plain = network(c, DataType.DOUBLE, base, null, true);
        plain.params().assign(net.params());
        double[] plainReference = concat(theta);   // the base updater alone, without SPD
        int iteration = 0;
        boolean differsFromPlain = false;
        boolean referenceDiffersFromPlain = false;
        for (GoldenCase.GoldenStep step : c.steps()) {
            double[] g = concat(step.gradients());
            INDArray u = Nd4j.createFromArray(g.clone());
            updater.applyUpdater(u, iteration, 0);
            double[] update = u.toDoubleVector();
            for (int i = 0; i < n; i++) {
                plainReference[i] -= update[i];
            }
            int at = 0;
            for (int t = 0; t < theta.length; t++) {
                int len = theta[t].length;
                double[] proposed = new double[len];
                for (int i = 0; i < len; i++) {
                    proposed[i] = theta[t][i] - update[at + i];
                }
                SelectiveProjection.step(theta[t], anchor[t], Arrays.copyOfRange(g, at, at + len), proposed, lambda);
                at += len;
            }
            networkStep(net, g, iteration);
            networkStep(plain, g, iteration);
            iteration++;
            assertThatValues(net.params().toDoubleVector()).as("%s over %s step %d", c.name(), base, iteration)
                    .isCloseTo(concat(theta), 1e-12);
            differsFromPlain |= !Arrays.equals(net.params().toDoubleVector(), plain.params().toDoubleVector());
            referenceDiffersFromPlain |= !Arrays.equals(concat(theta), plainReference);
        }
        long applications = 0;
        for (String name : paramNames(c)) {
            applications += SelectiveProjectionDecay.applicationCount(net.getParam(name));
        }
        // SPD can apply with ratio 0 (the distance to the anchor did not grow), leaving θ̃ as is: the network must
        // leave the plain trajectory exactly when the reference does, and the public cases do leave it.
        assertThat(differsFromPlain).as("%s over %s: SPD changed the trajectory as the reference did", c.name(), base)
                .isEqualTo(referenceDiffersFromPlain);
        if (applications > 0 && lambda > 0 && c.name().startsWith("public-")) {
            assertThat(differsFromPlain).as("%s over %s: SPD changed the trajectory", c.name(), base).isTrue();
        }
        return applications;
    }

    static double[] concat(double[][] tensors) {
        int n = 0;
        for (double[] t : tensors) {
            n += t.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] t : tensors) {
            System.arraycopy(t, 0, out, at, t.length);
            at += t.length;
        }
        return out;
    }
}
