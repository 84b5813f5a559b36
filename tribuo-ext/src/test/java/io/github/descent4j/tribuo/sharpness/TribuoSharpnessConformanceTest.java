package io.github.descent4j.tribuo.sharpness;

import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every SAM/ASAM golden case (quadratic {@code f = Σ_k ½x_kᵀA_kx_k − b_kᵀx_k}, base SGD or Adam)
 * through the Tribuo adapter: descent4j's {@link LinearRegressionTrainer}, full batch, squared loss, with
 * {@link SharpnessAwareTraining} on, comparing the weights after every step at 1e-9 relative.
 * <p>
 * The mapping. The case's tensors, concatenated, are the weight vector w ∈ ℝᵈ (features {@code x000 …}, whose
 * IDs follow their names); A is block-diagonal. With A = LLᵀ (Cholesky), the examples are the pairs
 * ±r_j, r_j = √d · (column j of L), with targets ±y_j, y = √d · L⁻¹b. Tribuo's {@code SquaredLoss} reports
 * ℓ = ½(y − ŷ)² and hands back y − ŷ (the negated loss gradient), and the loop averages over the N = 2d
 * examples, so the loop minimises L(w, c) = (1/N) Σ ½(y_i − wᵀx_i − c)², whose gradient in w is
 * (1/d)RᵀR w − (1/d)Rᵀy = Aw − b with R the matrix of rows r_j; since Σx_i = 0 and Σy_i = 0 the bias c's
 * gradient is c, which stays exactly 0 from c = 0 (and contributes nothing to the SAM norm). The initial
 * weights are the case's, written into the live parameters by a listener's {@code onStart} (before the
 * first step; the optimisers' state is zero then regardless of the weights).
 * <p>
 * Each case runs twice: with every example holding all d features (the dense path, explicit zeros
 * included), and with the zero entries of the rows dropped (the sparse path, whose perturbation covers
 * only the batch's active columns). The sparse variant also carries a feature {@code zpad}, present (as an
 * explicit 0) in one example only, so that no example holds every feature and the loop takes its sparse
 * path even where a column of L is full; its weight's gradient is 0, so it stays 0 and moves nothing.
 */
class TribuoSharpnessConformanceTest {
    private static final double TOLERANCE = 1e-9;
    private static final Set<String> REPLAYED = Set.of("SAM", "ASAM");
    /** Function cases of the other sharpness methods: factor-pair problems, not linear models; not replayed here. */
    private static final Set<String> NOT_APPLICABLE = Set.of("nBAR", "oBAR");

    @Test
    void everySamAndAsamCaseMatchesThroughTheRegressionTrainer() {
        runAll(GoldenCases.directory());
    }

    /** Generated quadratics of one, two and three tensors of unrelated shapes, over SGD and Adam. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 4, 22);
        int quadratics = 2 * GoldenCaseWriter.UNRELATED_SHAPES.length;
        assertThat(runAll(dir)).containsExactlyInAnyOrderEntriesOf(Map.of("SAM", quadratics, "ASAM", quadratics));
    }

    /**
     * Replays every SAM/ASAM quadratic case of {@code dir}, dense and sparse; fails on an unknown algorithm or
     * problem type, or when none ran. nBAR/oBAR cases and factorisation problems (bilinear, not a linear model) are
     * counted as skipped.
     */
    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("TribuoSharpnessConformanceTest (dense and sparse)", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), "function")) {
            String type = c.json().path("problem").path("type").asText();
            if (!REPLAYED.contains(c.algorithm()) && !NOT_APPLICABLE.contains(c.algorithm())) {
                tally.unknown(c, "not a sharpness-aware method");
            } else if (!type.equals("quadratic") && !type.equals("factorization")) {
                tally.unknown(c, "unknown problem type '" + type + "'");
            } else if (NOT_APPLICABLE.contains(c.algorithm())) {
                tally.skipped(c.algorithm() + ": balances two factors, not a linear model");
            } else if (type.equals("factorization")) {
                tally.skipped(c.algorithm() + " on a factorisation: bilinear, not a linear model");
            } else {
                replay(c, false);
                replay(c, true);
                tally.ran(c.algorithm());
            }
        }
        return tally.finish();
    }

    /** Trains through the adapter and compares every step; returns the number of steps compared. */
    private static int replay(GoldenCase c, boolean sparse) {
        JsonNode problem = c.json().path("problem");
        assertThat(problem.path("type").asText()).as("%s problem type", c.name()).isEqualTo("quadratic");
        double[] initial = concatenate(c.initialValues());
        int d = initial.length;
        double[][] a = blockDiagonal(problem.path("A"), c.name());
        double[] b = concatenate(problem.path("b"));
        assertThat(a.length).as("%s: A matches the tensors", c.name()).isEqualTo(d);
        assertThat(b.length).as("%s: b matches the tensors", c.name()).isEqualTo(d);

        double[][] lower = cholesky(a, c.name());
        double[] y = forwardSubstitution(lower, b);
        double scale = Math.sqrt(d);
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance(c.name(), factory), factory);
        for (int j = 0; j < d; j++) {
            for (double sign : new double[]{1.0, -1.0}) {
                ArrayExample<Regressor> example = new ArrayExample<>(new Regressor("y", sign * y[j]));
                if (sparse && j == d - 1 && sign < 0) {   // L's last column has one entry: never a full example
                    example.add(PAD, 0.0);
                }
                for (int i = 0; i < d; i++) {
                    double v = sign * scale * lower[i][j];
                    if (!sparse || v != 0.0) {
                        example.add(featureName(i), v);
                    }
                }
                data.add(example);
            }
        }
        int columns = d + (sparse ? 1 : 0) + 1;
        assertThat(data.getFeatureMap().size()).as("%s: every coordinate is a feature", c.name()).isEqualTo(columns - 1);

        JsonNode hp = c.json().path("hyperparameters");
        boolean adaptive = hp.path("adaptive").asBoolean(c.algorithm().equals("ASAM"));
        assertThat(adaptive).as("%s: adaptive flag vs algorithm", c.name()).isEqualTo(c.algorithm().equals("ASAM"));
        double rho = c.hyperparameter("rho");
        SharpnessAwareTraining sharpness = adaptive ? SharpnessAwareTraining.asam(rho, c.hyperparameter("eta", 0.0)) : SharpnessAwareTraining.sam(rho);
        List<GoldenCase.GoldenStep> steps = c.steps();
        LinearRegressionTrainer trainer = LinearRegressionTrainer.fullBatch(new SquaredLoss(),
                new StartingAt(initial, baseOptimiser(c.name(), hp.path("base").asText(), hp.path("baseHyperparameters"))),
                steps.size(), 1L);
        trainer.setSharpnessAware(sharpness);
        List<double[]> after = new ArrayList<>();
        List<double[]> rest = new ArrayList<>();
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStart(TrainingProgress<Regressor> p) {
                assertThat(p.featureMap().get(featureName(d - 1)).getID()).isEqualTo(d - 1);
                PreparedExamples<Regressor> prepared = p.prepare(data);
                for (int i = 0; i < prepared.size(); i++) {
                    assertThat(prepared.features(i)).as("example %d", i).isInstanceOf(sparse ? SparseVector.class : DenseVector.class);
                }
                double[] row = weightRow(p);   // the optimiser was initialised (StartingAt) before onStart
                assertThat(row).hasSize(columns);
                assertThat(Arrays.copyOf(row, d)).containsExactly(initial);
                assertThat(Arrays.copyOfRange(row, d, columns)).containsOnly(0.0);
            }

            @Override
            public void onStep(TrainingProgress<Regressor> p) {
                double[] row = weightRow(p);
                after.add(Arrays.copyOf(row, d));
                rest.add(Arrays.copyOfRange(row, d, columns));
            }
        });
        trainer.train(data);

        assertThat(after).as("%s steps taken", c.name()).hasSize(steps.size());
        for (int t = 0; t < steps.size(); t++) {
            double[] expected = concatenate(steps.get(t).after());
            assertThatValues(after.get(t)).as("%s (%s) step %d", c.name(), sparse ? "sparse" : "dense", t + 1)
                    .isCloseTo(expected, TOLERANCE);
            assertThat(rest.get(t)).as("%s step %d bias (and zpad)", c.name(), t + 1).containsOnly(0.0);
        }
        return steps.size();
    }

    /** A feature that sorts after every {@link #featureName}. */
    private static final String PAD = "zpad";

    private static String featureName(int i) {
        return String.format("x%03d", i);
    }

    /**
     * Puts the case's starting point into the weights the trainer initialises its optimiser with (sparse data:
     * feature-major {@code [features + 1, 1]}; dense: Tribuo's {@code [1, features + 1]}); the bias and the pad
     * feature stay 0.
     */
    private static final class StartingAt extends ForwardingOptimiser {
        private final double[] initial;
        private final StochasticGradientOptimiser base;

        StartingAt(double[] initial, StochasticGradientOptimiser base) {
            this.initial = initial;
            this.base = base;
        }

        @Override
        protected StochasticGradientOptimiser delegate() {
            return base;
        }

        @Override
        public void initialise(Parameters parameters) {
            double[][] w = TribuoTensors.rows((DenseMatrix) parameters.get()[0]);
            boolean featureMajor = parameters instanceof FeatureMajorLinearParameters;
            for (int j = 0; j < initial.length; j++) {
                if (featureMajor) {
                    w[j][0] = initial[j];
                } else {
                    w[0][j] = initial[j];
                }
            }
            super.initialise(parameters);
        }

        @Override
        public StartingAt copy() {
            return new StartingAt(initial, base.copy());
        }
    }

    /** The weight row of the single regression output, bias last. */
    private static double[] weightRow(TrainingProgress<Regressor> p) {
        DenseMatrix w = p.parameters().getWeightMatrix();
        assertThat(w.getDimension1Size()).isEqualTo(1);
        return TribuoTensors.rows(w)[0];
    }

    private static StochasticGradientOptimiser baseOptimiser(String name, String base, JsonNode hp) {
        return switch (base) {
            // Tribuo's own: θ += lr·(the loop's mean negated gradient), i.e. θ −= lr·∇L.
            case "SGD" -> SGD.getSimpleSGD(number(hp, "learningRate", name));
            // descent4j's torch-semantics Adam.
            case "Adam" -> new Adam(number(hp, "learningRate", name), number(hp, "beta1", name),
                    number(hp, "beta2", name), number(hp, "epsilon", name));
            default -> throw new AssertionError(name + ": unknown base optimiser '" + base + "'");
        };
    }

    private static double number(JsonNode node, String field, String name) {
        JsonNode v = node.path(field);
        if (!v.isNumber()) {
            throw new AssertionError(name + ": '" + field + "' is missing or not a number");
        }
        return v.asDouble();
    }

    private static double[] concatenate(double[][] tensors) {
        return Arrays.stream(tensors).flatMapToDouble(Arrays::stream).toArray();
    }

    private static double[] concatenate(JsonNode arrays) {
        List<double[]> parts = new ArrayList<>();
        for (JsonNode part : arrays) {
            parts.add(GoldenCase.toDoubleArray(part));
        }
        return concatenate(parts.toArray(new double[0][]));
    }

    /** The block-diagonal matrix of the case's A_k (each n_k × n_k, row-major). */
    private static double[][] blockDiagonal(JsonNode blocks, String name) {
        List<double[]> flat = new ArrayList<>();
        int d = 0;
        for (JsonNode block : blocks) {
            double[] values = GoldenCase.toDoubleArray(block);
            int n = (int) Math.round(Math.sqrt(values.length));
            assertThat(n * n).as("%s: A block %d is square", name, flat.size()).isEqualTo(values.length);
            flat.add(values);
            d += n;
        }
        double[][] a = new double[d][d];
        int offset = 0;
        for (double[] values : flat) {
            int n = (int) Math.round(Math.sqrt(values.length));
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[offset + i][offset + j] = values[i * n + j];
                }
            }
            offset += n;
        }
        return a;
    }

    /** Lower-triangular L with A = LLᵀ; fails clearly unless A is symmetric positive definite. */
    static double[][] cholesky(double[][] a, String name) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (Math.abs(a[i][j] - a[j][i]) > 1e-12 * Math.max(1, Math.abs(a[i][j]))) {
                    throw new AssertionError(name + ": A is not symmetric at [" + i + ", " + j + "]: "
                            + a[i][j] + " vs " + a[j][i] + "; the regression mapping needs symmetric positive definite A_k");
                }
            }
        }
        for (int j = 0; j < d; j++) {
            double pivot = a[j][j];
            for (int k = 0; k < j; k++) {
                pivot -= l[j][k] * l[j][k];
            }
            if (!(pivot > 0)) {
                throw new AssertionError(name + ": A is not positive definite (Cholesky pivot " + j + " is " + pivot
                        + "); the regression mapping needs positive definite A_k");
            }
            l[j][j] = Math.sqrt(pivot);
            for (int i = j + 1; i < d; i++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = s / l[j][j];
            }
        }
        return l;
    }

    /** Solves L y = √d · b. */
    private static double[] forwardSubstitution(double[][] l, double[] b) {
        int d = b.length;
        double scale = Math.sqrt(d);
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double s = scale * b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        return y;
    }

    @Test
    void aMatrixThatIsNotPositiveDefiniteIsReportedClearly() {
        double[][] indefinite = {{1.0, 2.0}, {2.0, 1.0}};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cholesky(indefinite, "bad-case"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("bad-case").hasMessageContaining("not positive definite");
        assertThat(cholesky(new double[][]{{4.0, 2.0}, {2.0, 5.0}}, "ok")).isDeepEqualTo(new double[][]{{2.0, 0.0}, {1.0, 2.0}});
    }
}
