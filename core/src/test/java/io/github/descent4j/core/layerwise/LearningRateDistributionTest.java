package io.github.descent4j.core.layerwise;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateDistributionTest {

    @Test
    void flatGivesOnes() {
        assertThat(LearningRateDistribution.flat().multipliers(3)).containsExactly(1, 1, 1);
    }

    @Test
    void layerwiseDecayGivesTheHeadOneAndTheInputTheStrongestDecay() {
        assertThat(LearningRateDistribution.layerwiseDecay(0.5).multipliers(4)).containsExactly(0.125, 0.25, 0.5, 1.0);
        assertThat(LearningRateDistribution.layerwiseDecay(0.9).multipliers(1)).containsExactly(1.0);
    }

    @Test
    void explicitVectorsAreResampledLinearlyOverTheDepth() {
        var d = LearningRateDistribution.explicit(0.0, 1.0);
        assertThat(d.multipliers(2)).containsExactly(0.0, 1.0);
        assertThat(d.multipliers(5)).containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
        assertThat(d.multipliers(1)).containsExactly(1.0);
        var three = LearningRateDistribution.explicit(1.0, 3.0, 2.0);
        assertThat(three.multipliers(2)).containsExactly(1.0, 2.0);
        assertThat(three.multipliers(5)).containsExactly(1.0, 2.0, 3.0, 2.5, 2.0);
        assertThat(LearningRateDistribution.explicit(0.7).multipliers(3)).containsExactly(0.7, 0.7, 0.7);
    }

    @Test
    void geometricMeanIsElementwise() {
        var mean = LearningRateDistribution.geometricMean(LearningRateDistribution.explicit(1, 4, 9),
                LearningRateDistribution.explicit(4, 1, 1));
        double[] m = mean.multipliers(3);
        assertThat(m[0]).isCloseTo(2.0, within(1e-12));
        assertThat(m[1]).isCloseTo(2.0, within(1e-12));
        assertThat(m[2]).isCloseTo(3.0, within(1e-12));
        var withZero = LearningRateDistribution.geometricMean(LearningRateDistribution.explicit(0, 1),
                LearningRateDistribution.flat());
        assertThat(withZero.multipliers(2)).containsExactly(0.0, 1.0);
    }

    @Test
    void badInputNamesTheParameter() {
        assertThatThrownBy(() -> LearningRateDistribution.layerwiseDecay(1.5))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay");
        assertThatThrownBy(() -> LearningRateDistribution.layerwiseDecay(Double.NaN)).hasMessageContaining("decay");
        assertThatThrownBy(() -> LearningRateDistribution.explicit(1, -1)).hasMessageContaining("multipliers[1]");
        assertThatThrownBy(() -> LearningRateDistribution.explicit()).hasMessageContaining("multipliers");
        assertThatThrownBy(() -> LearningRateDistribution.explicit(0, 0)).hasMessageContaining("not all be 0");
        assertThatThrownBy(() -> LearningRateDistribution.geometricMean()).hasMessageContaining("distributions");
        assertThatThrownBy(() -> LearningRateDistribution.flat().multipliers(0)).hasMessageContaining("depth");
    }
}
