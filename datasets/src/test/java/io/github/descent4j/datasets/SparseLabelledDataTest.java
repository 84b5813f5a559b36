package io.github.descent4j.datasets;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparseLabelledDataTest {
    private static final List<String> CLASSES = List.of("x", "y");
    private static final List<String> FEATURES = List.of("f0", "f1", "f2");

    private static SparseLabelledData sample() {
        return new SparseLabelledData(3,
                new int[][]{{0, 2}, {}, {1}},
                new double[][]{{1.5, -2}, {}, {3}},
                new int[]{1, 0, 1}, CLASSES, FEATURES);
    }

    @Test
    void accessorsDescribeTheRows() {
        SparseLabelledData d = sample();
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.classCount()).isEqualTo(2);
        assertThat(d.classCounts()).containsExactly(1, 2);
        assertThat(d.dimension()).isEqualTo(3);
        assertThat(d.featureNames()).containsExactly("f0", "f1", "f2");
    }

    @Test
    void selectAndHeadCopyRowsInTheGivenOrder() {
        SparseLabelledData d = sample();
        SparseLabelledData s = d.select(new int[]{2, 0, 2});
        assertThat(s.labels()).containsExactly(1, 1, 1);
        assertThat(s.indices()).isDeepEqualTo(new int[][]{{1}, {0, 2}, {1}});
        assertThat(s.values()).isDeepEqualTo(new double[][]{{3}, {1.5, -2}, {3}});
        s.values()[1][0] = 99;
        assertThat(d.values()[0][0]).as("select copies rows").isEqualTo(1.5);
        SparseLabelledData h = d.head(2);
        assertThat(h.labels()).containsExactly(1, 0);
        assertThat(h.indices()).isDeepEqualTo(new int[][]{{0, 2}, {}});
        assertThat(d.head(0).size()).isZero();
        assertThatThrownBy(() -> d.head(4)).hasMessage("n must be in [0, 3], got 4");
        assertThatThrownBy(() -> d.select(new int[]{3})).hasMessage("rows[0] must be in [0, 2], got 3");
    }

    @Test
    void rowsAreValidated() {
        assertThatThrownBy(() -> row(new int[]{2, 1}, new double[]{1, 1}, 0))
                .hasMessage("row 0: indices must be strictly increasing, got 2 then 1");
        assertThatThrownBy(() -> row(new int[]{1, 1}, new double[]{1, 1}, 0)).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> row(new int[]{3}, new double[]{1}, 0)).hasMessage("row 0: index must be in [0, 2], got 3");
        assertThatThrownBy(() -> row(new int[]{-1}, new double[]{1}, 0)).hasMessage("row 0: index must be in [0, 2], got -1");
        assertThatThrownBy(() -> row(new int[]{0, 1}, new double[]{1}, 0)).hasMessage("row 0: 2 indices but 1 values");
        assertThatThrownBy(() -> row(new int[]{0}, new double[]{Double.NaN}, 0)).hasMessageContaining("values must be finite");
        assertThatThrownBy(() -> row(new int[]{0}, new double[]{Double.POSITIVE_INFINITY}, 0)).hasMessageContaining("finite");
        assertThatThrownBy(() -> row(new int[]{0}, new double[]{1}, 2)).hasMessage("labels[0] must be in [0, 1], got 2");
        assertThatThrownBy(() -> new SparseLabelledData(2, new int[1][0], new double[1][0], new int[1], CLASSES, FEATURES))
                .hasMessage("featureNames must have dimension = 2 names, got 3");
        assertThatThrownBy(() -> new SparseLabelledData(3, new int[2][0], new double[1][0], new int[1], CLASSES, FEATURES))
                .hasMessageContaining("one entry per row, got 2, 1 and 1");
        assertThatThrownBy(() -> new SparseLabelledData(-1, new int[0][], new double[0][], new int[0], CLASSES, List.of()))
                .hasMessage("dimension must be >= 0, got -1");
    }

    private static SparseLabelledData row(int[] idx, double[] val, int label) {
        return new SparseLabelledData(3, new int[][]{idx}, new double[][]{val}, new int[]{label}, CLASSES, FEATURES);
    }
}
