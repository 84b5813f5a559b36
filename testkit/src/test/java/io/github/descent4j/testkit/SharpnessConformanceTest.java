package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.layerwise.PerTensorLearningRates;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.sharpness.AlphaSchedule;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.core.sharpness.GradientOracle;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.Arrays;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sharpness-aware methods (SAM, ASAM, nBAR, oBAR) replayed on every {@code function} golden case at
 * 1e-9 relative, through the core wrappers ({@link SharpnessAwareMinimization}, {@link BalancednessAwareRegularization})
 * over a {@link FlatOptimiser}, and again over {@link PerTensorLearningRates}. The test computes the problems' gradients itself: the quadratic
 * {@code sum_k 0.5 x_kᵀA_k x_k − b_kᵀx_k} and the factorisation {@code 0.5‖X Yᵀ − M‖²}.
 */
class SharpnessConformanceTest {
    private static final Set<String> ALGORITHMS = Set.of("SAM", "ASAM", "nBAR", "oBAR");

    @Test
    void everyFunctionCaseMatches() {
        runAll(GoldenCases.directory(), 1.0);
    }

    /**
     * The same cases with the base rule at lr / 3 under {@link PerTensorLearningRates} multipliers of 3: SAM and
     * BAR over a wrapper, which must still follow the golden trajectories (the base step is linear in lr).
     */
    @Test
    void everyFunctionCaseMatchesOverPerTensorLearningRates() {
        runAll(GoldenCases.directory(), 3.0);
    }

    /** Generated quadratics of one, two and three tensors of unrelated shapes, and factorisations. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 12);
        int perSam = 2 * (GoldenCaseWriter.UNRELATED_SHAPES.length + 1);
        assertThat(runAll(dir, 1.0)).containsExactlyInAnyOrderEntriesOf(Map.of("SAM", perSam, "ASAM", perSam, "nBAR", 3, "oBAR", 3));
        assertThat(runAll(dir, 3.0)).containsOnlyKeys(ALGORITHMS);
    }

    /** Replays every function case of {@code dir}; fails on an unknown algorithm or when none ran. */
    static Map<String, Integer> runAll(Path dir, double multiplier) {
        ConformanceTally tally = new ConformanceTally("SharpnessConformanceTest (multiplier " + multiplier + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), "function")) {
            if (!ALGORITHMS.contains(c.algorithm())) {
                tally.unknown(c, "not a sharpness-aware method");
                continue;
            }
            replay(c, multiplier);
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    /** The base optimiser: the rule at lr directly, or at lr / multiplier under per-tensor multipliers. */
    private static Optimiser base(UpdateRule rule, double lr, double[][] params, double multiplier) {
        if (multiplier == 1.0) {
            return new FlatOptimiser(rule, lr, params);
        }
        double[] multipliers = new double[params.length];
        Arrays.fill(multipliers, multiplier);
        return new PerTensorLearningRates(new FlatOptimiser(rule, lr / multiplier, params), multipliers);
    }

    private static void replay(GoldenCase c, double multiplier) {
        JsonNode hp = c.json().path("hyperparameters");
        GradientOracle oracle = oracle(c.json().path("problem"), c.name());
        double[][] params = c.initialValues();
        List<GoldenCase.GoldenStep> steps = c.steps();
        int stepNo = 0;
        switch (c.algorithm()) {
            case "SAM", "ASAM" -> {
                boolean adaptive = hp.path("adaptive").asBoolean(c.algorithm().equals("ASAM"));
                assertThat(adaptive).as("%s: adaptive flag vs algorithm", c.name()).isEqualTo(c.algorithm().equals("ASAM"));
                JsonNode base = hp.path("baseHyperparameters");
                Optimiser optimizer = base(baseRule(c.name(), hp.path("base").asText(), base),
                        number(base, "learningRate", c.name()), params, multiplier);
                double rho = c.hyperparameter("rho");
                SharpnessAwareMinimization sam = adaptive
                        ? SharpnessAwareMinimization.asam(optimizer, rho, c.hyperparameter("eta", 0.0))
                        : SharpnessAwareMinimization.sam(optimizer, rho);
                for (GoldenCase.GoldenStep step : steps) {
                    stepNo++;
                    sam.step(oracle);
                    check(c, stepNo, params, step);
                }
            }
            case "nBAR", "oBAR" -> {
                assertThat(params.length).as("%s: nBAR/oBAR balance two factors, tensors 0 and 1", c.name()).isGreaterThanOrEqualTo(2);
                assertThat(hp.path("base").asText()).as("%s base", c.name()).isEqualTo("SGD");
                double lr = c.hyperparameter("learningRate");
                double alpha0 = c.hyperparameter("alpha0");
                String schedule = hp.path("schedule").asText();
                AlphaSchedule alpha = switch (schedule) {
                    case "constant" -> AlphaSchedule.constant(alpha0);
                    case "linear" -> AlphaSchedule.linear(alpha0, steps.size());
                    case "cosine" -> AlphaSchedule.cosine(alpha0, steps.size());
                    default -> throw new AssertionError(c.name() + ": unknown alpha schedule '" + schedule + "'");
                };
                Optimiser optimizer = base(new SgdRule(), lr, params, multiplier);
                BalancednessAwareRegularization bar = c.algorithm().equals("nBAR")
                        ? BalancednessAwareRegularization.nbar(optimizer, lr, alpha)
                        : BalancednessAwareRegularization.obar(optimizer, lr, alpha);
                for (GoldenCase.GoldenStep step : steps) {
                    stepNo++;
                    bar.step(oracle);
                    check(c, stepNo, params, step);
                }
                // x and y are the case's first two tensors; further tensors take the base step only.
                assertThat(bar.balancedness()).isEqualTo(BalancednessAwareRegularization.balancedness(params[0], params[1]));
            }
            default -> throw new AssertionError(c.name() + ": unknown algorithm " + c.algorithm());
        }
        assertThat(stepNo).as("%s steps", c.name()).isPositive();
    }

    private static void check(GoldenCase c, int stepNo, double[][] params, GoldenCase.GoldenStep step) {
        assertThat(step.after()).as("%s step %d after", c.name(), stepNo).isNotNull();
        assertThat(step.after().length).as("%s step %d tensor count", c.name(), stepNo).isEqualTo(params.length);
        for (int t = 0; t < params.length; t++) {
            assertThatValues(params[t]).as("%s step %d tensor %d", c.name(), stepNo, t).isCloseTo(step.after()[t], 1e-9);
        }
    }

    private static UpdateRule baseRule(String name, String base, JsonNode hp) {
        return switch (base) {
            case "SGD" -> new SgdRule();
            case "Adam" -> new AdamRule(number(hp, "beta1", name), number(hp, "beta2", name), number(hp, "epsilon", name), 0);
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

    /** The loss gradient of the case's problem. */
    static GradientOracle oracle(JsonNode problem, String name) {
        String type = problem.path("type").asText();
        switch (type) {
            case "quadratic": {
                int k = problem.path("A").size();
                double[][] a = new double[k][];
                double[][] b = new double[k][];
                for (int t = 0; t < k; t++) {
                    a[t] = GoldenCase.toDoubleArray(problem.path("A").get(t));
                    b[t] = GoldenCase.toDoubleArray(problem.path("b").get(t));
                    assertThat(a[t].length).as("%s A[%d] is n×n", name, t).isEqualTo(b[t].length * b[t].length);
                }
                return params -> {
                    double[][] g = new double[k][];
                    for (int t = 0; t < k; t++) {
                        int n = b[t].length;
                        double[] x = params[t];
                        double[] out = new double[n];
                        for (int i = 0; i < n; i++) {
                            double s = 0.0;
                            for (int j = 0; j < n; j++) {
                                s += a[t][i * n + j] * x[j];
                            }
                            out[i] = s - b[t][i];
                        }
                        g[t] = out;
                    }
                    return g;
                };
            }
            case "factorization": {
                int m = problem.path("m").asInt();
                int n = problem.path("n").asInt();
                int r = problem.path("r").asInt();
                double[] target = GoldenCase.toDoubleArray(problem.path("M"));
                assertThat(target).as("%s M is m×n", name).hasSize(m * n);
                return params -> {
                    double[] x = params[0];
                    double[] y = params[1];
                    double[] residual = new double[m * n];   // X Yᵀ − M
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0.0;
                            for (int q = 0; q < r; q++) {
                                s += x[i * r + q] * y[j * r + q];
                            }
                            residual[i * n + j] = s - target[i * n + j];
                        }
                    }
                    double[] gx = new double[m * r];   // R Y
                    double[] gy = new double[n * r];   // Rᵀ X
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double rij = residual[i * n + j];
                            for (int q = 0; q < r; q++) {
                                gx[i * r + q] += rij * y[j * r + q];
                                gy[j * r + q] += rij * x[i * r + q];
                            }
                        }
                    }
                    return new double[][]{gx, gy};
                };
            }
            default:
                throw new AssertionError(name + ": unknown problem type '" + type + "'");
        }
    }
}
