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
