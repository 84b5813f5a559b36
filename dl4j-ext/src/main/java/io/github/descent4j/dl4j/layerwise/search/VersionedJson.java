package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JSON files of the search ({@link SearchStateFile}, {@link FoundDistribution}): a {@code "format"} name and
 * {@code "version": 1} first, checked on reading; written beside the target and moved over it, so a process
 * killed while writing leaves the previous file intact.
 */
final class VersionedJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VersionedJson() {}

    /** A new document that starts with {@code format} and version 1. */
    static ObjectNode document(String format) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", format);
        root.put("version", 1);
        return root;
    }

    static void write(Path file, ObjectNode root) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        JSON.writerWithDefaultPrettyPrinter().writeValue(partial.toFile(), root);
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads {@code file} and checks its format and version.
     *
     * @param parameter what a refusal names ({@code "stateFile"}, {@code "file"})
     * @param what      what the file should be, for the message ("a descent4j layer-wise search state")
     */
    static JsonNode read(Path file, String format, String parameter, String what) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !format.equals(root.path("format").asText())) {
            throw new InvalidHyperparameterException(parameter, file + " is not " + what
                    + " (expected \"format\": \"" + format + "\")");
        }
        if (root.path("version").asInt() != 1) {
            throw new InvalidHyperparameterException(parameter, file + " has version " + root.path("version")
                    + "; this descent4j reads version 1");
        }
        return root;
    }
}
