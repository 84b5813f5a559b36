package io.github.descent4j.datasets;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeavyTailedSyntheticTest {

    @Test
    void shapesAndClassCountsFollowTheLevels() {
        for (int m = 1; m <= 5; m++) {
            LabelledData data = HeavyTailedSynthetic.generate(m, 1);
            assertThat(data.size()).as("n for m=%d", m).isEqualTo(m * (1 << m));
            assertThat(data.classCount()).as("c for m=%d", m).isEqualTo((1 << m) - 1);
            assertThat(data.dimension()).as("d for m=%d", m).isEqualTo((m + 1) * (1 << m));
            int[] counts = data.classCounts();
            for (int c = 0; c < counts.length; c++) {
                int level = 31 - Integer.numberOfLeadingZeros(c + 1);   // ⌊log2(c + 1)⌋
                assertThat(counts[c]).as("m=%d class %d (level %d)", m, c, level).isEqualTo(1 << (m - level));
            }
            for (int i = 1; i < data.size(); i++) {
                assertThat(data.labels()[i]).as("examples are listed class by class").isGreaterThanOrEqualTo(data.labels()[i - 1]);
            }
            assertThat(data.classNames().get(0)).isEqualTo("c0");
            assertThat(data.classNames().get(counts.length - 1)).isEqualTo("c" + (counts.length - 1));
        }
    }

    @Test
    void sizeThreeHasTheDocumentedCounts() {
        assertThat(HeavyTailedSynthetic.generate(3, 0).classCounts()).containsExactly(8, 4, 4, 2, 2, 2, 2);
    }

    @Test
    void featuresAreTheSeededUniformStreamRowByRow() {
        LabelledData data = HeavyTailedSynthetic.generate(2, 42);
        SplittableRandom rng = new SplittableRandom(42);
        for (double[] row : data.features()) {
            for (double x : row) {
                assertThat(x).isEqualTo(rng.nextDouble());
            }
        }
        LabelledData big = HeavyTailedSynthetic.generate(5, 3);
        double sum = 0;
        int count = 0;
        for (double[] row : big.features()) {
            for (double x : row) {
                assertThat(x).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
                sum += x;
                count++;
            }
        }
        assertThat(sum / count).as("mean of %d uniforms", count).isBetween(0.49, 0.51);
    }

    @Test
    void sameSeedSameDataOtherSeedOtherFeatures() {
        LabelledData a = HeavyTailedSynthetic.generate(3, 11);
        LabelledData b = HeavyTailedSynthetic.generate(3, 11);
        LabelledData c = HeavyTailedSynthetic.generate(3, 12);
        assertThat(a.features()).isDeepEqualTo(b.features());
        assertThat(a.labels()).isEqualTo(b.labels());
        assertThat(c.labels()).isEqualTo(a.labels());
        assertThat(c.features()[0]).isNotEqualTo(a.features()[0]);
    }

    @Test
    void sizeOutsideOneToTenIsRejected() {
        assertThatThrownBy(() -> HeavyTailedSynthetic.generate(0, 1)).hasMessage("m must be in [1, 10], got 0");
        assertThatThrownBy(() -> HeavyTailedSynthetic.generate(11, 1)).hasMessage("m must be in [1, 10], got 11");
    }
}
