package io.github.descent4j.testkit;

import io.github.descent4j.core.imbalance.ClassFrequencyGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClassFrequencyGroups} on every class-grouping golden case: the groups must equal the expected
 * ones exactly, class by class and in order (most frequent group first). The cases come from Kunstner et
 * al.'s {@code split_classes_by_frequency}.
 */
class ClassGroupingConformanceTest {
    private static final String KIND = "class-grouping";

    @Test
    void everyClassGroupingCaseMatchesExactly() {
        runAll(GoldenCases.directory());
    }

    /**
     * Generated cases whose expected groups come from the reference rule as documented (float64 cumulative
     * frequencies, searchsorted cut points, np.split): one where a class holds more than 2/G of the examples so
     * a group is empty, one with more groups than classes, one plain.
     */
    @Test
    void generatedCasesWithEmptyGroupsMatchTheReferenceRule(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 2, 13);
        assertThat(runAll(dir)).containsExactly(Map.entry("ClassFrequencyGroups", 3));
        GoldenCase empty = GoldenCases.read(dir.resolve("gen-groups-empty.json"));
        assertThat(toIntArrays(empty)).isDeepEqualTo(new int[][]{{1}, {}, {3}, {0, 4, 2}});
        assertThat(toIntArrays(GoldenCases.read(dir.resolve("gen-groups-more-than-classes.json"))))
                .isDeepEqualTo(new int[][]{{0}, {}, {1}, {}, {2}});
    }

    /** The reference rule as written in the generator agrees with the core on random distinct counts. */
    @Test
    void theDocumentedReferenceRuleAndTheCoreAgreeOnRandomCounts() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        int withEmpty = 0;
        for (int trial = 0; trial < 300; trial++) {
            int k = 1 + rng.nextInt(12);
            java.util.Set<Integer> distinct = new java.util.LinkedHashSet<>();
            while (distinct.size() < k) {
                distinct.add(1 + rng.nextInt(rng.nextBoolean() ? 20 : 2000));
            }
            int[] counts = distinct.stream().mapToInt(Integer::intValue).toArray();
            int groups = 1 + rng.nextInt(k + 3);
            int[][] reference = GoldenFunctionCaseWriter.referenceGroups(counts, groups).toArray(int[][]::new);
            ClassFrequencyGroups core = ClassFrequencyGroups.of(counts, groups);
            assertThat(core.groups()).as("counts %s, G = %d", java.util.Arrays.toString(counts), groups).isDeepEqualTo(reference);
            withEmpty += core.emptyGroups().length > 0 ? 1 : 0;
        }
        assertThat(withEmpty).as("trials with an empty group").isGreaterThan(30);
    }

    /** Checks every class-grouping case of {@code dir}; fails on an unknown algorithm or when none ran. */
    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("ClassGroupingConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), KIND)) {
            if (!c.algorithm().equals("ClassFrequencyGroups")) {
                tally.unknown(c, "not a class-frequency grouping");
                continue;
            }
            int[] counts = GoldenCase.toIntArray(c.json().path("classCounts"));
            int groups = (int) c.hyperparameter("groups");
            int[][] expected = toIntArrays(c);
            assertThat(counts).as("%s: classCounts", c.name()).isNotEmpty();
            assertThat(expected.length).as("%s: number of expected groups", c.name()).isEqualTo(groups);

            ClassFrequencyGroups actual = ClassFrequencyGroups.of(counts, groups);
            assertThat(actual.groups()).as("%s", c.name()).isDeepEqualTo(expected);
            for (int g = 0; g < expected.length; g++) {
                for (int k : expected[g]) {
                    assertThat(actual.groupOf(k)).as("%s: groupOf(%d)", c.name(), k).isEqualTo(g);
                }
            }
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    private static int[][] toIntArrays(GoldenCase c) {
        int[][] out = new int[c.json().path("expected").size()][];
        for (int g = 0; g < out.length; g++) {
            out[g] = GoldenCase.toIntArray(c.json().path("expected").get(g));
        }
        return out;
    }
}
