package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.updater.Adam;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The SAM and ASAM golden cases replayed through real DL4J networks with {@link SharpnessAwareTraining}
 * attached, every step compared at 1e-9 relative: quadratics of any tensor count and shapes as below,
 * factorisations as a two-layer network (the mapping of {@code Dl4jBalancednessGoldenConformanceTest}).
 * <p>
 * <b>Mapping.</b> A case's quadratic {@code f(x) = Σ_k ½ x_kᵀA_k x_k − b_kᵀx_k} is, with x the concatenation
 * of the case's tensors (row-major) and A = L Lᵀ the Cholesky factorisation of the block-diagonal matrix,
 * {@code ½ Σ_i (r_iᵀx − y_i)² − ½‖y‖²} for the rows r_i of Lᵀ and y = L⁻¹b. The network is one
 * {@code OutputLayer} (nIn = n, nOut = 1, identity, no bias, DOUBLE) whose weight column is x, fed the n rows
 * as one minibatch. DL4J's {@link LossL2} gives Σ_i (ŷ_i − y_i)² and the updater divides the gradient by the
 * minibatch size n, so inputs and targets are scaled by c = √(n/2): the updater then sees exactly ∇f, and the
 * score (L2 averaged over the minibatch) is f(x) + ½‖y‖². SAM's ε does not depend on the gradient's scale,
 * so the first pass's undivided gradient gives the same ε.
 * <p>
 * Base optimisers: DL4J's {@link Sgd}, and {@link Adam} for Adam (DL4J's own Adam places ε differently
 * from torch.optim, whose Adam produced the golden cases).
 */
class Dl4jSharpnessGoldenConformanceTest {
    private static final double TOLERANCE = 1e-9;

    /** The algorithms this harness replays. */
    static final Set<String> SAM = Set.of("SAM", "ASAM");

    @Test
    void samAndAsamCasesMatchThroughAMultiLayerNetworkWithWorkspaces() {
        runAll(GoldenCases.directory(), false, WorkspaceMode.ENABLED);
    }

    @Test
    void samAndAsamCasesMatchThroughAMultiLayerNetworkWithoutWorkspaces() {
        runAll(GoldenCases.directory(), false, WorkspaceMode.NONE);
    }

    @Test
    void samAndAsamCasesMatchThroughAComputationGraph() {
        runAll(GoldenCases.directory(), true, WorkspaceMode.ENABLED);
    }

    /** Generated quadratics of one, two and three tensors of unrelated shapes and factorisations, over SGD and Adam. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 4, 52);
        int perCombination = GoldenCaseWriter.UNRELATED_SHAPES.length + 1;
        Map<String, Integer> expected = Map.of("SAM/SGD", perCombination, "SAM/Adam", perCombination, "ASAM/SGD", perCombination,
                "ASAM/Adam", perCombination);
        assertThat(runAll(dir, false, WorkspaceMode.ENABLED)).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(runAll(dir, true, WorkspaceMode.ENABLED)).containsExactlyInAnyOrderEntriesOf(expected);
    }

    /**
     * Replays every SAM/ASAM case of {@code dir}, whatever its algorithm/base combination: quadratics through the
     * one-layer least-squares network, factorisations through {@code Dl4jBalancednessGoldenConformanceTest}'s
     * two-layer network. nBAR/oBAR cases are counted as skipped (that test replays them). Fails on an unknown
     * algorithm, base or problem type, or when none ran. Returns the cases run per algorithm/base.
     */
    static Map<String, Integer> runAll(Path dir, boolean graph, WorkspaceMode mode) {
        ConformanceTally tally = new ConformanceTally("Dl4jSharpnessGoldenConformanceTest ("
                + (graph ? "ComputationGraph" : "MultiLayerNetwork") + ", " + mode + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), "function")) {
            String type = c.json().path("problem").path("type").asText();
            if (c.algorithm().equals("nBAR") || c.algorithm().equals("oBAR")) {
                tally.skipped(c.algorithm() + ": replayed by Dl4jBalancednessGoldenConformanceTest");
            } else if (!SAM.contains(c.algorithm())) {
                tally.unknown(c, "not a sharpness-aware method");
            } else if (type.equals("quadratic")) {
                replay(c, graph, mode);
                tally.ran(c.algorithm() + "/" + c.json().path("hyperparameters").path("base").asText());
            } else if (type.equals("factorization")) {
                replayFactorization(c, graph);
                tally.ran(c.algorithm() + "/" + c.json().path("hyperparameters").path("base").asText());
            } else {
                tally.unknown(c, "unknown problem type '" + type + "'");
            }
        }
        return tally.finish();
    }

    /** A SAM/ASAM factorisation case: X and Yᵀ as two layers' weights (see Dl4jBalancednessGoldenConformanceTest). */
    private static void replayFactorization(GoldenCase c, boolean graph) {
        var f = Dl4jBalancednessGoldenConformanceTest.Factorization.of(c);
        Model model = Dl4jBalancednessGoldenConformanceTest.factorNetwork(f, baseUpdater(c), graph);
        double[][] initial = c.initialValues();
        Dl4jBalancednessGoldenConformanceTest.param(model, graph, 0).assign(Nd4j.create(initial[0], new long[]{f.m(), f.r()}, 'c'));
        Dl4jBalancednessGoldenConformanceTest.param(model, graph, 1)
                .assign(Nd4j.create(initial[1], new long[]{f.n(), f.r()}, 'c').transpose());
        model.setListeners(samOf(c));
        DataSet data = f.dataSet();
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            fit(model, data);
            stepNo++;
            double[] x = Dl4jBalancednessGoldenConformanceTest.param(model, graph, 0).dup('c').reshape(f.m() * f.r()).toDoubleVector();
            double[] y = Dl4jBalancednessGoldenConformanceTest.param(model, graph, 1).transpose().dup('c').reshape(f.n() * f.r())
                    .toDoubleVector();
            assertThatValues(x).as("%s step %d X", c.name(), stepNo).isCloseTo(step.after()[0], TOLERANCE);
            assertThatValues(y).as("%s step %d Y", c.name(), stepNo).isCloseTo(step.after()[1], TOLERANCE);
        }
        assertThat(stepNo).as("%s steps", c.name()).isPositive();
    }

    /** The quadratic golden problem as a least-squares dataset: see the class comment. */
    record Quadratic(double[][] rows, double[] targets, double constant) {
        static Quadratic of(GoldenCase c) {
            JsonNode problem = c.json().path("problem");
            assertThat(problem.path("type").asText()).as("%s problem type", c.name()).isEqualTo("quadratic");
            int n = 0;
            for (JsonNode b : problem.path("b")) {
                n += b.size();
            }
            double[][] a = new double[n][n];
            double[] b = new double[n];
            int offset = 0;
            for (int t = 0; t < problem.path("b").size(); t++) {
                double[] at = GoldenCase.toDoubleArray(problem.path("A").get(t));
                double[] bt = GoldenCase.toDoubleArray(problem.path("b").get(t));
                int m = bt.length;
                for (int i = 0; i < m; i++) {
                    b[offset + i] = bt[i];
                    for (int j = 0; j < m; j++) {
                        a[offset + i][offset + j] = at[i * m + j];
                    }
                }
                offset += m;
            }
            double[][] l = cholesky(a, c.name());
            double[] y = new double[n];   // L y = b
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int j = 0; j < i; j++) {
                    s -= l[i][j] * y[j];
                }
                y[i] = s / l[i][i];
            }
            double[][] rows = new double[n][n];   // rows of Lᵀ
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    rows[i][j] = l[j][i];
                }
            }
            double yy = 0;
            for (double v : y) {
                yy += v * v;
            }
            return new Quadratic(rows, y, 0.5 * yy);
        }

        int size() {
            return targets.length;
        }

        /** Inputs and targets scaled by √(n/2), see the class comment. */
        DataSet dataSet() {
            double c = Math.sqrt(size() / 2.0);
            double[][] x = new double[size()][size()];
            double[][] t = new double[size()][1];
            for (int i = 0; i < size(); i++) {
                for (int j = 0; j < size(); j++) {
                    x[i][j] = c * rows[i][j];
                }
                t[i][0] = c * targets[i];
            }
            return new DataSet(Nd4j.create(x).castTo(DataType.DOUBLE), Nd4j.create(t).castTo(DataType.DOUBLE));
        }

        /** ½ Σ (r_iᵀx − y_i)², i.e. f(x) + ½‖y‖²: the score DL4J reports at x. */
        double score(double[] x) {
            double s = 0;
            for (int i = 0; i < size(); i++) {
                double r = -targets[i];
                for (int j = 0; j < size(); j++) {
                    r += rows[i][j] * x[j];
                }
                s += r * r;
            }
            return 0.5 * s;
        }
    }

    static double[][] cholesky(double[][] a, String name) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    assertThat(s).as("%s: A must be positive definite", name).isPositive();
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    static IUpdater baseUpdater(GoldenCase c) {
        JsonNode hp = c.json().path("hyperparameters");
        JsonNode base = hp.path("baseHyperparameters");
        double lr = base.path("learningRate").asDouble(Double.NaN);
        assertThat(lr).as("%s base learning rate", c.name()).isPositive();
        return switch (hp.path("base").asText()) {
            case "SGD" -> new Sgd(lr);
            case "Adam" -> new Adam(lr, base.path("beta1").asDouble(), base.path("beta2").asDouble(), base.path("epsilon").asDouble());
            default -> throw new AssertionError(c.name() + ": unknown base optimiser " + hp.path("base"));
        };
    }

    static SharpnessAwareTraining samOf(GoldenCase c) {
        JsonNode hp = c.json().path("hyperparameters");
        boolean adaptive = hp.path("adaptive").asBoolean(c.algorithm().equals("ASAM"));
        assertThat(adaptive).as("%s adaptive flag vs algorithm", c.name()).isEqualTo(c.algorithm().equals("ASAM"));
        double rho = c.hyperparameter("rho");
        return adaptive ? SharpnessAwareTraining.asam(rho, c.hyperparameter("eta", 0.0)) : SharpnessAwareTraining.sam(rho);
    }

    /** A one-layer network computing r·x for a weight column x of length n. */
    static Model network(int n, IUpdater updater, boolean graph, WorkspaceMode mode) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .trainingWorkspaceMode(mode)
                .inferenceWorkspaceMode(mode);
        OutputLayer out = new OutputLayer.Builder(new LossL2()).nIn(n).nOut(1).activation(Activation.IDENTITY).hasBias(false).build();
        if (graph) {
            ComputationGraphConfiguration conf = builder.graphBuilder().addInputs("in").addLayer("out", out, "in").setOutputs("out").build();
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            return g;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(builder.list().layer(out).build());
        net.init();
        return net;
    }

    static void fit(Model model, DataSet data) {
        if (model instanceof MultiLayerNetwork net) {
            net.fit(data);
        } else {
            ((ComputationGraph) model).fit(data);
        }
    }

    /** Records the score the network reports after each iteration. */
    static final class Scores extends BaseTrainingListener {
        final List<Double> reported = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            reported.add(model.score());
        }
    }

    private static void replay(GoldenCase c, boolean graph, WorkspaceMode mode) {
        Quadratic q = Quadratic.of(c);
        DataSet data = q.dataSet();
        Model model = network(q.size(), baseUpdater(c), graph, mode);
        double[] x = concat(c.initialValues());
        assertThat(model.numParams()).isEqualTo(x.length);
        model.params().assign(Nd4j.createFromArray(x).reshape(model.params().shape()));
        Scores scores = new Scores();
        model.setListeners(samOf(c), scores);

        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            double expectedScore = q.score(model.params().toDoubleVector());
            fit(model, data);
            stepNo++;
            assertThatValues(model.params().toDoubleVector()).as("%s step %d", c.name(), stepNo)
                    .isCloseTo(concat(step.after()), TOLERANCE);
            // the reported score is the loss at θ before the step, not at θ + ε
            assertThat(scores.reported.get(stepNo - 1)).as("%s step %d score", c.name(), stepNo)
                    .isCloseTo(expectedScore, within(TOLERANCE * Math.max(1, Math.abs(expectedScore))));
        }
        assertThat(stepNo).as("%s steps", c.name()).isPositive();
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
