package io.github.descent4j.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a conformance harness ran on one directory: cases per algorithm, and the cases whose algorithm (or
 * setting) it does not know. {@link #finish()} prints the counts, e.g.
 * {@code TribuoGoldenConformanceTest: Adam 2, SGD 4 (from test-data/golden)}, and fails on an unknown algorithm
 * or when no case ran, so a harness can pass neither by skipping nor by finding nothing.
 */
public final class ConformanceTally {
    private final String harness;
    private final Path directory;
    private final Map<String, Integer> ran = new TreeMap<>();
    private final List<String> unknown = new ArrayList<>();
    private final Map<String, Integer> skipped = new TreeMap<>();

    /** @param harness what is printed first, e.g. the test class and its variant */
    public ConformanceTally(String harness, Path directory) {
        this.harness = harness;
        this.directory = directory;
    }

    /** Counts one case run under {@code label} (its algorithm, or algorithm/base). */
    public void ran(String label) {
        ran.merge(label, 1, Integer::sum);
    }

    /** Records a case this harness cannot run, with why. */
    public void unknown(GoldenCase c, String why) {
        unknown.add(c.name() + " (" + c.algorithm() + "): " + why);
    }

    /**
     * Counts a case of a known algorithm that this harness's framework path cannot express (e.g. a factorisation
     * problem for a linear model); printed with the reason, never counted as run.
     */
    public void skipped(String why) {
        skipped.merge(why, 1, Integer::sum);
    }

    /** Cases run per label so far. */
    public Map<String, Integer> counts() {
        return new TreeMap<>(ran);
    }

    /** Prints the counts; fails on an unknown case or on zero cases run. Returns the counts. */
    public Map<String, Integer> finish() {
        String counts = ran.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        String skips = skipped.isEmpty() ? "" : "; skipped " + skipped.entrySet().stream()
                .map(e -> e.getValue() + " (" + e.getKey() + ")").collect(Collectors.joining(", "));
        System.out.println(harness + ": " + (counts.isEmpty() ? "no case" : counts) + skips + " (from " + directory + ")");
        assertThat(unknown).as("%s: cases in %s this harness does not know", harness, directory).isEmpty();
        assertThat(ran.values().stream().mapToInt(Integer::intValue).sum()).as("%s: cases run from %s", harness, directory)
                .isPositive();
        return counts();
    }
}
