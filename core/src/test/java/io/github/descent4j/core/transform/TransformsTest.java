package io.github.descent4j.core.transform;

import io.github.descent4j.core.schedule.LearningRateSchedule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Each transform against values worked out by hand from its documented update. */
class TransformsTest {

    @Test
    void scaleByLearningRateMultipliesByTheRateAndTheScheduleFactor() {
        Steps constant = new Steps(new ScaleByLearningRate(), 2);
        assertThat(constant.next(new double[]{2, -4}, null, Double.NaN, -1.0, 0.5)).containsExactly(1, -2);
        Steps scheduled = new Steps(new ScaleByLearningRate(t -> 1.0 / t), 1);
        assertThat(scheduled.next(new double[]{8}, null, Double.NaN, 1.0, 0.5)).containsExactly(4);   // step 1: 0.5 · 1
        assertThat(scheduled.next(new double[]{8}, null, Double.NaN, 1.0, 0.5)).containsExactly(2);   // step 2: 0.5 · ½
        Steps negative = new Steps(new ScaleByLearningRate(t -> -1.0), 1);
        assertThatThrownBy(() -> negative.next(1.0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("factor -1.0");
    }

    @Test
    void signIsMinusOneZeroOrOne() {
        double[] out = new Steps(new Sign(), 4).next(new double[]{3, -0.5, 0.0, -0.0}, null, Double.NaN, -1.0, 1.0);
        assertThat(out[0]).isEqualTo(1.0);
        assertThat(out[1]).isEqualTo(-1.0);
        assertThat(out[2]).isZero();
        assertThat(out[3]).isZero();
    }

    @Test
    void heavyBallMomentumAccumulatesAndNesterovLooksAhead() {
        Steps plain = new Steps(new HeavyBallMomentum(0.5), 2);
        assertThat(plain.next(1, 2)).containsExactly(1, 2);                 // buf = u
        assertThat(plain.next(3, -2)).containsExactly(3.5, -1);             // buf = ½·(1, 2) + (3, −2)
        assertThat(plain.buffers[0]).containsExactly(3.5, -1);
        Steps nesterov = new Steps(new HeavyBallMomentum(0.5, true), 2);
        assertThat(nesterov.next(1, 2)).containsExactly(1.5, 3);            // u + ½·buf, buf = u
        assertThat(nesterov.next(new double[]{3, -2}, null, Double.NaN, -1.0, 1.0))
                .containsExactly(3 + 0.5 * 3.5, -2 + 0.5 * -1);
        Steps none = new Steps(new HeavyBallMomentum(0.0), 2);
        assertThat(none.rule.bufferCount()).isZero();
        assertThat(none.next(7, -3)).containsExactly(7, -3);
    }

    @Test
    void exponentialMovingAverageHasNoBiasCorrection() {
        Steps ema = new Steps(new ExponentialMovingAverage(0.75), 1);
        assertThat(ema.next(4)).containsExactly(1);                         // 0.25 · 4
        assertThat(ema.next(new double[]{8}, null, Double.NaN, -1.0, 1.0)).containsExactly(2.75);   // 0.75 · 1 + 0.25 · 8
    }

    @Test
    void scaleByAdamDividesTheCorrectedMeanByTheCorrectedRootMeanSquare() {
        Steps adam = new Steps(new ScaleByAdam(0.9, 0.999, 1e-8), 1);
        assertThat(adam.next(2)[0]).isCloseTo(2 / (2 + 1e-8), within(1e-15));   // m̂ = 2, √v̂ = 2
        double m = 0.9 * 0.2 + 0.1 * -1;
        double v = 0.999 * 0.004 + 0.001 * 1;
        double expected = (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
        assertThat(adam.next(new double[]{-1}, null, Double.NaN, -1.0, 1.0)[0]).isCloseTo(expected, within(1e-15));
        assertThat(adam.buffers[0][0]).isCloseTo(m, within(1e-16));
        assertThat(adam.buffers[1][0]).isCloseTo(v, within(1e-16));
    }

    @Test
    void addDecayedWeightsAddsTheDecayTimesTheParameters() {
        assertThat(new Steps(new AddDecayedWeights(0.1), 2).next(new double[]{1, -1}, new double[]{2, 10}, Double.NaN, -1.0, 1.0))
                .containsExactly(1.2, 0.0);
        assertThat(new AddDecayedWeights(0.1).readsParameters()).isTrue();
        assertThat(new AddDecayedWeights(0.0).readsParameters()).isFalse();
        assertThat(new Steps(new AddDecayedWeights(0.0), 1).next(new double[]{5}, null, Double.NaN)).containsExactly(5);
    }

    @Test
    void clipByGlobalNormRescalesOnlyAboveTheBound() {
        Steps clip = new Steps(new ClipByGlobalNorm(1.0), 2);
        double coef = 1.0 / (5 + 1e-6);
        assertThat(clip.next(new double[]{3, 4}, null, 25.0)).containsExactly(3 * coef, 4 * coef);
        assertThat(clip.next(new double[]{0.3, 0.4}, null, 0.25)).containsExactly(0.3, 0.4);   // coef ≈ 2: unchanged
        double justBelowOne = 1 / (1 + 1e-6);   // a norm of exactly maxNorm is still scaled, as in torch
        assertThat(clip.next(new double[]{0.6, 0.8}, null, 1.0)).containsExactly(0.6 * justBelowOne, 0.8 * justBelowOne);
        assertThat(new Steps(new ClipByGlobalNorm(1.0), 1).next(new double[]{1}, null, 1.0)[0]).isEqualTo(1 / (1 + 1e-6));
    }

    @Test
    void normalizeByGlobalNormDividesByTheNormAndMapsZeroToZero() {
        Steps normalise = new Steps(new NormalizeByGlobalNorm(), 2);
        assertThat(normalise.next(new double[]{3, 4}, null, 25.0)).containsExactly(new double[]{0.6, 0.8}, within(1e-16));
        assertThat(normalise.next(new double[]{0, 0}, null, 0.0)).containsExactly(0, 0);
    }

    @Test
    void scaleByAdaGradNormAccumulatesTheSquaredNormFromB0Squared() {
        Steps adaGradNorm = new Steps(new ScaleByAdaGradNorm(0.5), 1);
        assertThat(adaGradNorm.scalars).containsExactly(0.25);
        assertThat(adaGradNorm.next(new double[]{3}, null, 2.75)[0]).isCloseTo(Math.sqrt(3), within(1e-15));
        assertThat(adaGradNorm.scalars).containsExactly(3);
        assertThat(adaGradNorm.next(new double[]{1}, null, 1.0)).containsExactly(0.5);   // b² = 4
    }

    @Test
    void scaleByAdaGradDividesByTheRootOfTheSummedSquaresFromTheInitialAccumulator() {
        Steps adaGrad = new Steps(new ScaleByAdaGrad(1e-10, 0.5), 1);
        assertThat(adaGrad.next(1)).containsExactly(1 / (Math.sqrt(1.5) + 1e-10));
        assertThat(adaGrad.next(new double[]{2}, null, Double.NaN, -1.0, 1.0)).containsExactly(2 / (Math.sqrt(5.5) + 1e-10));
        assertThat(adaGrad.buffers[0]).containsExactly(5);   // the sum without the initial accumulator
    }

    @Test
    void lionDirectionTakesTheSignBeforeUpdatingTheMomentum() {
        Steps lion = new Steps(new LionDirection(0.9, 0.99), 1);
        assertThat(lion.next(-3)).containsExactly(-1);                       // sign(0.1 · −3)
        assertThat(lion.buffers[0][0]).isCloseTo(-0.03, within(1e-16));
        assertThat(lion.next(0.2)).containsExactly(-1);                      // sign(0.9 · −0.03 + 0.02) = sign(−0.007)
        assertThat(lion.buffers[0][0]).isCloseTo(-0.0277, within(1e-16));
        assertThat(lion.next(new double[]{1}, null, Double.NaN, -1.0, 1.0)).containsExactly(1);   // sign(−0.02493 + 0.1)
    }

    @Test
    void theConstantScheduleIsOneAndNamed() {
        assertThat(LearningRateSchedule.constant().factor(12345)).isEqualTo(1.0);
        assertThat(LearningRateSchedule.parse(" constant( ) ")).isSameAs(LearningRateSchedule.constant());
        assertThatThrownBy(() -> LearningRateSchedule.parse("cosine()")).hasMessageContaining("cosine()");
        LearningRateSchedule lambda = t -> 1.0;
        assertThatThrownBy(lambda::spec).isInstanceOf(UnsupportedOperationException.class);
    }
}
