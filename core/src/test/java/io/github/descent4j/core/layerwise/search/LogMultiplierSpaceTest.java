package io.github.descent4j.core.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LogMultiplierSpaceTest {
    @Test
    void boundsAreLogTenOfTheMultipliersAndPointsMapBack() {
        LogMultiplierSpace space = LogMultiplierSpace.withDefaultBounds(3);
        assertThat(space.lower()).containsExactly(-3, -3, -3);
        assertThat(space.upper()).containsExactly(1, 1, 1);
        assertThat(space.flatPoint()).containsExactly(0, 0, 0);
        double[] m = space.multipliers(new double[] {-2, 0, 0.5});
        assertThat(m[0]).isCloseTo(0.01, within(1e-15));
        assertThat(m[1]).isEqualTo(1.0);
        assertThat(m[2]).isCloseTo(Math.sqrt(10), within(1e-12));
        double[] five = space.distribution(new double[] {-2, 0, 0.5}).multipliers(5);
        assertThat(five[0]).isCloseTo(0.01, within(1e-15));
        assertThat(five[2]).isEqualTo(1.0);
        assertThat(five[1]).isCloseTo(0.505, within(1e-12)); // linear between the blocks
        assertThat(new LogMultiplierSpace(2, 0.01, 0.5).flatPoint()).containsExactly(Math.log10(0.5), Math.log10(0.5));
    }

    @Test
    void refusesInvertedNonPositiveOrNonFiniteBounds() {
        assertThatThrownBy(() -> new LogMultiplierSpace(2, 1, 0.1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("lower < upper");
        assertThatThrownBy(() -> new LogMultiplierSpace(2, 1, 1)).hasMessageContaining("lower < upper");
        assertThatThrownBy(() -> new LogMultiplierSpace(2, 0, 1)).hasMessageContaining("lowerMultiplier");
        assertThatThrownBy(() -> new LogMultiplierSpace(2, 0.1, -1)).hasMessageContaining("upperMultiplier");
        assertThatThrownBy(() -> new LogMultiplierSpace(2, 0.1, Double.POSITIVE_INFINITY)).hasMessageContaining("upperMultiplier");
        assertThatThrownBy(() -> new LogMultiplierSpace(0, 0.1, 1)).hasMessageContaining("blocks");
        assertThatThrownBy(() -> LogMultiplierSpace.withDefaultBounds(2).multipliers(new double[] {1}))
                .hasMessageContaining("point must have 2 coordinates");
    }
}
