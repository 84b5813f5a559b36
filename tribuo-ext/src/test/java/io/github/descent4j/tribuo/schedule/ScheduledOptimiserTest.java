package io.github.descent4j.tribuo.schedule;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.SignSGD;
import org.junit.jupiter.api.Test;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduledOptimiserTest {

    @Test
    void oneCycleOverAdamEqualsTorchsAdamWithTheCyclesRateAndBeta1() {
        io.github.descent4j.core.schedule.OneCycleSchedule core = new io.github.descent4j.core.schedule.OneCycleSchedule(10);
        int[][] shapes = {{2, 3}};
        double[] initial = {0.1, -0.2, 0.3, 0.5, -0.7, 0.9};
        ArrayParameters params = new ArrayParameters(shapes, new double[][]{initial.clone()});
        ScheduledOptimiser scheduled = new ScheduledOptimiser(new Adam(0.05, 0.9, 0.999, 1e-8), new OneCycleSchedule(10));
        scheduled.initialise(params);
        double[][] reference = {initial.clone()};
        FlatOptimiser[] perStep = new FlatOptimiser[1];
        io.github.descent4j.core.transform.TransformChain chain = io.github.descent4j.core.transform.TransformChain.parse(
                "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate(schedule=" + core.spec() + ")");
        perStep[0] = new FlatOptimiser(chain, 0.05, reference);
        for (int t = 1; t <= 10; t++) {
            double[] g = new double[6];
            for (int i = 0; i < 6; i++) {
                g[i] = Math.sin(t * (i + 1));
            }
            double[] negated = g.clone();
            for (int i = 0; i < 6; i++) {
                negated[i] = -negated[i];
            }
            params.update(scheduled.step(new Tensor[]{ArrayParameters.dense(shapes[0], negated)}, 1.0));
            perStep[0].setMomentum(core.momentum(t));
            perStep[0].step(new double[][]{g});
            assertThatValues(ArrayParameters.flat(params.get()[0])).as("step %d", t).isCloseTo(reference[0], 1e-12);
        }
        assertThat(scheduled.getStepCount()).isEqualTo(10);
    }

    @Test
    void aCycledMomentumNeedsABaseThatHasOne() {
        ArrayParameters params = new ArrayParameters(new int[][]{{2}}, new double[][]{{0, 0}});
        assertThatThrownBy(() -> new ScheduledOptimiser(new AdaGrad(0.1), new OneCycleSchedule(10)).initialise(params))
                .hasMessageContaining("cycleMomentum=false");
        assertThatThrownBy(() -> new ScheduledOptimiser(new SignSGD(0.1, 0.9), new OneCycleSchedule(10)).initialise(params))
                .hasMessageContaining("no momentum");
        new ScheduledOptimiser(new AdaGrad(0.1), new OneCycleSchedule(10).copyWithoutMomentum()).initialise(params);
        assertThatThrownBy(() -> new ScheduledOptimiser(null, new OneCycleSchedule(10))).hasMessageContaining("base");
    }
}
