package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads golden cases from a directory of {@code *.json} files.
 * <p>
 * The directory is the system property {@value #DIRECTORY_PROPERTY}, or {@code test-data/golden}
 * relative to the working directory. A missing or empty directory is an error, never an empty list, so a
 * conformance test cannot pass by finding nothing.
 */
public final class GoldenCases {
    /** System property naming the golden directory. */
    public static final String DIRECTORY_PROPERTY = "descent4j.golden.dir";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GoldenCases() {}

    /** The configured golden directory. */
    public static Path directory() {
        return Paths.get(System.getProperty(DIRECTORY_PROPERTY, "test-data/golden"));
    }

    /** Every case in the configured directory, sorted by file name. */
    public static List<GoldenCase> all() {
        return load(directory());
    }

    /** Every case in {@code dir}, sorted by file name; fails if there is none. */
    public static List<GoldenCase> load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("golden directory " + dir.toAbsolutePath() + " does not exist (set -D"
                    + DIRECTORY_PROPERTY + ")");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("golden directory " + dir.toAbsolutePath() + " holds no *.json case");
        }
        List<GoldenCase> cases = new ArrayList<>();
        for (Path f : files) {
            cases.add(read(f));
        }
        return cases;
    }

    /** Reads one case file. */
    public static GoldenCase read(Path file) {
        try {
            return new GoldenCase(file, MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden case " + file, e);
        }
    }

    /** The cases of one kind, e.g. {@link GoldenCase#GRADIENT_SEQUENCE}. */
    public static List<GoldenCase> ofKind(List<GoldenCase> cases, String kind) {
        return cases.stream().filter(c -> c.kind().equals(kind)).collect(Collectors.toList());
    }
}
