package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.TorchAdam;
import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every AdamSPD golden case (Tian et al. 2024, the authors' {@code adamSPD.py} in float64) through
 * a real {@link MultiLayerNetwork}: one {@code DenseLayer} whose weight (and bias) arrays are the case's
 * tensors, the case's gradients written into the network's gradient view and pushed through DL4J's own
 * {@code MultiLayerUpdater} (updater blocks, pre- and post-updater regularisation passes), then subtracted
 * as DL4J's step function does. Every tensor of every step is compared at 1e-9 relative in double precision
 * and 1e-5 in float.
 * <p>
 * The base is torch's Adam ({@link TorchAdam}, descent4j-core's rule) because DL4J's {@code Adam} places ε
 * differently (see there); SPD on top of DL4J's {@code Adam} and {@code Sgd} is checked per tensor against
 * the framework-free reference ({@link SelectiveProjection#step}) driven by the same DL4J updater.
 * <p>
 * Each case runs with SPD configured globally (where DL4J 1.0.0-M2.1 lists both steps twice per layer) and
 * per layer, and with the anchor captured at the first step (or zero) and given explicitly.
 */
class Dl4jSpdGoldenConformanceTest {
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-5;

    private static List<GoldenCase> spdCases() {
        List<GoldenCase> cases = new ArrayList<>();
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.all(), GoldenCase.GRADIENT_SEQUENCE)) {
            if (c.algorithm().equals("AdamSPD")) {
                cases.add(c);
            }
        }
        assertThat(cases).as("AdamSPD golden cases in %s", GoldenCases.directory().toAbsolutePath()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(cases).as("a case with an explicit zero anchor").anyMatch(Dl4jSpdGoldenConformanceTest::isZeroAnchor);
        return cases;
    }

    @Test
    void everyAdamSpdCaseMatchesThroughANetworkInDoublePrecision() {
        replayAll(DataType.DOUBLE, DOUBLE_TOLERANCE);
    }

    @Test
    void everyAdamSpdCaseMatchesThroughANetworkInFloat() {
        replayAll(DataType.FLOAT, FLOAT_TOLERANCE);
    }

    private static void replayAll(DataType dataType, double tolerance) {
        int runs = 0;
        long applications = 0;
        for (GoldenCase c : spdCases()) {
            for (boolean global : new boolean[]{true, false}) {
                applications += replay(c, dataType, tolerance, global, defaultAnchor(c));
                applications += replay(c, dataType, tolerance, global, explicitAnchor(c));
                runs += 2;
            }
        }
        System.out.println("Dl4jSpdGoldenConformanceTest (" + dataType + ", " + tolerance + "): " + runs
                + " network replays, projection applied " + applications + " times");
        assertThat(applications).as("projections applied over all replays").isPositive();
    }

    /** {@code of(λ)} when the anchor is the initial point, {@code towardZero(λ)} for the zero-anchor case. */
    private static Supplier<List<Regularization>> defaultAnchor(GoldenCase c) {
        double lambda = c.hyperparameter("lambda");
        if (isZeroAnchor(c)) {
            return () -> SelectiveProjectionDecay.towardZero(lambda);
        }
        double[][] anchor = c.anchor().orElse(c.initialValues());
        assertThat(concat(anchor)).as("%s: anchor is the initial point", c.name()).containsExactly(concat(c.initialValues()));
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
        IUpdater base = new TorchAdam(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
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

    private static List<String> paramNames(GoldenCase c) {
        return c.tensors().size() == 2 ? List.of("0_W", "0_b") : List.of("0_W");
    }

    /** One DenseLayer whose W (and b) have the shapes (and hence lengths) of the case's tensors. */
    static MultiLayerNetwork network(GoldenCase c, DataType dataType, IUpdater base, Supplier<List<Regularization>> spd,
                                     boolean global) {
        List<GoldenCase.GoldenTensor> tensors = c.tensors();
        int[] w = tensors.get(0).shape();
        boolean hasBias = tensors.size() == 2;
        if (hasBias) {
            assertThat(tensors.get(1).shape()).containsExactly(w[1]);
        }
        DenseLayer.Builder layer = new DenseLayer.Builder().nIn(w[0]).nOut(w[1]).activation(Activation.IDENTITY).hasBias(hasBias);
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder().seed(1).dataType(dataType).updater(base);
        if (spd != null) {
            List<Regularization> regularization = spd.get();
            if (global) {
                builder.regularization(regularization).regularizationBias(regularization);
            } else {
                layer.regularization(regularization).regularizationBias(regularization);
            }
        }
        MultiLayerNetwork net = new MultiLayerNetwork(builder.list().layer(layer.build()).build());
        net.init();
        net.initGradientsView();
        if (spd != null && global) {
            // The DL4J 1.0.0-M2.1 trap this configuration exercises: the global list lands twice in the layer.
            List<Regularization> inLayer = ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getRegularization();
            assertThat(inLayer.stream().filter(r -> r instanceof SelectiveProjectionDecay)).as("condition steps in the layer").hasSize(2);
            assertThat(inLayer.stream().filter(r -> r instanceof SelectiveProjectionDecay.Projection)).hasSize(2);
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
        long applications = 0;
        for (GoldenCase c : spdCases()) {
            double lr = c.hyperparameter("learningRate");
            List<IUpdater> bases = List.of(new Adam(lr, c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon")),
                    new Sgd(lr));
            for (IUpdater base : bases) {
                for (boolean explicit : new boolean[]{false, true}) {
                    applications += compareWithReference(c, base, explicit ? explicitAnchor(c) : defaultAnchor(c));
                }
            }
        }
        assertThat(applications).as("projections applied over DL4J's Adam and Sgd").isPositive();
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
        int iteration = 0;
        boolean differsFromPlain = false;
        for (GoldenCase.GoldenStep step : c.steps()) {
            double[] g = concat(step.gradients());
            INDArray u = Nd4j.createFromArray(g.clone());
            updater.applyUpdater(u, iteration, 0);
            double[] update = u.toDoubleVector();
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
        }
        long applications = 0;
        for (String name : paramNames(c)) {
            applications += SelectiveProjectionDecay.applicationCount(net.getParam(name));
        }
        if (applications > 0 && lambda > 0) {
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
