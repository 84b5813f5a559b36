package io.github.descent4j.dl4j.schedule;

import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import io.github.descent4j.testkit.GoldenSchedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.Map;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code schedule} golden case through the DL4J schedules: {@code valueAt(t, 0)} (ITERATION) and
 * {@code valueAt(0, t)} (EPOCH) against {@code learningRates[t]}, and the one-cycle momentum schedule against
 * {@code momenta[t]}, at 1e-12 relative — each also after a JSON round trip through ISchedule's {@code @class} typing.
 */
class Dl4jScheduleConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyScheduleCaseMatches() throws Exception {
        // Any subset of the schedules is a legal case set; runAll already fails on an unknown one or on none.
        assertThat(GoldenSchedules.ALGORITHMS).containsAll(runAll(GoldenCases.directory()).keySet());
    }

    @Test
    void generatedScheduleCasesMatch(@TempDir Path dir) throws Exception {
        GoldenCaseWriter.writeSuite(dir, 3, 9);
        assertThat(runAll(dir)).containsOnlyKeys(GoldenSchedules.ALGORITHMS).allSatisfy((a, n) -> assertThat(n).isGreaterThanOrEqualTo(2));
    }

    /** The DL4J schedule of a golden case, built from the core schedule's hyperparameters. */
    static CoreSchedule dl4j(GoldenCase c, ScheduleType type) {
        GoldenSchedules.Schedule s = GoldenSchedules.of(c);
        if (s == null) {
            return null;
        }
        if (s.schedule() instanceof io.github.descent4j.core.schedule.WarmupCosineSchedule w) {
            return new WarmupCosineSchedule(type, s.learningRate(), w.warmupSteps(), w.totalSteps(), w.minRatio());
        }
        if (s.schedule() instanceof io.github.descent4j.core.schedule.WarmupStableDecaySchedule w) {
            return new WarmupStableDecaySchedule(type, s.learningRate(), w.warmupSteps(), w.totalSteps(), w.decayFraction(), w.minRatio());
        }
        var o = (io.github.descent4j.core.schedule.OneCycleSchedule) s.schedule();
        return new OneCycleSchedule(type, s.learningRate(), o.totalSteps(), o.pctStart(), o.divFactor(), o.finalDivFactor(),
                o.threePhase(), o.linearAnneal(), o.baseMomentum(), o.maxMomentum());
    }

    static Map<String, Integer> runAll(Path dir) throws Exception {
        ConformanceTally tally = new ConformanceTally("Dl4jScheduleConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.SCHEDULE)) {
            CoreSchedule iteration = dl4j(c, ScheduleType.ITERATION);
            if (iteration == null) {
                tally.unknown(c, "no DL4J schedule");
                continue;
            }
            ISchedule restored = JSON.readValue(JSON.writeValueAsString(iteration), ISchedule.class);
            assertThat(restored).isEqualTo(iteration).isNotSameAs(iteration);
            CoreSchedule epoch = dl4j(c, ScheduleType.EPOCH);
            double[] expected = c.series("learningRates");
            for (ISchedule s : new ISchedule[]{iteration, restored, epoch}) {
                double[] actual = new double[expected.length];
                for (int t = 0; t < expected.length; t++) {
                    actual[t] = s == epoch ? s.valueAt(0, t) : s.valueAt(t, 0);
                }
                assertThatValues(actual).as("%s %s", c.name(), s).isCloseTo(expected, 1e-12);
            }
            if (c.json().has("momenta")) {
                OneCycleMomentumSchedule momentum = ((OneCycleSchedule) iteration).momentum();
                ISchedule back = JSON.readValue(JSON.writeValueAsString(momentum), ISchedule.class);
                assertThat(back).isEqualTo(momentum);
                double[] momenta = c.series("momenta");
                double[] actual = new double[momenta.length];
                for (int t = 0; t < momenta.length; t++) {
                    actual[t] = back.valueAt(t, 0);
                }
                assertThatValues(actual).as(c.name() + " momenta").isCloseTo(momenta, 1e-12);
            }
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }
}
