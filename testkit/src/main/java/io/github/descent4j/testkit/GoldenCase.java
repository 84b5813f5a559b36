package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One golden reference case (format {@code descent4j-golden/1}): a trajectory, statistic or grouping
 * produced in float64 by a paper's own code or by torch.optim.
 * <p>
 * The common fields are typed; kind-specific fields (a {@code function} case's {@code problem}, a
 * {@code batch-test}'s gradients, a {@code class-grouping}'s counts) are read from {@link #json()}.
 * Gradients are loss gradients: parameters move against them.
 */
public final class GoldenCase {
    /** The gradient-sequence kind: gradients fed in order, parameters after each step. */
    public static final String GRADIENT_SEQUENCE = "gradient-sequence";
    /** The gradient-sequence algorithm of clipping by global norm in front of a base optimiser ({@link #baseCase()}). */
    public static final String CLIP_BY_GLOBAL_NORM = "ClipByGlobalNorm";
    /** The kind of learning-rate (and momentum) schedule cases. */
    public static final String SCHEDULE = "schedule";

    private final Path file;
    private final JsonNode json;

    GoldenCase(Path file, JsonNode json) {
        this.file = file;
        this.json = json;
        String format = json.path("format").asText();
        if (!"descent4j-golden/1".equals(format)) {
            throw new IllegalArgumentException(file + ": unsupported golden format '" + format + "'");
        }
    }

    /** The file the case was read from. */
    public Path file() {
        return file;
    }

    /** The whole case as JSON. */
    public JsonNode json() {
        return json;
    }

    /** The case name, e.g. {@code public-adam-0}. */
    public String name() {
        return json.path("name").asText();
    }

    /** The kind: gradient-sequence, function, batch-test or class-grouping. */
    public String kind() {
        return json.path("kind").asText();
    }

    /** The algorithm name, e.g. {@code Adam}, {@code SignSGD}, {@code AdamSPD}. */
    public String algorithm() {
        return json.path("algorithm").asText();
    }

    /** A numeric hyperparameter; fails clearly when absent. */
    public double hyperparameter(String name) {
        JsonNode node = json.path("hyperparameters").path(name);
        if (!node.isNumber()) {
            throw new IllegalArgumentException(name() + ": hyperparameter '" + name + "' is missing or not a number");
        }
        return node.asDouble();
    }

    /** A numeric hyperparameter, or {@code fallback} when the case does not state it. */
    public double hyperparameter(String name, double fallback) {
        JsonNode node = json.path("hyperparameters").path(name);
        return node.isNumber() ? node.asDouble() : fallback;
    }

    /** A boolean hyperparameter, or {@code fallback} when absent. */
    public boolean flag(String name, boolean fallback) {
        JsonNode node = json.path("hyperparameters").path(name);
        return node.isBoolean() ? node.asBoolean() : fallback;
    }

    /**
     * The hyperparameters this case sets to something other than off (a number other than 0, {@code true}, a
     * string or an object) that are not in {@code read}: the settings a harness that reads only {@code read}
     * would silently ignore. A harness refuses such a case instead of replaying it wrongly.
     */
    public List<String> unreadSettings(java.util.Collection<String> read) {
        List<String> unread = new ArrayList<>();
        json.path("hyperparameters").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            boolean off = v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isNumber() && v.asDouble() == 0.0);
            if (!off && !read.contains(e.getKey())) {
                unread.add(e.getKey());
            }
        });
        return unread;
    }

    /** The parameter tensors and their initial values. */
    public List<GoldenTensor> tensors() {
        List<GoldenTensor> out = new ArrayList<>();
        for (JsonNode t : json.path("tensors")) {
            out.add(new GoldenTensor(toIntArray(t.path("shape")), toDoubleArray(t.path("initial"))));
        }
        return out;
    }

    /** Fresh copies of the initial values, one flat array per tensor. */
    public double[][] initialValues() {
        List<GoldenTensor> tensors = tensors();
        double[][] out = new double[tensors.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = tensors.get(i).initial().clone();
        }
        return out;
    }

    /** The explicit anchor of a Selective Projection Decay case, when given. */
    public Optional<double[][]> anchor() {
        JsonNode a = json.path("anchor");
        if (a.isMissingNode() || a.isNull()) {
            return Optional.empty();
        }
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDoubleArray(a.get(i));
        }
        return Optional.of(out);
    }

    /** The steps in order. */
    public List<GoldenStep> steps() {
        List<GoldenStep> out = new ArrayList<>();
        for (JsonNode s : json.path("steps")) {
            out.add(new GoldenStep(toArrays(s.path("gradients")), toArrays(s.path("after"))));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * For a case that wraps a base optimiser ({@link #CLIP_BY_GLOBAL_NORM}): the same case seen as its base, with
     * {@code algorithm} = {@code hyperparameters.base} and {@code hyperparameters} = {@code baseHyperparameters}, so a
     * harness builds the base exactly as for a plain case of that algorithm.
     *
     * @throws IllegalArgumentException when the case names no base
     */
    public GoldenCase baseCase() {
        JsonNode hyper = json.path("hyperparameters");
        if (!hyper.path("base").isTextual() || !hyper.path("baseHyperparameters").isObject()) {
            throw new IllegalArgumentException(name() + ": no hyperparameters.base / baseHyperparameters");
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) json).deepCopy();
        copy.put("algorithm", hyper.path("base").asText());
        copy.set("hyperparameters", hyper.path("baseHyperparameters").deepCopy());
        return new GoldenCase(file, copy);
    }

    /**
     * A top-level number array of the case, e.g. a {@code schedule} case's {@code learningRates} or {@code momenta}.
     *
     * @throws IllegalArgumentException when absent
     */
    public double[] series(String field) {
        JsonNode node = json.path(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException(name() + ": no array '" + field + "'");
        }
        return toDoubleArray(node);
    }

    /** A text hyperparameter, or {@code fallback} when absent. */
    public String text(String name, String fallback) {
        JsonNode node = json.path("hyperparameters").path(name);
        return node.isTextual() ? node.asText() : fallback;
    }

    /** {@code steps[t].globalNormBeforeClip} of a {@link #CLIP_BY_GLOBAL_NORM} case, one per step. */
    public double[] globalNormsBeforeClip() {
        JsonNode steps = json.path("steps");
        double[] out = new double[steps.size()];
        for (int t = 0; t < out.length; t++) {
            JsonNode n = steps.get(t).path("globalNormBeforeClip");
            if (!n.isNumber()) {
                throw new IllegalArgumentException(name() + ": step " + t + " has no globalNormBeforeClip");
            }
            out[t] = n.asDouble();
        }
        return out;
    }

    @Override
    public String toString() {
        return name() + " (" + algorithm() + ", " + kind() + ")";
    }

    private static double[][] toArrays(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        double[][] out = new double[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDoubleArray(node.get(i));
        }
        return out;
    }

    /** A JSON number array as {@code double[]}. */
    public static double[] toDoubleArray(JsonNode node) {
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asDouble();
        }
        return out;
    }

    /** A JSON integer array as {@code int[]}. */
    public static int[] toIntArray(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    /** A tensor's shape and initial (flat, row-major) values. */
    public record GoldenTensor(int[] shape, double[] initial) {}

    /**
     * One step: the loss gradients fed (null for function cases, whose gradients the test computes) and
     * the parameters after it, one flat array per tensor.
     */
    public record GoldenStep(double[][] gradients, double[][] after) {}
}
