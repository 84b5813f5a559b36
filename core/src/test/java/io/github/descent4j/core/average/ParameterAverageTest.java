package io.github.descent4j.core.average;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ParameterAverageTest {

    @Test
    void everyBadHyperparameterIsRejectedNamingIt() {
        for (double decay : new double[]{-0.1, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> AveragingRule.ema(decay)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("decay").hasMessageContaining("[0, 1)")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("decay"));
        }
        assertThatThrownBy(() -> AveragingRule.ema(0.9, -1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("startStep must be >= 0, got -1");
        assertThatThrownBy(() -> AveragingRule.swa(-5)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("startStep");
        assertThatThrownBy(() -> AveragingRule.of(null, 0.9, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("mode");
        assertThatThrownBy(() -> AveragingRule.of(AveragingRule.Mode.SWA, 0.5, 0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay must be 0 for SWA");
        assertThatThrownBy(() -> AveragingRule.of(AveragingRule.Mode.SWA, Double.NaN, 0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay");
        assertThat(AveragingRule.ema(0.0).decay()).isZero();   // the edge of [0, 1) is allowed: the average is θ
    }

    @Test
    void theFirstUpdateCopiesThenEmaAndSwaFollowTorchsFormulas() {
        double[][] initial = {{1.0, -2.0}, {3.0}};
        ParameterAverage ema = new ParameterAverage(AveragingRule.ema(0.75), initial);
        ParameterAverage swa = new ParameterAverage(AveragingRule.swa(), initial);
        initial[0][0] = 99;   // copied at construction
        assertThat(ema.average()[0]).containsExactly(1.0, -2.0);
        double[][] t1 = {{2.0, 4.0}, {-1.0}};
        double[][] t2 = {{6.0, 0.0}, {5.0}};
        double[][] t3 = {{-3.0, 1.0}, {2.0}};
        for (double[][] t : new double[][][]{t1, t2, t3}) {
            assertThat(ema.afterStep(t)).isTrue();
            assertThat(swa.afterStep(t)).isTrue();
        }
        // EMA: avg₁ = θ₁, avg₂ = 0.75 avg₁ + 0.25 θ₂, avg₃ = 0.75 avg₂ + 0.25 θ₃
        double e20 = 0.75 * 2.0 + 0.25 * 6.0;
        assertThat(ema.average()[0][0]).isEqualTo(0.75 * e20 + 0.25 * -3.0);
        assertThat(ema.average()[1][0]).isEqualTo(0.75 * (0.75 * -1.0 + 0.25 * 5.0) + 0.25 * 2.0);
        // SWA: the plain mean of θ₁..θ₃
        // SWA: the mean of θ₁..θ₃, accumulated as torch does: avg += (θ − avg)/(n + 1)
        double s2 = 2.0 + (6.0 - 2.0) / 2;
        assertThat(swa.average()[0][0]).isEqualTo(s2 + (-3.0 - s2) / 3);
        assertThat(swa.average()[0][1]).isCloseTo((4.0 + 0.0 + 1.0) / 3, within(1e-15));
        assertThat(swa.average()[1][0]).isCloseTo((-1.0 + 5.0 + 2.0) / 3, within(1e-15));
        assertThat(swa.averagedCount()).isEqualTo(3);
        assertThat(swa.stepsSeen()).isEqualTo(3);
    }

    @Test
    void stepsBeforeTheStartStepAreIgnoredAndTheInitialCopyStaysUntilTheFirstUpdate() {
        ParameterAverage swa = new ParameterAverage(AveragingRule.swa(2), new double[][]{{0.5}});
        assertThat(swa.afterStep(new double[][]{{10.0}})).isFalse();
        assertThat(swa.afterStep(new double[][]{{20.0}})).isFalse();
        assertThat(swa.average()[0]).containsExactly(0.5);
        assertThat(swa.averagedCount()).isZero();
        assertThat(swa.afterStep(new double[][]{{4.0}})).isTrue();
        assertThat(swa.afterStep(new double[][]{{8.0}})).isTrue();
        assertThat(swa.average()[0]).containsExactly(6.0);   // mean of steps 3 and 4 only
        assertThat(swa.stepsSeen()).isEqualTo(4);
        assertThat(AveragingRule.swa(2).averages(2)).isFalse();
        assertThat(AveragingRule.swa(2).averages(3)).isTrue();
        assertThatThrownBy(() -> AveragingRule.swa().averages(0)).hasMessageContaining("step must be >= 1");
    }

    @Test
    void theTwoCoefficientFormIsTheSameAverage() {
        SplittableRandom rng = new SplittableRandom(3);
        for (AveragingRule rule : new AveragingRule[]{AveragingRule.ema(0.9), AveragingRule.ema(0.999), AveragingRule.swa()}) {
            double[] exact = new double[50];
            double[] blended = new double[50];
            for (long n = 0; n < 40; n++) {
                double[] theta = rng.doubles(50, -1, 1).toArray();
                rule.update(exact, theta, 0, 50, n);
                double keep = rule.keepWeight(n);
                double take = rule.takeWeight(n);
                for (int i = 0; i < 50; i++) {
                    blended[i] = n == 0 ? theta[i] : keep * blended[i] + take * theta[i];
                }
            }
            for (int i = 0; i < 50; i++) {
                assertThat(blended[i]).as("%s [%d]", rule, i).isCloseTo(exact[i], within(1e-14));
            }
        }
        assertThat(AveragingRule.ema(0.9).keepWeight(3)).isEqualTo(0.9);
        assertThat(AveragingRule.swa().takeWeight(3)).isEqualTo(0.25);
        assertThat(AveragingRule.swa().keepWeight(0)).isZero();
    }

    @Test
    void aResumedAverageContinuesBitForBit() {
        SplittableRandom rng = new SplittableRandom(9);
        double[][][] thetas = new double[8][][];
        for (int s = 0; s < thetas.length; s++) {
            thetas[s] = new double[][]{rng.doubles(7, -2, 2).toArray(), rng.doubles(3, -2, 2).toArray()};
        }
        for (AveragingRule rule : new AveragingRule[]{AveragingRule.ema(0.8, 1), AveragingRule.swa(2)}) {
            ParameterAverage whole = new ParameterAverage(rule, new double[][]{new double[7], new double[3]});
            for (int s = 0; s < 4; s++) {
                whole.afterStep(thetas[s]);
            }
            ParameterAverage resumed = ParameterAverage.resume(rule, whole.average(), whole.averagedCount(), whole.stepsSeen());
            for (int s = 4; s < thetas.length; s++) {
                whole.afterStep(thetas[s]);
                resumed.afterStep(thetas[s]);
            }
            assertThat(resumed.average()).isDeepEqualTo(whole.average());
            assertThat(resumed.averagedCount()).isEqualTo(whole.averagedCount());
        }
        assertThatThrownBy(() -> ParameterAverage.resume(AveragingRule.swa(), new double[][]{{1}}, 3, 2))
                .hasMessageContaining("averagedCount <= stepsSeen");
    }

    @Test
    void mismatchedParametersAreRejected() {
        ParameterAverage avg = new ParameterAverage(AveragingRule.swa(), new double[][]{{1, 2}});
        assertThatThrownBy(() -> avg.afterStep(new double[][]{{1, 2}, {3}})).hasMessageContaining("must have 1 tensors");
        assertThatThrownBy(() -> avg.afterStep(new double[][]{{1}})).hasMessageContaining("parameters[0] must have 2 elements");
        assertThat(avg.stepsSeen()).isZero();
    }

    @Test
    void equalRulesAreEqual() {
        assertThat(AveragingRule.ema(0.9, 3)).isEqualTo(AveragingRule.of(AveragingRule.Mode.EMA, 0.9, 3))
                .hasSameHashCodeAs(AveragingRule.ema(0.9, 3)).isNotEqualTo(AveragingRule.ema(0.9, 4));
        assertThat(AveragingRule.swa(5)).hasToString("SWA(startStep=5)");
        assertThat(AveragingRule.ema(0.5)).hasToString("EMA(decay=0.5, startStep=0)");
    }
}
