package io.github.descent4j.testkit;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.clip.GlobalNormClipping;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.transform.TransformChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ClipByGlobalNorm} golden case through core's {@link GlobalNormClipping} over the base the case names
 * (any base core can build: every core rule, SGD with or without momentum, AdaGrad), at 1e-9 relative; the norm
 * before clipping reported by {@link GlobalNormClipping#lastNorm()} at 1e-12. Counts are printed per base.
 */
class GlobalNormClippingConformanceTest {

    @Test
    void everyClipCaseMatches() {
        // Our shipped cases clip; a legal case set whose bound never binds would pass runAll as well.
        assertThat(runAll(GoldenCases.directory()).clippedSteps()).as("steps that were clipped").isPositive();
    }

    @Test
    void generatedClipCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 6, 71);
        Replayed r = runAll(dir);
        assertThat(r.ran()).containsOnlyKeys("ClipByGlobalNorm/SGD", "ClipByGlobalNorm/Adam", "ClipByGlobalNorm/AdamW")
                .allSatisfy((base, n) -> assertThat(n).as(base).isEqualTo(GoldenCaseWriter.UNRELATED_SHAPES.length));
        assertThat(r.clippedSteps()).as("steps that were clipped").isPositive();
    }

    /** Cases run per clip/base pair, and how many steps clipped. */
    record Replayed(Map<String, Integer> ran, int clippedSteps) {}

    /** The hyperparameters the two framework baselines read here (the others: {@link CoreGoldenConformanceTest#RULES}). */
    private static final Map<String, java.util.Set<String>> BASELINE_READS = Map.of(
            "SGD", java.util.Set.of("learningRate", "momentum", "nesterov"),
            "AdaGrad", java.util.Set.of("learningRate", "epsilon", "initialAccumulator"));

    /** Replays every clip case of {@code dir}; fails on an unknown base (or base setting) or when none ran. */
    static Replayed runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("GlobalNormClippingConformanceTest", dir);
        int[] clippedSteps = {0};
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (!c.algorithm().equals(GoldenCase.CLIP_BY_GLOBAL_NORM)) {
                continue;   // the other gradient-sequence harnesses replay those
            }
            GoldenCase base = c.baseCase();
            UpdateRule rule = baseRule(base);
            if (rule == null) {
                tally.unknown(c, "no core base '" + base.algorithm() + "'");
                continue;
            }
            List<String> unread = base.unreadSettings(BASELINE_READS.containsKey(base.algorithm())
                    ? BASELINE_READS.get(base.algorithm()) : CoreGoldenConformanceTest.RULES.get(base.algorithm()).reads());
            if (!unread.isEmpty()) {
                tally.unknown(c, "base settings this harness does not implement: " + unread);
                continue;
            }
            clippedSteps[0] += replay(c, rule, base.hyperparameter("learningRate"));
            tally.ran(c.algorithm() + "/" + base.algorithm());
        }
        Map<String, Integer> ran = tally.finish();
        System.out.println("GlobalNormClippingConformanceTest: " + clippedSteps[0] + " steps clipped (" + dir + ")");
        return new Replayed(ran, clippedSteps[0]);
    }

    /** The core rule (or chain) of a base case, or null when core has none. */
    static UpdateRule baseRule(GoldenCase base) {
        switch (base.algorithm()) {
            case "SGD": {
                double momentum = base.hyperparameter("momentum", 0.0);
                boolean nesterov = base.flag("nesterov", false);
                return momentum == 0 && !nesterov ? new SgdRule() : TransformChain.parse("heavyBallMomentum(momentum="
                        + momentum + ", nesterov=" + nesterov + ") | scaleByLearningRate()");
            }
            case "AdaGrad":
                return TransformChain.parse("scaleByAdaGrad(epsilon=" + base.hyperparameter("epsilon") + ", initialAccumulator="
                        + base.hyperparameter("initialAccumulator", 0.0) + ") | scaleByLearningRate()");
            default:
                return CoreGoldenConformanceTest.RULES.containsKey(base.algorithm()) && !base.algorithm().equals("AdamSPD")
                        ? CoreGoldenConformanceTest.RULES.get(base.algorithm()).apply(base) : null;
        }
    }

    /** @return the number of steps that were clipped */
    private static int replay(GoldenCase c, UpdateRule rule, double learningRate) {
        double[][] params = c.initialValues();
        GlobalNormClipping clipping = new GlobalNormClipping(new FlatOptimiser(rule, learningRate, params), c.hyperparameter("maxNorm"));
        double[] norms = c.globalNormsBeforeClip();
        int stepNo = 0;
        int clipped = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            double[][] gradients = step.gradients();
            double[][] copy = GoldenCaseWriter.copy(gradients);
            clipping.step(gradients);
            assertThat(gradients).as("the caller's gradients are not modified").isDeepEqualTo(copy);
            assertThat(clipping.lastNorm()).as("%s step %d norm", c.name(), stepNo)
                    .isCloseTo(norms[stepNo], org.assertj.core.data.Offset.offset(1e-12 * Math.max(1, norms[stepNo])));
            clipped += clipping.lastCoefficient() < 1 ? 1 : 0;
            stepNo++;
            for (int t = 0; t < params.length; t++) {
                assertThatValues(params[t]).as("%s step %d tensor %d", c.name(), stepNo, t).isCloseTo(step.after()[t], 1e-9);
            }
        }
        assertThat(stepNo).isPositive();
        assertThat(clipping.steps()).isEqualTo(stepNo);
        return clipped;
    }
}
