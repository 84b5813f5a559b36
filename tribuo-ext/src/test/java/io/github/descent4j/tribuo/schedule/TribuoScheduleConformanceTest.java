package io.github.descent4j.tribuo.schedule;

import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import io.github.descent4j.testkit.GoldenSchedules;
import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.optim.TransformChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;

import java.nio.file.Path;
import java.util.Map;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code schedule} golden case through {@link ScheduledOptimiser} over descent4j's Tribuo optimisers, read off
 * the steps they take: over {@code scaleByLearningRate()} at the base (or peak) rate, a loss gradient of 1 moves the
 * parameter by −lr(t); for one-cycle, over {@code heavyBallMomentum | scaleByLearningRate()}, the buffer
 * b_t = μ_t b_{t−1} + 1 read from the steps gives μ_t. Both at 1e-12 relative.
 */
class TribuoScheduleConformanceTest {

    @Test
    void everyScheduleCaseMatches() {
        // Any subset of the schedules is a legal case set; runAll already fails on an unknown one or on none.
        assertThat(GoldenSchedules.ALGORITHMS).containsAll(runAll(GoldenCases.directory()).keySet());
    }

    @Test
    void generatedScheduleCasesMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 3, 13);
        assertThat(runAll(dir)).containsOnlyKeys(GoldenSchedules.ALGORITHMS).allSatisfy((a, n) -> assertThat(n).isGreaterThanOrEqualTo(2));
    }

    /** The Tribuo component of a case's schedule. */
    static ConfiguredSchedule tribuo(GoldenSchedules.Schedule s) {
        if (s.schedule() instanceof io.github.descent4j.core.schedule.WarmupCosineSchedule w) {
            return new WarmupCosineSchedule(w.warmupSteps(), w.totalSteps(), w.minRatio());
        }
        if (s.schedule() instanceof io.github.descent4j.core.schedule.WarmupStableDecaySchedule w) {
            return new WarmupStableDecaySchedule(w.warmupSteps(), w.totalSteps(), w.decayFraction(), w.minRatio());
        }
        var o = (io.github.descent4j.core.schedule.OneCycleSchedule) s.schedule();
        return new OneCycleSchedule(o.totalSteps(), o.pctStart(), o.divFactor(), o.finalDivFactor(), o.threePhase(),
                o.linearAnneal(), true, o.baseMomentum(), o.maxMomentum());
    }

    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("TribuoScheduleConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.SCHEDULE)) {
            GoldenSchedules.Schedule s = GoldenSchedules.of(c);
            if (s == null) {
                tally.unknown(c, "no Tribuo schedule");
                continue;
            }
            double[] expected = c.series("learningRates");
            boolean momentum = c.json().has("momenta");
            ConfiguredSchedule schedule = tribuo(s);
            ScheduledOptimiser plain = new ScheduledOptimiser(new TransformChain(s.learningRate(), "scaleByLearningRate()"),
                    momentum ? ((OneCycleSchedule) schedule).copyWithoutMomentum() : schedule);
            double[] rates = steps(plain, expected.length);
            for (int t = 0; t < rates.length; t++) {
                rates[t] = -rates[t];
            }
            assertThatValues(rates).as(c.name() + " learning rates").isCloseTo(expected, 1e-12);
            if (momentum) {
                double[] momenta = c.series("momenta");
                ScheduledOptimiser cycled = new ScheduledOptimiser(new TransformChain(1.0,
                        "heavyBallMomentum(momentum=0.5) | scaleByLearningRate()"), schedule);
                double[] moves = steps(cycled, momenta.length);
                double[] mu = new double[momenta.length];
                double previous = 0;
                for (int t = 0; t < moves.length; t++) {
                    double factor = expected[t] / s.learningRate();
                    double buffer = -moves[t] / factor;
                    // The first step's momentum does not show in the move (the first buffer is the gradient), so it
                    // is read from the schedule, as ScheduledOptimiser hands it to the optimiser at step 1.
                    mu[t] = t == 0 ? schedule.momentum(1) : (buffer - 1) / previous;
                    previous = buffer;
                }
                assertThat(-moves[0] / (expected[0] / s.learningRate())).as("the first buffer is the gradient").isCloseTo(1.0,
                        org.assertj.core.data.Offset.offset(1e-12));
                assertThatValues(mu).as(c.name() + " momenta").isCloseTo(momenta, 1e-12);
            }
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    /** The parameter moves of {@code n} steps with a loss gradient of 1 (Tribuo hands optimisers −1). */
    private static double[] steps(ScheduledOptimiser optimiser, int n) {
        ArrayParameters parameter = new ArrayParameters(new int[][]{{1}}, new double[][]{{0.0}});
        optimiser.initialise(parameter);
        double[] moves = new double[n];
        for (int t = 0; t < n; t++) {
            Tensor[] update = optimiser.step(new Tensor[]{DenseVector.createDenseVector(new double[]{-1.0})}, 1.0);
            moves[t] = ((DenseVector) update[0]).get(0);
        }
        return moves;
    }
}
