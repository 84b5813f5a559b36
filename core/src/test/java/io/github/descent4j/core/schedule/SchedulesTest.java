package io.github.descent4j.core.schedule;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.transform.TransformChain;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SchedulesTest {

    @Test
    void specsRoundTripAndAreValues() {
        LearningRateSchedule[] all = {new WarmupCosineSchedule(3, 20, 0.1), new WarmupStableDecaySchedule(2, 30, 0.25, 0.05),
                new OneCycleSchedule(50, 0.25, 10, 100, true, true, 0.8, 0.9), new OneCycleSchedule(12), LearningRateSchedule.constant()};
        for (LearningRateSchedule s : all) {
            LearningRateSchedule back = LearningRateSchedule.parse(s.spec());
            assertThat(back).isEqualTo(s).hasSameHashCodeAs(s);
            assertThat(back.spec()).isEqualTo(s.spec());
        }
        assertThatThrownBy(() -> LearningRateSchedule.parse("warmupCosine(warmupSteps=1, totalSteps=5, floor=0.1)"))
                .hasMessageContaining("floor");
        assertThatThrownBy(() -> LearningRateSchedule.parse("cyclic()")).hasMessageContaining("known");
    }

    @Test
    void badHyperparametersAreRefusedNamingThem() {
        assertThatThrownBy(() -> new WarmupCosineSchedule(10, 5, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> new WarmupCosineSchedule(5, 5, 0)).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> new WarmupCosineSchedule(-1, 5, 0)).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> new WarmupCosineSchedule(1, 5, Double.NaN)).hasMessageContaining("minRatio");
        assertThatThrownBy(() -> new WarmupCosineSchedule(1, 5, 1.5)).hasMessageContaining("minRatio");
        assertThatThrownBy(() -> new WarmupStableDecaySchedule(30, 25, 0.2, 0)).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> new WarmupStableDecaySchedule(1, 25, 0, 0)).hasMessageContaining("decayFraction");
        assertThatThrownBy(() -> new WarmupStableDecaySchedule(1, 25, 0.01, 0)).hasMessageContaining("decayFraction");
        assertThatThrownBy(() -> new WarmupStableDecaySchedule(1, 25, Double.POSITIVE_INFINITY, 0)).hasMessageContaining("decayFraction");
        assertThatThrownBy(() -> new OneCycleSchedule(1)).hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 0.05, 25, 1e4, false, false, 0.85, 0.95)).hasMessageContaining("pctStart");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 1.0, 25, 1e4, false, false, 0.85, 0.95)).hasMessageContaining("pctStart");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 0.3, 0, 1e4, false, false, 0.85, 0.95)).hasMessageContaining("divFactor");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 0.3, 25, Double.NaN, false, false, 0.85, 0.95)).hasMessageContaining("finalDivFactor");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 0.3, 25, 1e4, false, false, 1.0, 0.95)).hasMessageContaining("baseMomentum");
        assertThatThrownBy(() -> new OneCycleSchedule(10, 0.3, 25, 1e4, false, false, 0.85, -0.1)).hasMessageContaining("maxMomentum");
        OneCycleSchedule cycle = new OneCycleSchedule(10);
        assertThat(cycle.factor(11)).isFinite();   // t = T is extrapolated, as torch
        assertThatThrownBy(() -> cycle.factor(12)).hasMessageContaining("totalSteps=10");
    }

    @Test
    void aScheduledMomentumDrivesAdamsBeta1IncludingItsBiasCorrection() {
        OneCycleSchedule cycle = new OneCycleSchedule(8);
        double[][] params = {{0.5, -1.0}};
        FlatOptimiser adam = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, params);
        double[] theta = {0.5, -1.0};
        double[] m = new double[2];
        double[] v = new double[2];
        for (int step = 1; step <= 8; step++) {
            double beta1 = cycle.momentum(step);
            double[] g = {Math.sin(step), Math.cos(3 * step)};
            adam.setMomentum(beta1);
            adam.step(new double[][]{g.clone()});
            for (int i = 0; i < 2; i++) {   // torch.optim.Adam with the group's current betas[0]
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(beta1, step));
                double vHat = v[i] / (1 - Math.pow(0.999, step));
                theta[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
                assertThat(params[0][i]).as("step %d", step).isCloseTo(theta[i], within(1e-13));
            }
        }
        double[][] chainParams = {{0.5, -1.0}};
        FlatOptimiser chain = new FlatOptimiser(TransformChain.parse("scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()"),
                0.1, chainParams);
        double[][] fusedParams = {{0.5, -1.0}};
        FlatOptimiser fused = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, fusedParams);
        for (int step = 1; step <= 8; step++) {
            chain.setMomentum(cycle.momentum(step));
            fused.setMomentum(cycle.momentum(step));
            chain.step(new double[][]{{Math.sin(step), Math.cos(3 * step)}});
            fused.step(new double[][]{{Math.sin(step), Math.cos(3 * step)}});
        }
        assertThat(chainParams[0][0]).isCloseTo(fusedParams[0][0], within(1e-14));
        assertThat(chainParams[0][1]).isCloseTo(fusedParams[0][1], within(1e-14));
        FlatOptimiser sign = new FlatOptimiser(new SignSGDRule(0.9), 0.1, new double[][]{{1}});
        assertThatThrownBy(() -> sign.setMomentum(0.9)).hasMessageContaining("no momentum");
        FlatOptimiser heavyBall = new FlatOptimiser(TransformChain.parse("heavyBallMomentum(momentum=0.5) | scaleByLearningRate()"),
                1.0, new double[][]{{0}});
        heavyBall.setMomentum(0.25);
        heavyBall.step(new double[][]{{1}});
        heavyBall.step(new double[][]{{1}});
        assertThat(heavyBall.parameters()[0][0]).isCloseTo(-(1 + 1.25), within(1e-15));
        assertThatThrownBy(() -> { heavyBall.setMomentum(1.5); heavyBall.step(new double[][]{{1}}); }).hasMessageContaining("momentum");
    }
}
