package io.github.descent4j.datasets;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LongTailTest {

    @Test
    void targetCountsDecayExponentiallyFromTheLargestClass() {
        // 100 · 10^(−k/2): 100, 31.6…, 10.
        assertThat(LongTail.targetCounts(new int[]{100, 100, 100}, 10)).containsExactly(100, 31, 10);
        // 1000 · 1000^(−k/3): 1000, 100, 10, 1.
        assertThat(LongTail.targetCounts(new int[]{1000, 1000, 1000, 1000}, 1000)).containsExactly(1000, 100, 10, 1);
        assertThat(LongTail.targetCounts(new int[]{7, 5, 3}, 1)).containsExactly(7, 5, 3);
    }

    @Test
    void targetCountsNeverExceedTheClassAndKeepAtLeastOne() {
        // n_max = 100: wanted 100, 70.7, 50 but classes 0 and 1 have only 10 and 50.
        assertThat(LongTail.targetCounts(new int[]{10, 50, 100}, 2)).containsExactly(10, 50, 50);
        // 5 · 1000^(−1/2) = 0.16 and 5 / 1000 round down to 0, but one example is kept.
        assertThat(LongTail.targetCounts(new int[]{5, 5, 5}, 1000)).containsExactly(5, 1, 1);
        assertThat(LongTail.targetCounts(new int[]{4, 0, 4}, 4)).containsExactly(4, 0, 1);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> LongTail.targetCounts(new int[]{3}, 2)).hasMessage("counts must hold K >= 2 classes, got 1");
        assertThatThrownBy(() -> LongTail.targetCounts(new int[]{3, 3}, 0.5)).hasMessage("rho must be a finite number >= 1, got 0.5");
        assertThatThrownBy(() -> LongTail.targetCounts(new int[]{3, 3}, Double.NaN)).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> LongTail.targetCounts(new int[]{3, 3}, Double.POSITIVE_INFINITY)).hasMessageContaining("got Infinity");
        assertThatThrownBy(() -> LongTail.targetCounts(new int[]{3, -3}, 2)).hasMessage("counts[1] must be >= 0, got -3");
        LabelledData oneClass = new LabelledData(new double[][]{{0}}, new int[]{0}, List.of("a"));
        assertThatThrownBy(() -> LongTail.subsample(oneClass, 2, 0)).hasMessage("balanced must have K >= 2 classes, got 1");
    }

    /** 3 classes × 20 rows, interleaved; feature 0 is the row's original index. */
    private static LabelledData balanced() {
        double[][] f = new double[60][];
        int[] labels = new int[60];
        for (int i = 0; i < 60; i++) {
            f[i] = new double[]{i};
            labels[i] = i % 3;
        }
        return new LabelledData(f, labels, List.of("a", "b", "c"));
    }

    @Test
    void subsampleKeepsTheTargetCountsOfOriginalRowsInOrder() {
        LabelledData data = balanced();
        LabelledData tail = LongTail.subsample(data, 4, 5);
        assertThat(tail.classCounts()).containsExactly(20, 10, 5);
        assertThat(tail.classNames()).isEqualTo(data.classNames());
        for (int i = 0; i < tail.size(); i++) {
            int original = (int) tail.features()[i][0];
            assertThat(tail.labels()[i]).as("row %d keeps its label", original).isEqualTo(original % 3);
            if (i > 0) {
                assertThat(original).as("original order").isGreaterThan((int) tail.features()[i - 1][0]);
            }
        }
    }

    @Test
    void subsampleIsSeededAndUniform() {
        LabelledData data = balanced();
        assertThat(ids(LongTail.subsample(data, 4, 9))).isEqualTo(ids(LongTail.subsample(data, 4, 9)));
        assertThat(ids(LongTail.subsample(data, 4, 9))).isNotEqualTo(ids(LongTail.subsample(data, 4, 10)));
        // Class 2 keeps 5 of its 20 rows: over many seeds each row is kept about a quarter of the time.
        int[] kept = new int[60];
        int seeds = 4000;
        for (long seed = 0; seed < seeds; seed++) {
            for (int id : ids(LongTail.subsample(data, 4, seed))) {
                kept[id]++;
            }
        }
        for (int row = 2; row < 60; row += 3) {
            assertThat(kept[row] / (double) seeds).as("row %d", row).isBetween(0.21, 0.29);
        }
        assertThat(kept[0]).as("class 0 is kept whole").isEqualTo(seeds);
    }

    private static List<Integer> ids(LabelledData d) {
        List<Integer> out = new ArrayList<>();
        for (double[] row : d.features()) {
            out.add((int) row[0]);
        }
        return out;
    }
}
