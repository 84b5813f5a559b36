package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.spd.SelectiveProjectionDecay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes golden cases (format {@code descent4j-golden/1}) of any tensor count and shapes, so a conformance
 * harness can be run on cases the public set does not contain (three tensors, a rank-3 tensor, a lone
 * vector). Inputs are seeded random; the expected values come from descent4j-core, which the public cases
 * validate at 1e-9: gradient sequences from {@link FlatOptimiser} with the algorithm's rule (under
 * {@link SelectiveProjectionDecay} for AdamSPD), and SGD with momentum and AdaGrad, which have no core rule,
 * from torch.optim's update written out here. {@link GoldenFunctionCaseWriter} writes {@code function} and
 * {@code class-grouping} cases.
 */
public final class GoldenCaseWriter {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Every gradient-sequence algorithm of the format with the settings a generated case uses. */
    public static final Map<String, Map<String, Object>> GRADIENT_SEQUENCE_SETTINGS = gradientSequenceSettings();

    /**
     * Tensor lists of unrelated shapes: one vector, one rank-3 tensor, a matrix with a following vector that
     * is not its bias, three tensors of ranks 1–3, and a weight matrix with its bias and a further vector.
     */
    public static final int[][][] UNRELATED_SHAPES = {
            {{3}}, {{4, 1, 3}}, {{2, 5}, {3}}, {{3}, {2, 5}, {4, 1, 3}}, {{2, 3}, {3}, {4}}};

    private GoldenCaseWriter() {}

    /**
     * Writes a whole directory of generated cases of every kind: every gradient-sequence algorithm on every
     * {@link #UNRELATED_SHAPES} set; SAM and ASAM over SGD and Adam on quadratics of those shapes and on a
     * factorisation; nBAR and oBAR on a factorisation and on quadratics of two and three tensors; clipping by
     * global norm over SGD with momentum, Adam and AdamW on every shape set; class groupings with and without
     * empty groups.
     *
     * @return the number of files written
     */
    public static int writeSuite(Path dir, int steps, long seed) {
        int written = writeGradientSequences(dir, List.copyOf(GRADIENT_SEQUENCE_SETTINGS.keySet()), UNRELATED_SHAPES, steps, seed);
        for (String algorithm : List.of("SAM", "ASAM")) {
            for (String base : List.of("SGD", "Adam")) {
                String stem = "gen-" + algorithm.toLowerCase() + "-" + base.toLowerCase();
                for (int s = 0; s < UNRELATED_SHAPES.length; s++) {
                    GoldenFunctionCaseWriter.quadratic(dir.resolve(stem + "-" + s + ".json"), stem + "-" + s, algorithm, base,
                            UNRELATED_SHAPES[s], steps, seed + 7L * s + stem.hashCode());
                    written++;
                }
                GoldenFunctionCaseWriter.factorization(dir.resolve(stem + "-fact.json"), stem + "-fact", algorithm, base, 3, 4, 2,
                        steps, seed + stem.hashCode());
                written++;
            }
        }
        for (String algorithm : List.of("nBAR", "oBAR")) {
            String stem = "gen-" + algorithm.toLowerCase();
            GoldenFunctionCaseWriter.factorization(dir.resolve(stem + "-fact.json"), stem + "-fact", algorithm, "SGD", 4, 3, 2, steps,
                    seed + stem.hashCode());
            GoldenFunctionCaseWriter.quadratic(dir.resolve(stem + "-2.json"), stem + "-2", algorithm, "SGD", UNRELATED_SHAPES[2], steps,
                    seed + 3 + stem.hashCode());
            GoldenFunctionCaseWriter.quadratic(dir.resolve(stem + "-3.json"), stem + "-3", algorithm, "SGD", UNRELATED_SHAPES[3], steps,
                    seed + 4 + stem.hashCode());
            written += 3;
        }
        written += GoldenClipCaseWriter.writeClipCases(dir, UNRELATED_SHAPES, steps, seed + 5);
        // Class 1 holds 40 of 70 examples, more than 2/4: the reference's cut indices for 1/4 and 2/4 coincide.
        GoldenFunctionCaseWriter.classGrouping(dir.resolve("gen-groups-empty.json"), "gen-groups-empty", new int[]{9, 40, 2, 13, 6}, 4);
        GoldenFunctionCaseWriter.classGrouping(dir.resolve("gen-groups-more-than-classes.json"), "gen-groups-more-than-classes",
                new int[]{5, 3, 1}, 5);
        GoldenFunctionCaseWriter.classGrouping(dir.resolve("gen-groups-plain.json"), "gen-groups-plain",
                new int[]{30, 1, 12, 7, 50, 3, 20, 2}, 3);
        return written + 3;
    }

    private static Map<String, Map<String, Object>> gradientSequenceSettings() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put("SGD", Map.of("learningRate", 0.05, "momentum", 0.0));
        m.put("SGDMomentum", Map.of("learningRate", 0.05, "momentum", 0.9, "nesterov", false));
        m.put("AdaGrad", Map.of("learningRate", 0.1, "epsilon", 1e-10, "initialAccumulator", 0.1));
        m.put("Adam", Map.of("learningRate", 0.01, "beta1", 0.9, "beta2", 0.999, "epsilon", 1e-8));
        m.put("AdamW", Map.of("learningRate", 0.01, "beta1", 0.9, "beta2", 0.99, "epsilon", 1e-8, "weightDecay", 0.1));
        m.put("SignSGD", Map.of("learningRate", 0.01, "momentum", 0.9));
        m.put("NormalizedSGD", Map.of("learningRate", 0.1, "momentum", 0.9));
        m.put("Signum", Map.of("learningRate", 0.01, "beta", 0.9));
        m.put("Lion", Map.of("learningRate", 0.001, "beta1", 0.9, "beta2", 0.99, "weightDecay", 0.5));
        m.put("AdaGradNorm", Map.of("learningRate", 0.5, "b0", 0.1));
        m.put("AdamSPD", Map.of("learningRate", 0.05, "beta1", 0.9, "beta2", 0.999, "epsilon", 1e-8, "lambda", 1.0));
        return Collections.unmodifiableMap(m);
    }

    /**
     * Writes one gradient-sequence case per algorithm key of {@link #GRADIENT_SEQUENCE_SETTINGS} ({@code SGDMomentum}
     * is SGD with momentum) and per shape set, named {@code gen-KEY-SETINDEX}. AdamSPD cases alternate between no
     * anchor and an explicit random anchor.
     *
     * @return the number of files written
     */
    public static int writeGradientSequences(Path dir, List<String> keys, int[][][] shapeSets, int steps, long seed) {
        int written = 0;
        for (String key : keys) {
            for (int s = 0; s < shapeSets.length; s++) {
                String algorithm = key.equals("SGDMomentum") ? "SGD" : key;
                gradientSequence(dir.resolve("gen-" + key.toLowerCase() + "-" + s + ".json"), "gen-" + key.toLowerCase() + "-" + s,
                        algorithm, settingsOf(key), shapeSets[s], steps, seed + 31L * s + key.hashCode(),
                        algorithm.equals("AdamSPD") && s % 2 == 1);
                written++;
            }
        }
        return written;
    }

    static Map<String, Object> settingsOf(String key) {
        Map<String, Object> settings = GRADIENT_SEQUENCE_SETTINGS.get(key);
        if (settings == null) {
            throw new IllegalArgumentException("no generated settings for algorithm '" + key + "'");
        }
        return settings;
    }

    /**
     * Writes one gradient-sequence case.
     *
     * @param explicitAnchor for AdamSPD: write a random {@code anchor} (otherwise the anchor is the initial point)
     */
    public static void gradientSequence(Path file, String name, String algorithm, Map<String, Object> settings, int[][] shapes,
                                        int steps, long seed, boolean explicitAnchor) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] initial = random(shapes, rng, 1.0);
        double[][] anchor = explicitAnchor ? random(shapes, rng, 1.0) : null;
        double[][] params = copy(initial);
        Stepper stepper = stepper(algorithm, settings, params, anchor);
        ObjectNode root = header(name, GoldenCase.GRADIENT_SEQUENCE, algorithm, settings,
                "generated: expected values from descent4j-core (FlatOptimiser), see GoldenCaseWriter");
        root.set("tensors", tensors(shapes, initial));
        if (anchor != null) {
            root.set("anchor", arrays(anchor));
        }
        ArrayNode stepNodes = root.putArray("steps");
        for (int t = 0; t < steps; t++) {
            double[][] g = random(shapes, rng, 0.5);
            if (t == 1) {
                g[0][0] = 0.0;   // sign(0) = 0 and zero-gradient conventions are exercised too
            }
            stepper.step(g);
            ObjectNode step = stepNodes.addObject();
            step.set("gradients", arrays(g));
            step.set("after", arrays(params));
        }
        write(file, root);
    }

    /** One step of the expected trajectory, updating the parameter arrays in place. */
    interface Stepper {
        void step(double[][] gradients);
    }

    static Stepper stepper(String algorithm, Map<String, Object> s, double[][] params, double[][] anchor) {
        double lr = number(s, "learningRate");
        switch (algorithm) {
            case "SGD": {
                double momentum = number(s, "momentum");
                if (momentum == 0) {
                    return new FlatOptimiser(new SgdRule(), lr, params)::step;
                }
                // torch.optim.SGD (dampening 0, not Nesterov): b ← g at the first step, then b ← μ b + g; θ ← θ − lr b.
                double[][] buffer = new double[params.length][];
                return g -> {
                    for (int t = 0; t < params.length; t++) {
                        if (buffer[t] == null) {
                            buffer[t] = g[t].clone();
                        } else {
                            for (int i = 0; i < g[t].length; i++) {
                                buffer[t][i] = momentum * buffer[t][i] + g[t][i];
                            }
                        }
                        for (int i = 0; i < g[t].length; i++) {
                            params[t][i] -= lr * buffer[t][i];
                        }
                    }
                };
            }
            case "AdaGrad": {
                // torch.optim.Adagrad (no lr decay): s ← s + g²; θ ← θ − lr g / (√s + ε), s starting at the initial accumulator.
                double eps = number(s, "epsilon");
                double init = number(s, "initialAccumulator");
                double[][] sum = new double[params.length][];
                for (int t = 0; t < params.length; t++) {
                    sum[t] = new double[params[t].length];
                    Arrays.fill(sum[t], init);
                }
                return g -> {
                    for (int t = 0; t < params.length; t++) {
                        for (int i = 0; i < g[t].length; i++) {
                            sum[t][i] += g[t][i] * g[t][i];
                            params[t][i] -= lr * g[t][i] / (Math.sqrt(sum[t][i]) + eps);
                        }
                    }
                };
            }
            default: {
                FlatOptimiser flat = new FlatOptimiser(rule(algorithm, s), lr, params);
                if (!algorithm.equals("AdamSPD")) {
                    return flat::step;
                }
                Optimiser spd = anchor == null ? new SelectiveProjectionDecay(flat, number(s, "lambda"))
                        : new SelectiveProjectionDecay(flat, number(s, "lambda"), anchor);
                return spd::step;
            }
        }
    }

    private static UpdateRule rule(String algorithm, Map<String, Object> s) {
        return switch (algorithm) {
            case "Adam", "AdamSPD" -> new AdamRule(number(s, "beta1"), number(s, "beta2"), number(s, "epsilon"), 0);
            case "AdamW" -> new AdamRule(number(s, "beta1"), number(s, "beta2"), number(s, "epsilon"), number(s, "weightDecay"));
            case "SignSGD" -> new SignSGDRule(number(s, "momentum"));
            case "NormalizedSGD" -> new NormalizedSGDRule(number(s, "momentum"));
            case "Signum" -> new SignumRule(number(s, "beta"));
            case "Lion" -> new LionRule(number(s, "beta1"), number(s, "beta2"), number(s, "weightDecay"));
            case "AdaGradNorm" -> new AdaGradNormRule(number(s, "b0"));
            default -> throw new IllegalArgumentException("no core reference for gradient-sequence algorithm '" + algorithm + "'");
        };
    }

    static double number(Map<String, Object> settings, String key) {
        Object v = settings.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("setting '" + key + "' is missing or not a number: " + v);
        }
        return n.doubleValue();
    }

    static ObjectNode header(String name, String kind, String algorithm, Map<String, ?> settings, String notes) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "descent4j-golden/1");
        root.put("name", name);
        root.put("kind", kind);
        root.put("algorithm", algorithm);
        root.set("hyperparameters", MAPPER.valueToTree(settings));
        root.put("reference", "descent4j-core");
        root.put("notes", notes);
        return root;
    }

    static ArrayNode tensors(int[][] shapes, double[][] initial) {
        ArrayNode out = MAPPER.createArrayNode();
        for (int t = 0; t < shapes.length; t++) {
            ObjectNode tensor = out.addObject();
            ArrayNode shape = tensor.putArray("shape");
            for (int d : shapes[t]) {
                shape.add(d);
            }
            ArrayNode values = tensor.putArray("initial");
            for (double v : initial[t]) {
                values.add(v);
            }
        }
        return out;
    }

    static ArrayNode arrays(double[][] values) {
        ArrayNode out = MAPPER.createArrayNode();
        for (double[] t : values) {
            ArrayNode a = out.addArray();
            for (double v : t) {
                a.add(v);
            }
        }
        return out;
    }

    static double[][] random(int[][] shapes, SplittableRandom rng, double scale) {
        double[][] out = new double[shapes.length][];
        for (int t = 0; t < shapes.length; t++) {
            int n = 1;
            for (int d : shapes[t]) {
                n *= d;
            }
            out[t] = new double[n];
            for (int i = 0; i < n; i++) {
                out[t][i] = scale * (2 * rng.nextDouble() - 1);
            }
        }
        return out;
    }

    static double[][] copy(double[][] values) {
        double[][] out = new double[values.length][];
        for (int t = 0; t < values.length; t++) {
            out[t] = values[t].clone();
        }
        return out;
    }

    static void write(Path file, ObjectNode root) {
        try {
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write golden case " + file, e);
        }
    }
}
