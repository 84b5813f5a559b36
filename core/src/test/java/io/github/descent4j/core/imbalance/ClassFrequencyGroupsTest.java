package io.github.descent4j.core.imbalance;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassFrequencyGroupsTest {

    @Test
    void equalCountsAreOrderedBySmallerClassIndexFirst() {
        // Sorted: 1 (3), 2 (3), 0 (1), 3 (1); N = 8; before = 0, 3, 6, 7 → groups 0, 0, 1, 1.
        ClassFrequencyGroups g = ClassFrequencyGroups.of(new int[]{1, 3, 3, 1}, 2);
        assertThat(g.groups()).isDeepEqualTo(new int[][]{{1, 2}, {0, 3}});
        assertThat(g.exampleCount(0)).isEqualTo(6);
        assertThat(g.exampleCount(1)).isEqualTo(2);
        assertThat(g.exampleFraction()).containsExactly(0.75, 0.25);
    }

    @Test
    void zeroCountClassesGoToTheRarestGroup() {
        // Sorted: 1 (4), 3 (2), 4 (2), 0 (0), 2 (0); N = 8; before = 0, 4, 6 → 0, 1, 1; zeros clamp to 1.
        ClassFrequencyGroups g = ClassFrequencyGroups.of(new int[]{0, 4, 0, 2, 2}, 2);
        assertThat(g.groups()).isDeepEqualTo(new int[][]{{1}, {3, 4, 0, 2}});
        assertThat(g.groupOf(0)).isEqualTo(1);
        assertThat(g.groupOf(2)).isEqualTo(1);
        assertThat(g.classCount()).isEqualTo(5);
        // With G = 3 (= the number of non-zero classes) the zeros still join the last group.
        assertThat(ClassFrequencyGroups.of(new int[]{0, 4, 0, 2, 2}, 3).groups())
                .isDeepEqualTo(new int[][]{{1}, {3}, {4, 0, 2}});
    }

    @Test
    void aClassHoldingMoreThanOneGthOfTheExamplesLeavesEmptyGroupsAsTheReferenceDoes() {
        // N = 104, G = 5: cumulative frequencies 100/104, 101/104, ... cross the cut points 1/5..4/5 at class 0
        // already, so the reference's cut indices are 0, 0, 0, 0 and np.split returns [[0], [], [], [], [1..4]].
        int[] counts = {100, 1, 1, 1, 1};
        ClassFrequencyGroups five = ClassFrequencyGroups.of(counts, 5);
        assertThat(five.groups()).isDeepEqualTo(new int[][]{{0}, {}, {}, {}, {1, 2, 3, 4}});
        assertThat(five.emptyGroups()).containsExactly(1, 2, 3);
        assertThat(five.exampleCount(2)).isZero();
        assertThat(five.exampleFraction()).containsExactly(100 / 104.0, 0, 0, 0, 4 / 104.0);
        assertThat(five.toString()).contains("[] 0 examples");
        assertThat(ClassFrequencyGroups.of(new int[]{100, 1, 1}, 3).groups()).isDeepEqualTo(new int[][]{{0}, {}, {1, 2}});
        // Class 1 (30 of 60) reaches 1/4 and 2/4 at once: cut indices 0, 0, 1 → [[1], [], [0], [2]].
        assertThat(ClassFrequencyGroups.of(new int[]{20, 30, 10}, 4).groups()).isDeepEqualTo(new int[][]{{1}, {}, {0}, {2}});
        assertThat(ClassFrequencyGroups.largestWithoutEmptyGroup(counts)).isEqualTo(2);
        assertThat(ClassFrequencyGroups.largestWithoutEmptyGroup(new int[]{20, 30, 10})).isEqualTo(3);
        assertThat(ClassFrequencyGroups.of(counts, 2).groups()).isDeepEqualTo(new int[][]{{0}, {1, 2, 3, 4}});
        assertThat(ClassFrequencyGroups.of(counts, 2).emptyGroups()).isEmpty();
    }

    @Test
    void moreGroupsThanClassesLeaveTheRarestGroupsEmptyAndGroupsBelowOneAreRejected() {
        // The reference: cumulative [0.6, 1.0], cut points 1/3, 2/3 → indices 0, 1 → [[0], [1], []].
        assertThat(ClassFrequencyGroups.of(new int[]{3, 2}, 3).groups()).isDeepEqualTo(new int[][]{{0}, {1}, {}});
        assertThat(ClassFrequencyGroups.of(new int[]{3, 2}, 3).emptyGroups()).containsExactly(2);
        assertThat(ClassFrequencyGroups.largestWithoutEmptyGroup(new int[]{3, 2})).isEqualTo(2);
        // Zero-count classes (which the reference never sees) still join the last group.
        assertThat(ClassFrequencyGroups.of(new int[]{3, 0, 2, 0}, 3).groups()).isDeepEqualTo(new int[][]{{0}, {2}, {1, 3}});
        assertThat(ClassFrequencyGroups.largestWithoutEmptyGroup(new int[]{3, 0, 2, 0})).isEqualTo(3);
        assertThat(ClassFrequencyGroups.of(new int[]{3, 0, 2, 0}, 4).emptyGroups()).containsExactly(1);
        assertThatThrownBy(() -> ClassFrequencyGroups.of(new int[]{3, 2}, 0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessage("groups must be >= 1, got 0");
        assertThatThrownBy(() -> ClassFrequencyGroups.of(new int[]{3, 2}, -2)).hasMessage("groups must be >= 1, got -2");
        assertThatThrownBy(() -> ClassFrequencyGroups.largestWithoutEmptyGroup(new int[]{0, 0})).hasMessageContaining("total > 0");
    }

    @Test
    void invalidCountsAreRejected() {
        assertThatThrownBy(() -> ClassFrequencyGroups.of(new int[0], 1)).hasMessageContaining("classCounts");
        assertThatThrownBy(() -> ClassFrequencyGroups.of(new int[]{2, -1}, 1)).hasMessage("classCounts[1] must be >= 0, got -1");
        assertThatThrownBy(() -> ClassFrequencyGroups.of(new int[]{0, 0}, 1)).hasMessageContaining("total > 0");
    }

    @Test
    void groupOfAgreesWithTheListedGroupsAndGroupsAreOrderedByFrequency() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] counts = new int[1 + rng.nextInt(30)];
            for (int k = 0; k < counts.length; k++) {
                counts[k] = rng.nextInt(4) == 0 ? 0 : 1 + rng.nextInt(rng.nextBoolean() ? 5 : 500);
            }
            if (Arrays.stream(counts).sum() == 0) {
                counts[0] = 1;
            }
            ClassFrequencyGroups g = ClassFrequencyGroups.of(counts, 1);
            int[] seen = new int[counts.length];
            long total = 0;
            for (int group = 0; group < g.groupCount(); group++) {
                for (int k : g.classes(group)) {
                    assertThat(g.groupOf(k)).as("trial %d class %d", trial, k).isEqualTo(group);
                    seen[k]++;
                }
                total += g.exampleCount(group);
            }
            assertThat(seen).as("every class exactly once").containsOnly(1);
            assertThat(total).isEqualTo(Arrays.stream(counts).sum());
            // With as many groups as allowed, rarer groups never hold a more frequent class.
            int most = largestValidGroups(counts);
            ClassFrequencyGroups many = ClassFrequencyGroups.of(counts, most);
            for (int k = 0; k < counts.length; k++) {
                for (int l = 0; l < counts.length; l++) {
                    if (many.groupOf(k) < many.groupOf(l)) {
                        assertThat(counts[k]).as("trial %d: class %d before class %d", trial, k, l).isGreaterThanOrEqualTo(counts[l]);
                    }
                }
            }
        }
    }

    /** The largest G with no empty group, found independently by trying every G; checks the core's search. */
    private static int largestValidGroups(int[] counts) {
        int found = 1;
        for (int g = counts.length; g > 1; g--) {
            if (ClassFrequencyGroups.of(counts, g).emptyGroups().length == 0) {
                found = g;
                break;
            }
        }
        assertThat(ClassFrequencyGroups.largestWithoutEmptyGroup(counts)).isEqualTo(found);
        assertThat(ClassFrequencyGroups.of(counts, found + 1).emptyGroups()).isNotEmpty();
        return found;
    }

    @Test
    void assignmentIsExactWhereDoubleArithmeticWouldRound() {
        // G · before overflows a long here (70 000² · (2³¹ − 1) > 2⁶³): every class must still get its own group.
        int k = 70_000;
        int[] counts = new int[k];
        Arrays.fill(counts, Integer.MAX_VALUE);
        ClassFrequencyGroups g = ClassFrequencyGroups.of(counts, k);
        for (int c = 0; c < k; c++) {
            if (g.groupOf(c) != c) {
                assertThat(g.groupOf(c)).as("class %d", c).isEqualTo(c);
            }
        }
        assertThat(g.exampleCount(k - 1)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void fromLabelsCountsThenGroupsAndAccessorsReturnCopies() {
        // counts = [3, 1, 2, 0]; sorted 0, 2, 1, 3; N = 6; before = 0, 3, 5 → 0, 1, 1; class 3 joins group 1.
        ClassFrequencyGroups g = ClassFrequencyGroups.fromLabels(new int[]{0, 0, 0, 1, 2, 2}, 4, 2);
        assertThat(g.groups()).isDeepEqualTo(new int[][]{{0}, {2, 1, 3}});
        assertThat(g.toString()).isEqualTo("ClassFrequencyGroups[2 groups: [0] 3 examples; [2, 1, 3] 3 examples]");
        g.classes(1)[0] = 99;
        g.groups()[0][0] = 99;
        assertThat(g.classes(1)).containsExactly(2, 1, 3);
        assertThat(g.classes(0)).containsExactly(0);
        assertThatThrownBy(() -> ClassFrequencyGroups.fromLabels(new int[]{0, 4}, 4, 1)).hasMessage("labels[1] must be in [0, 3], got 4");
        assertThatThrownBy(() -> g.groupOf(4)).hasMessage("classIndex must be in [0, 3], got 4");
        assertThatThrownBy(() -> g.classes(2)).hasMessage("group must be in [0, 1], got 2");
        assertThatThrownBy(() -> g.exampleCount(-1)).hasMessage("group must be in [0, 1], got -1");
    }
}
