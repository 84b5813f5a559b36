package io.github.descent4j.testkit.transform;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.rules.SignumRule;
import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.core.transform.TransformChain;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fused rule of {@code core.rules} equals its {@link TransformChain} step by step, on every
 * gradient-sequence golden case, at 1e-12 relative in double: through {@link FlatOptimiser} (dense, base 0),
 * through {@link SegmentedDriver} with dense segments at base offsets ≠ 0 under Tribuo's sign, and with
 * sparse segments (index arrays, lazy updates). The chains are built from their text specs, and on the
 * dense paths they also match the golden reference at 1e-9 — including SGD with momentum and AdaGrad,
 * which have a chain but no fused rule in core, and clipping by global norm in front of any of them.
 */
class TransformChainConformanceTest {
    private static final double EQUAL = 1e-12;
    private static final double GOLDEN = 1e-9;

    /** A fused rule (null when core has none) and the spec of the chain that must equal it. */
    private record Equivalent(UpdateRule fused, String chain) {}

    private static final Map<String, Function<GoldenCase, Equivalent>> EQUIVALENTS = withClipping(Map.of(
            "SGD", TransformChainConformanceTest::sgd,
            "AdaGrad", c -> new Equivalent(null, "scaleByAdaGrad(epsilon=" + c.hyperparameter("epsilon") + ", initialAccumulator="
                    + c.hyperparameter("initialAccumulator", 0.0) + ") | scaleByLearningRate()"),
            "SignSGD", c -> new Equivalent(new SignSGDRule(c.hyperparameter("momentum")),
                    "sign() | heavyBallMomentum(momentum=" + c.hyperparameter("momentum") + ") | scaleByLearningRate()"),
            "Signum", c -> new Equivalent(new SignumRule(c.hyperparameter("beta")),
                    "exponentialMovingAverage(beta=" + c.hyperparameter("beta") + ") | sign() | scaleByLearningRate()"),
            "Lion", c -> new Equivalent(new LionRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("weightDecay")),
                    "lionDirection(beta1=" + c.hyperparameter("beta1") + ", beta2=" + c.hyperparameter("beta2")
                            + ") | addDecayedWeights(weightDecay=" + c.hyperparameter("weightDecay") + ") | scaleByLearningRate()"),
            "NormalizedSGD", c -> new Equivalent(new NormalizedSGDRule(c.hyperparameter("momentum")),
                    "normalizeByGlobalNorm() | heavyBallMomentum(momentum=" + c.hyperparameter("momentum") + ") | scaleByLearningRate()"),
            "AdaGradNorm", c -> new Equivalent(new AdaGradNormRule(c.hyperparameter("b0")),
                    "scaleByAdaGradNorm(b0=" + c.hyperparameter("b0") + ") | scaleByLearningRate()"),
            "Adam", c -> adam(c, 0),
            "AdamW", c -> adam(c, c.hyperparameter("weightDecay")),
            "AdamSPD", c -> adam(c, 0)));

    private static Map<String, Function<GoldenCase, Equivalent>> withClipping(Map<String, Function<GoldenCase, Equivalent>> rules) {
        Map<String, Function<GoldenCase, Equivalent>> all = new java.util.HashMap<>(rules);
        all.put(GoldenCase.CLIP_BY_GLOBAL_NORM, TransformChainConformanceTest::clip);
        return Map.copyOf(all);
    }

    /** Clipping by global norm is the first part of the base's chain; there is no fused rule for it. */
    private static Equivalent clip(GoldenCase c) {
        GoldenCase base = c.baseCase();
        // AdamSPD's projection is applied outside the chain (advance), keyed on the case's own algorithm: not for a base
        if (!EQUIVALENTS.containsKey(base.algorithm()) || base.algorithm().equals(GoldenCase.CLIP_BY_GLOBAL_NORM)
                || base.algorithm().equals("AdamSPD")) {
            throw new AssertionError(c.name() + ": no transform chain for the base '" + base.algorithm() + "'");
        }
        return new Equivalent(null, "clipByGlobalNorm(maxNorm=" + c.hyperparameter("maxNorm") + ") | "
                + EQUIVALENTS.get(base.algorithm()).apply(base).chain());
    }

    /** The learning rate of a case, or of its base for a wrapping case. */
    private static double learningRate(GoldenCase c) {
        return c.algorithm().equals(GoldenCase.CLIP_BY_GLOBAL_NORM) ? c.baseCase().hyperparameter("learningRate")
                : c.hyperparameter("learningRate");
    }

    private static Equivalent sgd(GoldenCase c) {
        double momentum = c.hyperparameter("momentum", 0.0);
        boolean nesterov = c.flag("nesterov", false);
        if (momentum == 0 && !nesterov) {
            return new Equivalent(new SgdRule(), "scaleByLearningRate()");
        }
        return new Equivalent(null, "heavyBallMomentum(momentum=" + momentum + ", nesterov=" + nesterov + ") | scaleByLearningRate()");
    }

    private static Equivalent adam(GoldenCase c, double weightDecay) {
        String moments = "scaleByAdam(beta1=" + c.hyperparameter("beta1") + ", beta2=" + c.hyperparameter("beta2")
                + ", epsilon=" + c.hyperparameter("epsilon") + ")";
        return new Equivalent(new AdamRule(c.hyperparameter("beta1"), c.hyperparameter("beta2"), c.hyperparameter("epsilon"), weightDecay),
                weightDecay == 0 ? moments + " | scaleByLearningRate()"
                        : moments + " | addDecayedWeights(weightDecay=" + weightDecay + ") | scaleByLearningRate()");
    }

    @Test
    void everyFusedRuleEqualsItsChainOnEveryGradientSequenceCase() {
        runAll(GoldenCases.directory());
    }

    /** Generated cases of one, two and three tensors of unrelated shapes: every algorithm, every fused rule. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 61);
        Map<String, Integer>[] counts = runAll(dir);
        assertThat(counts[0].keySet()).containsExactlyInAnyOrderElementsOf(EQUIVALENTS.keySet());
        assertThat(counts[1].keySet()).as("every fused rule was compared with its chain")
                .containsExactlyInAnyOrder("SGD", "SignSGD", "Signum", "Lion", "NormalizedSGD", "AdaGradNorm", "Adam", "AdamW", "AdamSPD");
    }

    /**
     * Compares every gradient-sequence case of {@code dir}; fails on an unknown algorithm or when none ran.
     * Returns the cases per algorithm and the cases compared with a fused rule per algorithm.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Integer>[] runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("TransformChainConformanceTest", dir);
        Map<String, Integer> fusedComparisons = new TreeMap<>();
        int stepsCompared = 0;
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (!EQUIVALENTS.containsKey(c.algorithm())) {
                tally.unknown(c, "no transform chain");
                continue;
            }
            Equivalent e = EQUIVALENTS.get(c.algorithm()).apply(c);
            TransformChain chain = TransformChain.parse(e.chain());
            assertThat(chain.spec()).as(c.name() + " spec round trip").isEqualTo(TransformChain.parse(chain.spec()).spec());
            assertThat(TransformChain.parse(chain.spec())).as(c.name() + " value equality").isEqualTo(chain);
            stepsCompared += replayFlat(c, e.fused(), chain);
            stepsCompared += replaySegmented(c, e.fused(), chain, null);
            if (e.fused() != null) {
                stepsCompared += replaySegmented(c, e.fused(), chain, 17L);
                fusedComparisons.merge(c.algorithm(), 1, Integer::sum);
            }
            tally.ran(c.algorithm());
        }
        System.out.println("TransformChainConformanceTest: cases compared with a fused rule " + fusedComparisons + "; "
                + stepsCompared + " steps compared");
        return new Map[]{tally.finish(), fusedComparisons};
    }

    /** Dense, base 0, loss-gradient sign: fused and chain through {@link FlatOptimiser}, chain against the reference. */
    private static int replayFlat(GoldenCase c, UpdateRule fused, TransformChain chain) {
        double lr = learningRate(c);
        double[][] chainParams = c.initialValues();
        double[][] fusedParams = c.initialValues();
        FlatOptimiser chainOptimiser = new FlatOptimiser(chain, lr, chainParams);
        FlatOptimiser fusedOptimiser = fused == null ? null : new FlatOptimiser(fused, lr, fusedParams);
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            stepNo++;
            advance(c, chainParams, step.gradients(), chainOptimiser.proposeStep(step.gradients()));
            if (fusedOptimiser != null) {
                advance(c, fusedParams, step.gradients(), fusedOptimiser.proposeStep(step.gradients()));
            }
            compare(c, "FlatOptimiser", stepNo, chainParams, fused == null ? null : fusedParams, step.after());
        }
        assertThat(stepNo).isPositive();
        return stepNo;
    }

    /**
     * Segments at base ≠ 0 under Tribuo's sign: dense ({@code seed == null}, also against the reference) or
     * sparse (the same random subsets for both rules; lazy, so only fused against chain).
     */
    private static int replaySegmented(GoldenCase c, UpdateRule fused, TransformChain chain, Long seed) {
        double lr = learningRate(c);
        double[][] chainParams = c.initialValues();
        double[][] fusedParams = c.initialValues();
        SegmentedDriver chainDriver = new SegmentedDriver(chain, lr, chainParams);
        SegmentedDriver fusedDriver = fused == null ? null : new SegmentedDriver(fused, lr, fusedParams);
        Random chainSubsets = seed == null ? null : new Random(seed);
        Random fusedSubsets = seed == null ? null : new Random(seed);
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            stepNo++;
            advance(c, chainParams, step.gradients(), chainDriver.propose(step.gradients(), chainParams, chainSubsets));
            if (fusedDriver != null) {
                advance(c, fusedParams, step.gradients(), fusedDriver.propose(step.gradients(), fusedParams, fusedSubsets));
            }
            compare(c, seed == null ? "dense segments" : "sparse segments", stepNo, chainParams,
                    fused == null ? null : fusedParams, seed == null ? step.after() : null);
        }
        double[][] initial = c.initialValues();
        for (int t = 0; t < initial.length; t++) {
            assertThat(chainParams[t]).as("%s: the chain moved tensor %d", c.name(), t).isNotEqualTo(initial[t]);
        }
        return stepNo;
    }

    /** θ ← θ − step, or for AdamSPD the selective projection of that proposal. */
    private static void advance(GoldenCase c, double[][] params, double[][] gradients, double[][] step) {
        boolean spd = c.algorithm().equals("AdamSPD");
        double[][] anchor = spd ? c.anchor().orElse(c.initialValues()) : null;
        for (int t = 0; t < params.length; t++) {
            double[] proposed = params[t].clone();
            for (int i = 0; i < proposed.length; i++) {
                proposed[i] -= step[t][i];
            }
            if (spd) {
                SelectiveProjection.step(params[t], anchor[t], gradients[t], proposed, c.hyperparameter("lambda"));
            } else {
                System.arraycopy(proposed, 0, params[t], 0, proposed.length);
            }
        }
    }

    private static void compare(GoldenCase c, String path, int stepNo, double[][] chain, double[][] fused, double[][] reference) {
        for (int t = 0; t < chain.length; t++) {
            if (fused != null) {
                assertThatValues(chain[t]).as("%s, %s, step %d, tensor %d: chain vs fused", c.name(), path, stepNo, t)
                        .isCloseTo(fused[t], EQUAL);
            }
            if (reference != null) {
                assertThatValues(chain[t]).as("%s, %s, step %d, tensor %d: chain vs reference", c.name(), path, stepNo, t)
                        .isCloseTo(reference[t], GOLDEN);
            }
        }
    }
}
