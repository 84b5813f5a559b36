package io.github.descent4j.testkit;

import io.github.descent4j.core.schedule.OneCycleSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code schedule} golden case through descent4j-core's schedules: lr(t) = learningRate · factor(t + 1), and
 * for one-cycle the momentum, at 1e-12 relative, for every step the case lists.
 */
class ScheduleConformanceTest {
    static final double TOLERANCE = 1e-12;

    @Test
    void everyScheduleCaseMatches() {
        // Any subset of the schedules is a legal case set; runAll already fails on an unknown one or on none.
        assertThat(GoldenSchedules.ALGORITHMS).containsAll(runAll(GoldenCases.directory()).keySet());
    }

    @Test
    void generatedScheduleCasesMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 3, 5);
        assertThat(runAll(dir)).containsEntry("WarmupCosine", 2).containsEntry("WarmupStableDecay", 2).containsEntry("OneCycle", 2);
    }

    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("ScheduleConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.SCHEDULE)) {
            GoldenSchedules.Schedule s = GoldenSchedules.of(c);
            if (s == null) {
                tally.unknown(c, "no core schedule");
                continue;
            }
            double[] expected = c.series("learningRates");
            double[] actual = new double[expected.length];
            for (int t = 0; t < expected.length; t++) {
                actual[t] = s.learningRate() * s.schedule().factor(t + 1);
            }
            assertThatValues(actual).as(c.name() + " learning rates").isCloseTo(expected, TOLERANCE);
            if (c.json().has("momenta")) {
                double[] momenta = c.series("momenta");
                double[] m = new double[momenta.length];
                for (int t = 0; t < m.length; t++) {
                    m[t] = ((OneCycleSchedule) s.schedule()).momentum(t + 1);
                }
                assertThatValues(m).as(c.name() + " momenta").isCloseTo(momenta, TOLERANCE);
            }
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }
}
