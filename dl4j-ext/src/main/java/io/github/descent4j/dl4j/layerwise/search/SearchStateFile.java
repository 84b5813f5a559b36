package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import io.github.descent4j.core.layerwise.search.LogMultiplierSpace;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON file a {@link LayerwiseSearch} rewrites after every trial: its settings, the searched layers, the
 * flat baseline and every trial. Doubles are written in their shortest exact form, so a resumed search
 * re-tells the optimiser exactly the points and values it had and proposes what the uninterrupted search
 * would have. The file is replaced atomically (written beside it, then moved), so a search killed while
 * writing leaves the previous state intact. Layout in {@code docs/layerwise-search.md}.
 */
final class SearchStateFile {
    static final String FORMAT = "descent4j-layerwise-search";

    /** A search as saved. */
    record Saved(SearchSettings settings, List<String> layers, LayerwiseSearchResult.Baseline flat,
                 List<LayerwiseSearchTrial> trials) {}

    private SearchStateFile() {}

    static void write(Path file, Saved saved) throws IOException {
        ObjectNode root = VersionedJson.document(FORMAT);
        SearchSettings s = saved.settings();
        ObjectNode settings = root.putObject("settings");
        settings.put("blocks", s.space().blocks());
        settings.put("lowerMultiplier", s.space().lowerMultiplier());
        settings.put("upperMultiplier", s.space().upperMultiplier());
        settings.put("initialDesign", s.initialDesign());
        settings.put("trials", s.trials());
        settings.put("seed", s.seed());
        settings.put("tolerance", s.objective().tolerance());
        settings.put("penalty", s.objective().penalty());
        ArrayNode layers = root.putArray("layers");
        saved.layers().forEach(layers::add);
        ObjectNode flat = root.putObject("flat");
        flat.put("oldAccuracy", saved.flat().oldAccuracy());
        flat.put("newAccuracy", saved.flat().newAccuracy());
        flat.put("seconds", saved.flat().seconds());
        ArrayNode trials = root.putArray("trials");
        for (LayerwiseSearchTrial t : saved.trials()) {
            ObjectNode n = trials.addObject();
            numbers(n.putArray("point"), t.point());
            numbers(n.putArray("multipliers"), t.multipliers());
            n.put("oldAccuracy", t.oldAccuracy());
            n.put("newAccuracy", t.newAccuracy());
            n.put("value", t.value());
            n.put("feasible", t.feasible());
            n.put("seconds", t.seconds());
        }
        VersionedJson.write(file, root);
    }

    static Saved read(Path file) throws IOException {
        JsonNode root = VersionedJson.read(file, FORMAT, "stateFile", "a descent4j layer-wise search state");
        JsonNode s = required(root, "settings", file);
        SearchSettings settings = new SearchSettings(
                new LogMultiplierSpace(integer(s, "blocks", file), number(s, "lowerMultiplier", file),
                        number(s, "upperMultiplier", file)),
                integer(s, "initialDesign", file), integer(s, "trials", file), required(s, "seed", file).asLong(),
                new ForgettingObjective(number(s, "tolerance", file), number(s, "penalty", file)));
        List<String> layers = new ArrayList<>();
        JsonNode layerNames = required(root, "layers", file);
        if (!layerNames.isArray()) {
            throw new InvalidHyperparameterException("stateFile", file + ": \"layers\" is not an array");
        }
        layerNames.forEach(n -> layers.add(n.asText()));
        JsonNode f = required(root, "flat", file);
        var flat = new LayerwiseSearchResult.Baseline(number(f, "oldAccuracy", file), number(f, "newAccuracy", file),
                number(f, "seconds", file));
        List<LayerwiseSearchTrial> trials = new ArrayList<>();
        for (JsonNode t : required(root, "trials", file)) {
            trials.add(new LayerwiseSearchTrial(numbers(t, "point", file), numbers(t, "multipliers", file),
                    number(t, "oldAccuracy", file), number(t, "newAccuracy", file), number(t, "value", file),
                    required(t, "feasible", file).asBoolean(), number(t, "seconds", file)));
        }
        return new Saved(settings, layers, flat, trials);
    }

    private static void numbers(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }

    private static JsonNode required(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidHyperparameterException("stateFile", file + " lacks \"" + field + "\"");
        }
        return v;
    }

    private static double number(JsonNode node, String field, Path file) {
        JsonNode v = required(node, field, file);
        if (!v.isNumber()) {
            throw new InvalidHyperparameterException("stateFile", file + ": \"" + field + "\" is not a number");
        }
        return v.asDouble();
    }

    private static int integer(JsonNode node, String field, Path file) {
        JsonNode v = required(node, field, file);
        if (!v.canConvertToInt()) {
            throw new InvalidHyperparameterException("stateFile", file + ": \"" + field + "\" is not an integer");
        }
        return v.asInt();
    }

    private static double[] numbers(JsonNode node, String field, Path file) {
        JsonNode v = required(node, field, file);
        if (!v.isArray()) {
            throw new InvalidHyperparameterException("stateFile", file + ": \"" + field + "\" is not an array");
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new InvalidHyperparameterException("stateFile", file + ": \"" + field + "\"[" + i + "] is not a number");
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }
}
