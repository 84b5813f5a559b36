package io.github.descent4j.testkit;

import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.layerwise.PerTensorLearningRates;
import io.github.descent4j.core.spd.SelectiveProjectionDecay;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.UpdateRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The framework-free rules replayed on every gradient-sequence golden case through {@link FlatOptimiser}
 * (wrapped in {@link SelectiveProjectionDecay} for AdamSPD), at 1e-9 relative. This checks the math once, before any
 * adapter: the Tribuo and DL4J conformance tests then check the wiring.
 */
class CoreGoldenConformanceTest {
    /** A core rule for one algorithm and the hyperparameters it reads (any other that is switched on is refused). */
    record CoreRule(Set<String> reads, Function<GoldenCase, UpdateRule> build) {
        UpdateRule apply(GoldenCase c) {
            return build.apply(c);
        }
    }

    static final Map<String, CoreRule> RULES = Map.of(
            "SignSGD", rule(c -> new SignSGDRule(c.hyperparameter("momentum")), "momentum"),
            "Signum", rule(c -> new SignumRule(c.hyperparameter("beta")), "beta"),
            "Lion", rule(c -> new LionRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("weightDecay")),
                    "beta1", "beta2", "weightDecay"),
            "NormalizedSGD", rule(c -> new NormalizedSGDRule(c.hyperparameter("momentum")), "momentum"),
            "AdaGradNorm", rule(c -> new AdaGradNormRule(c.hyperparameter("b0")), "b0"),
            "Adam", rule(c -> new AdamRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon"), 0),
                    "beta1", "beta2", "epsilon"),
            "AdamW", rule(c -> new AdamRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon"),
                    c.hyperparameter("weightDecay")), "beta1", "beta2", "epsilon", "weightDecay"),
            "AdamSPD", rule(c -> new AdamRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon"), 0),
                    "beta1", "beta2", "epsilon", "lambda"));

    /** Every rule reads the learning rate too. */
    private static CoreRule rule(Function<GoldenCase, UpdateRule> build, String... reads) {
        Set<String> all = new java.util.HashSet<>(Set.of(reads));
        all.add("learningRate");
        return new CoreRule(Set.copyOf(all), build);
    }

    /**
     * Baselines with no rule in core (Tribuo's own SGD and AdaGrad replay them in the Tribuo module), and clipping,
     * which {@code GlobalNormClippingConformanceTest} replays.
     */
    private static final Set<String> FRAMEWORK_BASELINES = Set.of("SGD", "AdaGrad", GoldenCase.CLIP_BY_GLOBAL_NORM);

    @Test
    void everyGradientSequenceCaseMatches() {
        runAll(GoldenCases.directory(), 1.0);
    }

    /**
     * The same cases with the rule at lr / 3 under {@link PerTensorLearningRates} multipliers of 3 (inside SPD for
     * AdamSPD): every rule's step is linear in lr, so the golden trajectories must still match.
     */
    @Test
    void everyGradientSequenceCaseMatchesWithTheLearningRateMovedIntoPerTensorMultipliers() {
        runAll(GoldenCases.directory(), 3.0);
    }

    /** Generated cases of one, two and three tensors of unrelated shapes, every algorithm. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 11);
        assertThat(runAll(dir, 1.0)).containsOnlyKeys(RULES.keySet()).allSatisfy((algorithm, n) ->
                assertThat(n).as(algorithm).isEqualTo(GoldenCaseWriter.UNRELATED_SHAPES.length));
        assertThat(runAll(dir, 3.0)).containsOnlyKeys(RULES.keySet());
    }

    /**
     * Replays every gradient-sequence case of {@code dir} except the framework baselines; fails on an unknown
     * algorithm or when none ran. Returns the cases run per algorithm.
     */
    static Map<String, Integer> runAll(Path dir, double multiplier) {
        ConformanceTally tally = new ConformanceTally("CoreGoldenConformanceTest (multiplier " + multiplier + ")", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (FRAMEWORK_BASELINES.contains(c.algorithm())) {
                continue;
            }
            if (!RULES.containsKey(c.algorithm())) {
                tally.unknown(c, "no core rule");
                continue;
            }
            List<String> unread = c.unreadSettings(RULES.get(c.algorithm()).reads());
            if (!unread.isEmpty()) {
                tally.unknown(c, "settings the core rule does not implement: " + unread);
                continue;
            }
            replay(c, multiplier);
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    private static void replay(GoldenCase c, double multiplier) {
        double[][] params = c.initialValues();
        FlatOptimiser flat = new FlatOptimiser(RULES.get(c.algorithm()).apply(c), c.hyperparameter("learningRate") / multiplier,
                params);
        double[] multipliers = new double[params.length];
        Arrays.fill(multipliers, multiplier);
        Optimiser base = multiplier == 1.0 ? flat : new PerTensorLearningRates(flat, multipliers);
        Optimiser optimiser = c.algorithm().equals("AdamSPD")
                ? c.anchor().map(anchor -> new SelectiveProjectionDecay(base, c.hyperparameter("lambda"), anchor))
                        .orElseGet(() -> new SelectiveProjectionDecay(base, c.hyperparameter("lambda")))   // θ₀ = θ at start
                : base;
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            stepNo++;
            optimiser.step(step.gradients());
            for (int t = 0; t < params.length; t++) {
                assertThatValues(params[t]).as("%s step %d tensor %d", c.name(), stepNo, t).isCloseTo(step.after()[t], 1e-9);
            }
        }
        assertThat(stepNo).isPositive();
        assertThat(optimiser.steps()).isEqualTo(stepNo);
    }

    @Test
    void aSettingTheRuleDoesNotImplementIsRefusedNotIgnored(@TempDir Path dir) throws Exception {
        GoldenCaseWriter.gradientSequence(dir.resolve("a.json"), "a", "Adam", GoldenCaseWriter.GRADIENT_SEQUENCE_SETTINGS.get("Adam"),
                new int[][]{{3}}, 2, 1, false);
        String json = Files.readString(dir.resolve("a.json"));
        // Switched off (false / 0), a setting changes nothing and the case runs.
        Files.writeString(dir.resolve("a.json"), json.replace("\"hyperparameters\" : {",
                "\"hyperparameters\" : {\"amsgrad\" : false, \"weightDecay\" : 0.0,"));
        assertThat(runAll(dir, 1.0)).containsExactly(Map.entry("Adam", 1));
        Files.writeString(dir.resolve("a.json"), json.replace("\"hyperparameters\" : {",
                "\"hyperparameters\" : {\"amsgrad\" : true, \"weightDecay\" : 0.01,"));
        assertThatThrownBy(() -> runAll(dir, 1.0)).isInstanceOf(AssertionError.class).hasMessageContaining("does not know")
                .hasMessageContaining("settings the core rule does not implement: [amsgrad, weightDecay]");
    }

    @Test
    void aHarnessFailsOnAnUnknownAlgorithmAndOnZeroCases(@TempDir Path dir) throws Exception {
        GoldenCaseWriter.gradientSequence(dir.resolve("a.json"), "a", "Adam", GoldenCaseWriter.GRADIENT_SEQUENCE_SETTINGS.get("Adam"),
                new int[][]{{3}}, 2, 1, false);
        Path renamed = dir.resolve("b.json");
        Files.writeString(renamed, Files.readString(dir.resolve("a.json")).replace("\"Adam\"", "\"Adamax\""));
        assertThatThrownBy(() -> runAll(dir, 1.0)).isInstanceOf(AssertionError.class).hasMessageContaining("does not know")
                .hasMessageContaining("a (Adamax): no core rule");
        Files.delete(renamed);
        assertThat(runAll(dir, 1.0)).containsExactly(Map.entry("Adam", 1));
        Path onlyGroups = Files.createDirectory(dir.resolve("groups"));
        GoldenFunctionCaseWriter.classGrouping(onlyGroups.resolve("g.json"), "g", new int[]{3, 2, 1}, 2);
        assertThatThrownBy(() -> runAll(onlyGroups, 1.0)).isInstanceOf(AssertionError.class).hasMessageContaining("cases run");
    }

    @Test
    void anEmptyOrMissingDirectoryIsAnErrorNotAnEmptyList(@TempDir Path dir) {
        assertThatThrownBy(() -> GoldenCases.load(dir)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no *.json");
        assertThatThrownBy(() -> GoldenCases.load(dir.resolve("absent"))).hasMessageContaining("does not exist");
    }

    @Test
    void closenessAssertionFailsOutsideTheTolerance() {
        assertThatThrownBy(() -> assertThatValues(new double[]{1.0, 2.0}).isCloseTo(new double[]{1.0, 2.0 + 1e-6}, 1e-9))
                .isInstanceOf(AssertionError.class).hasMessageContaining("value [1]");
        assertThatThrownBy(() -> assertThatValues(new double[]{Double.NaN}).isCloseTo(new double[]{0.0}, 1e-9))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertThatValues(new double[]{1}).isCloseTo(new double[]{1, 2}, 1e-9))
                .hasMessageContaining("expected 2 values but got 1");
        assertThatValues(new double[]{1e-20, 5.0}).isCloseTo(new double[]{0.0, 5.0 + 4e-9}, 1e-9);
    }

    @Test
    void caseWithAnotherFormatIsRejected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"format\":\"something-else/2\"}");
        assertThatThrownBy(() -> GoldenCases.read(f)).hasMessageContaining("unsupported golden format");
    }
}
