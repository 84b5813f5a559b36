package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.AlphaSchedule;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.core.sharpness.GradientOracle;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes {@code function} cases (SAM, ASAM, nBAR, oBAR on a quadratic of any tensor count and shapes, or on
 * the factorisation {@code 0.5‖X Yᵀ − M‖²}) with the expected trajectory from descent4j-core's wrappers over
 * {@link FlatOptimiser}, and {@code class-grouping} cases whose expected groups follow Kunstner et al.'s
 * {@code split_classes_by_frequency} as documented: classes by count, largest first; cumulative frequencies
 * compared in float64 with the cut points {@code g/G} ({@code np.linspace(0, 1, G, endpoint=False)[1:]});
 * {@code np.searchsorted(..., side="left")} cut indices i_g; splits at i_g + 1, which are EMPTY where two cut
 * indices coincide.
 */
public final class GoldenFunctionCaseWriter {
    private GoldenFunctionCaseWriter() {}

    /**
     * A function case on the quadratic {@code Σ_k ½ x_kᵀA_k x_k − b_kᵀx_k}, A_k = B Bᵀ + I random (positive definite).
     *
     * @param algorithm SAM, ASAM (base SGD or Adam), nBAR or oBAR (base SGD; x and y are tensors 0 and 1)
     */
    public static void quadratic(Path file, String name, String algorithm, String base, int[][] shapes, int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] initial = GoldenCaseWriter.random(shapes, rng, 1.0);
        double[][] a = new double[shapes.length][];
        double[][] b = GoldenCaseWriter.random(shapes, rng, 1.0);
        for (int t = 0; t < shapes.length; t++) {
            int n = b[t].length;
            double[] factor = new double[n * n];
            for (int i = 0; i < factor.length; i++) {
                factor[i] = (2 * rng.nextDouble() - 1) / Math.sqrt(n);
            }
            a[t] = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = i == j ? 1.0 : 0.0;
                    for (int q = 0; q < n; q++) {
                        s += factor[i * n + q] * factor[j * n + q];
                    }
                    a[t][i * n + j] = s;
                }
            }
        }
        ObjectNode problem = GoldenCaseWriter.MAPPER.createObjectNode();
        problem.put("type", "quadratic");
        problem.set("A", GoldenCaseWriter.arrays(a));
        problem.set("b", GoldenCaseWriter.arrays(b));
        GradientOracle oracle = params -> {
            double[][] g = new double[params.length][];
            for (int t = 0; t < params.length; t++) {
                int n = b[t].length;
                g[t] = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = -b[t][i];
                    for (int j = 0; j < n; j++) {
                        s += a[t][i * n + j] * params[t][j];
                    }
                    g[t][i] = s;
                }
            }
            return g;
        };
        write(file, name, algorithm, base, shapes, initial, problem, oracle, steps);
    }

    /** A function case on {@code 0.5‖X Yᵀ − M‖²}, X of shape [m, r] and Y of shape [n, r]. */
    public static void factorization(Path file, String name, String algorithm, String base, int m, int n, int r, int steps,
                                     long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] shapes = {{m, r}, {n, r}};
        double[][] initial = GoldenCaseWriter.random(shapes, rng, 0.7);
        double[] target = GoldenCaseWriter.random(new int[][]{{m, n}}, rng, 1.0)[0];
        ObjectNode problem = GoldenCaseWriter.MAPPER.createObjectNode();
        problem.put("type", "factorization");
        problem.put("m", m);
        problem.put("n", n);
        problem.put("r", r);
        ArrayNode mNode = problem.putArray("M");
        for (double v : target) {
            mNode.add(v);
        }
        GradientOracle oracle = params -> {
            double[] x = params[0];
            double[] y = params[1];
            double[] gx = new double[m * r];
            double[] gy = new double[n * r];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double rij = -target[i * n + j];
                    for (int q = 0; q < r; q++) {
                        rij += x[i * r + q] * y[j * r + q];
                    }
                    for (int q = 0; q < r; q++) {
                        gx[i * r + q] += rij * y[j * r + q];
                        gy[j * r + q] += rij * x[i * r + q];
                    }
                }
            }
            return new double[][]{gx, gy};
        };
        write(file, name, algorithm, base, shapes, initial, problem, oracle, steps);
    }

    private static void write(Path file, String name, String algorithm, String base, int[][] shapes, double[][] initial,
                              ObjectNode problem, GradientOracle oracle, int steps) {
        double[][] params = GoldenCaseWriter.copy(initial);
        Map<String, Object> settings = new LinkedHashMap<>();
        Map<String, Object> baseSettings = new LinkedHashMap<>();
        GoldenCaseWriter.Stepper stepper;
        switch (algorithm) {
            case "SAM", "ASAM" -> {
                boolean adaptive = algorithm.equals("ASAM");
                double lr = base.equals("Adam") ? 0.02 : 0.05;
                double rho = adaptive ? 0.5 : 0.05;
                settings.put("rho", rho);
                settings.put("adaptive", adaptive);
                settings.put("base", base);
                baseSettings.put("learningRate", lr);
                Optimiser optimiser = switch (base) {
                    case "SGD" -> new FlatOptimiser(new SgdRule(), lr, params);
                    case "Adam" -> {
                        baseSettings.put("beta1", 0.9);
                        baseSettings.put("beta2", 0.999);
                        baseSettings.put("epsilon", 1e-8);
                        yield new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), lr, params);
                    }
                    default -> throw new IllegalArgumentException("base must be SGD or Adam, got " + base);
                };
                settings.put("baseHyperparameters", baseSettings);
                SharpnessAwareMinimization sam = adaptive ? SharpnessAwareMinimization.asam(optimiser, rho, 0.0)
                        : SharpnessAwareMinimization.sam(optimiser, rho);
                stepper = g -> sam.step(oracle);
            }
            case "nBAR", "oBAR" -> {
                if (!base.equals("SGD")) {
                    throw new IllegalArgumentException("nBAR and oBAR run over SGD, got " + base);
                }
                double lr = 0.02;
                settings.put("alpha0", 0.5);
                settings.put("schedule", "linear");
                settings.put("learningRate", lr);
                settings.put("base", base);
                Optimiser optimiser = new FlatOptimiser(new SgdRule(), lr, params);
                AlphaSchedule alpha = AlphaSchedule.linear(0.5, steps);
                BalancednessAwareRegularization bar = algorithm.equals("nBAR") ? BalancednessAwareRegularization.nbar(optimiser, lr, alpha)
                        : BalancednessAwareRegularization.obar(optimiser, lr, alpha);
                stepper = g -> bar.step(oracle);
            }
            default -> throw new IllegalArgumentException("no core reference for function algorithm '" + algorithm + "'");
        }
        ObjectNode root = GoldenCaseWriter.header(name, "function", algorithm, settings,
                "generated: expected values from descent4j-core's wrappers over FlatOptimiser, see GoldenFunctionCaseWriter");
        root.set("tensors", GoldenCaseWriter.tensors(shapes, initial));
        root.set("problem", problem);
        ArrayNode stepNodes = root.putArray("steps");
        for (int t = 0; t < steps; t++) {
            stepper.step(null);
            stepNodes.addObject().set("after", GoldenCaseWriter.arrays(params));
        }
        GoldenCaseWriter.write(file, root);
    }

    /**
     * A class-grouping case with the groups of the reference rule in the class comment (empty groups included).
     * Counts should be distinct and positive: the reference's order of equal counts is unspecified and it never
     * sees a class of count 0.
     */
    public static void classGrouping(Path file, String name, int[] counts, int groups) {
        ObjectNode root = GoldenCaseWriter.header(name, "class-grouping", "ClassFrequencyGroups", Map.of("groups", groups),
                "generated: split_classes_by_frequency's rule in float64, see GoldenFunctionCaseWriter");
        ArrayNode countNode = root.putArray("classCounts");
        for (int c : counts) {
            countNode.add(c);
        }
        ArrayNode expected = root.putArray("expected");
        for (int[] group : referenceGroups(counts, groups)) {
            ArrayNode g = expected.addArray();
            for (int k : group) {
                g.add(k);
            }
        }
        GoldenCaseWriter.write(file, root);
    }

    /** The reference's splits, written from its documented steps (float64 as numpy computes them). */
    public static List<int[]> referenceGroups(int[] counts, int groups) {
        Integer[] order = new Integer[counts.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (p, q) -> counts[q] != counts[p] ? Integer.compare(counts[q], counts[p]) : Integer.compare(p, q));
        long total = Arrays.stream(counts).asLongStream().sum();
        double[] cumulative = new double[counts.length];
        double running = 0;
        for (int j = 0; j < order.length; j++) {
            running += (double) counts[order[j]] / total;   // np.cumsum of freq_sorted, sequential
            cumulative[j] = running;
        }
        double step = 1.0 / groups;
        int[] cut = new int[groups - 1];
        for (int g = 1; g < groups; g++) {
            double breakpoint = g * step;   // np.linspace(0, 1, G, endpoint=False)[g]
            int i = 0;
            while (i < cumulative.length && cumulative[i] < breakpoint) {
                i++;   // searchsorted, side="left": the first index with cumulative ≥ breakpoint
            }
            cut[g - 1] = Math.min(i + 1, counts.length);
        }
        List<int[]> out = new ArrayList<>();
        int from = 0;
        for (int g = 0; g < groups; g++) {
            int to = g < groups - 1 ? Math.max(from, cut[g]) : counts.length;
            int[] group = new int[to - from];
            for (int j = from; j < to; j++) {
                group[j - from] = order[j];
            }
            out.add(group);
            from = to;
        }
        return out;
    }
}
