package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ForgettingObjectiveTest {
    private final ForgettingObjective objective = new ForgettingObjective(0.02, 10);

    @Test
    void feasibleTrialsScoreMinusOldAccuracyAndInfeasibleOnesPayPerPointOfShortfall() {
        assertThat(objective.value(0.8, 0.95, 0.96)).isEqualTo(-0.8);       // 0.95 >= 0.96 - 0.02
        assertThat(objective.value(0.8, 0.94, 0.96)).isEqualTo(-0.8);       // exactly at the threshold
        assertThat(objective.feasible(0.94, 0.96)).isTrue();
        assertThat(objective.value(0.9, 0.84, 0.96)).isCloseTo(-0.9 + 10 * 0.10, within(1e-12));
        assertThat(objective.feasible(0.84, 0.96)).isFalse();
        assertThat(objective.shortfall(0.84, 0.96)).isCloseTo(0.10, within(1e-12));
        assertThat(new ForgettingObjective(0, 0).value(0.7, 0.1, 1.0)).isEqualTo(-0.7);
    }

    @Test
    void anAccuracyExactlyAtTheThresholdIsFeasibleWhateverTheRounding() {
        int checked = 0;
        for (int n = 50; n <= 300; n++) {
            for (int k = n / 2; k <= n; k++) {
                double flat = k / (double) n;
                double atThreshold = (k - 0.02 * n) / n;
                if (Math.abs(0.02 * n - Math.rint(0.02 * n)) > 1e-9 || atThreshold < 0) {
                    continue; // the threshold is an accuracy k'/n only when 0.02·n is a whole number
                }
                atThreshold = (k - Math.rint(0.02 * n)) / (double) n;
                assertThat(objective.feasible(atThreshold, flat)).as("%d/%d", k, n).isTrue();
                assertThat(objective.value(0.5, atThreshold, flat)).isEqualTo(-0.5);
                assertThat(objective.feasible(atThreshold - 1.0 / n, flat)).isFalse();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(500);
    }

    @Test
    void feasibilityDecidesBeforeValue() {
        assertThat(objective.isBetter(true, -0.5, false, -0.9)).isTrue();
        assertThat(objective.isBetter(false, -0.9, true, -0.5)).isFalse();
        assertThat(objective.isBetter(true, -0.6, true, -0.5)).isTrue();
        assertThat(objective.isBetter(true, -0.5, true, -0.5)).isFalse();
    }

    @Test
    void refusesSettingsAndAccuraciesOutOfRange() {
        assertThatThrownBy(() -> new ForgettingObjective(-0.1, 1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("tolerance must be in [0, 1]");
        assertThatThrownBy(() -> new ForgettingObjective(0.1, Double.NaN)).hasMessageContaining("penalty");
        assertThatThrownBy(() -> new ForgettingObjective(0.1, -1)).hasMessageContaining("penalty");
        assertThatThrownBy(() -> objective.value(1.2, 0.5, 0.5)).hasMessageContaining("oldAccuracy");
        assertThatThrownBy(() -> objective.value(0.5, Double.NaN, 0.5)).hasMessageContaining("newAccuracy");
    }
}
