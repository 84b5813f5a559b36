package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A learning-rate distribution found by a search, with a name (for example the task pair it was found on)
 * and, for the record, the layers it was found for. Saved as a small JSON file,
 * <pre>
 *   {"format": "descent4j-lr-distribution", "version": 1, "name": "0,1,2/3,4,5",
 *    "multipliers": [0.004, 0.03, 1.9, 2.2], "layers": ["0", "1", "2", "3"]}
 * </pre>
 * and applied to another network with
 * {@code LayerwiseLearningRates.apply(net, FoundDistribution.read(file).distribution())}, which resamples
 * the multipliers when that network has a different number of trained layers. Several found distributions
 * combine with {@link LearningRateDistribution#geometricMean}.
 */
public record FoundDistribution(String name, double[] multipliers, List<String> layers) {
    static final String FORMAT = "descent4j-lr-distribution";

    /**
     * @throws InvalidHyperparameterException naming {@code name}, {@code multipliers} (empty, negative,
     *         non-finite or all 0) or {@code layers} (a count different from the multipliers')
     */
    public FoundDistribution {
        if (name == null) {
            throw new InvalidHyperparameterException("name", "a found distribution needs a name (may be empty)");
        }
        LearningRateDistribution.explicit(multipliers); // validates: finite, >= 0, not all 0
        multipliers = multipliers.clone();
        layers = layers == null ? List.of() : List.copyOf(layers);
        if (!layers.isEmpty() && layers.size() != multipliers.length) {
            throw new InvalidHyperparameterException("layers", "layers lists " + layers.size() + " names for "
                    + multipliers.length + " multipliers");
        }
    }

    @Override
    public double[] multipliers() {
        return multipliers.clone();
    }

    public LearningRateDistribution distribution() {
        return LearningRateDistribution.explicit(multipliers);
    }

    public void write(Path file) throws IOException {
        ObjectNode root = VersionedJson.document(FORMAT);
        root.put("name", name);
        ArrayNode m = root.putArray("multipliers");
        for (double v : multipliers) {
            m.add(v);
        }
        ArrayNode l = root.putArray("layers");
        layers.forEach(l::add);
        VersionedJson.write(file, root);
    }

    /**
     * @throws IOException                    when the file cannot be read or is not JSON
     * @throws InvalidHyperparameterException when it is not a distribution file or its values are invalid
     */
    public static FoundDistribution read(Path file) throws IOException {
        JsonNode root = VersionedJson.read(file, FORMAT, "file", "a descent4j learning-rate distribution");
        JsonNode m = root.path("multipliers");
        if (!m.isArray()) {
            throw new InvalidHyperparameterException("multipliers", file + " has no \"multipliers\" array");
        }
        double[] multipliers = new double[m.size()];
        for (int i = 0; i < multipliers.length; i++) {
            if (!m.get(i).isNumber()) {
                throw new InvalidHyperparameterException("multipliers", file + ": multipliers[" + i + "] is not a number");
            }
            multipliers[i] = m.get(i).asDouble();
        }
        List<String> layers = new ArrayList<>();
        root.path("layers").forEach(n -> layers.add(n.asText()));
        return new FoundDistribution(root.path("name").asText(""), multipliers, layers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FoundDistribution f && name.equals(f.name)
                && java.util.Arrays.equals(multipliers, f.multipliers) && layers.equals(f.layers);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + java.util.Arrays.hashCode(multipliers) + layers.hashCode();
    }
}
