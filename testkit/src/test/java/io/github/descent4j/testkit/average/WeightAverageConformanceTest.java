package io.github.descent4j.testkit.average;

import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.average.ParameterAverage;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenAverageCase;
import io.github.descent4j.testkit.GoldenAverageCaseWriter;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The framework-free weight average ({@link ParameterAverage}) replayed on every {@code weight-average} golden case
 * at 1e-9 relative: the base SGD (core {@link GoldenAverageCase#baseOptimiser}) must reproduce {@code after}, and the
 * average of those parameters {@code average}, after every step. The DL4J and Tribuo harnesses then check the wiring.
 */
class WeightAverageConformanceTest {
    private static final double TOLERANCE = 1e-9;

    @Test
    void everyWeightAverageCaseMatches() {
        runAll(GoldenCases.directory());
    }

    /** One, two and three tensors of ranks 1–3; EMA of two decays, SWA from step 0 and 2; with and without momentum. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        int written = GoldenAverageCaseWriter.writeSuite(dir, 5, 41);
        assertThat(runAll(dir)).containsOnly(Map.entry("EMA", written / 2), Map.entry("SWA", written / 2));
    }

    /** Replays every weight-average case of {@code dir}; fails on an unknown algorithm or setting, or on none. */
    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("WeightAverageConformanceTest", dir);
        for (GoldenCase golden : GoldenAverageCase.of(GoldenCases.load(dir))) {
            GoldenAverageCase c = GoldenAverageCase.read(golden);
            Optional<String> refusal = c.refusal();
            if (refusal.isPresent()) {
                tally.unknown(golden, refusal.get());
                continue;
            }
            replay(c);
            tally.ran(golden.algorithm());
        }
        return tally.finish();
    }

    private static void replay(GoldenAverageCase c) {
        double[][] params = c.golden().initialValues();
        Optimiser sgd = c.baseOptimiser(params);
        ParameterAverage average = new ParameterAverage(c.rule(), params);
        int stepNo = 0;
        for (GoldenAverageCase.AverageStep step : c.steps()) {
            stepNo++;
            sgd.step(step.gradients());
            average.afterStep(params);
            for (int t = 0; t < params.length; t++) {
                assertThatValues(params[t]).as("%s step %d tensor %d (trained)", c.golden().name(), stepNo, t)
                        .isCloseTo(step.after()[t], TOLERANCE);
                assertThatValues(average.average()[t]).as("%s step %d tensor %d (average)", c.golden().name(), stepNo, t)
                        .isCloseTo(step.average()[t], TOLERANCE);
            }
        }
        assertThat(stepNo).as("steps of %s", c.golden().name()).isPositive();
        assertThat(average.averagedCount()).isEqualTo(Math.max(0, stepNo - c.startStep()));
    }

    @Test
    void anUnknownAlgorithmOrBaseSettingFailsAndSoDoZeroCases(@TempDir Path dir) throws Exception {
        GoldenAverageCaseWriter.writeSuite(dir, 2, 5);
        String ema = Files.readString(dir.resolve("gen-ema-0.json"));
        Path polyak = dir.resolve("polyak.json");
        Files.writeString(polyak, ema.replace("\"EMA\"", "\"Polyak\"").replace("gen-ema-0", "polyak"));
        assertThatThrownBy(() -> runAll(dir)).isInstanceOf(AssertionError.class).hasMessageContaining("does not know")
                .hasMessageContaining("polyak (Polyak): unknown weight-average algorithm");
        Files.writeString(polyak, ema.replace("\"momentum\"", "\"weightDecay\"").replace("gen-ema-0", "polyak"));
        assertThatThrownBy(() -> runAll(dir)).hasMessageContaining("unknown base hyperparameter 'weightDecay'");
        Files.writeString(polyak, ema.replace("\"decay\" : 0.9", "\"decay\" : 1.5").replace("gen-ema-0", "polyak"));
        assertThatThrownBy(() -> runAll(dir)).hasMessageContaining("decay must be in [0, 1)");
        Files.delete(polyak);
        assertThat(runAll(dir)).containsOnlyKeys("EMA", "SWA");

        Path noAverages = Files.createDirectory(dir.resolve("none"));
        GoldenCaseWriter.gradientSequence(noAverages.resolve("a.json"), "a", "Adam", GoldenCaseWriter.GRADIENT_SEQUENCE_SETTINGS.get("Adam"),
                new int[][]{{3}}, 2, 1, false);
        assertThatThrownBy(() -> runAll(noAverages)).isInstanceOf(AssertionError.class).hasMessageContaining("cases run");
    }

    /** The generator must not agree with itself only: a wrong expected average is caught. */
    @Test
    void aWrongAverageIsCaught(@TempDir Path dir) throws Exception {
        GoldenAverageCaseWriter.writeSuite(dir, 3, 8);
        Path swa = dir.resolve("gen-swa-0.json");
        String text = Files.readString(swa);
        int at = text.lastIndexOf("\"average\"");
        int digit = text.indexOf('.', at) + 1;   // the first decimal of the last step's first average value
        char d = text.charAt(digit);
        Files.writeString(swa, text.substring(0, digit) + (d == '9' ? '0' : (char) (d + 1)) + text.substring(digit + 1));
        assertThatThrownBy(() -> runAll(dir)).isInstanceOf(AssertionError.class).hasMessageContaining("gen-swa-0 step 3 tensor 0 (average)");
    }
}
