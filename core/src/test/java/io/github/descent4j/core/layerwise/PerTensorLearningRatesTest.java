package io.github.descent4j.core.layerwise;

import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.rules.NormalizedSGDRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.rules.SignSGDRule;
import io.github.descent4j.core.rules.SignumRule;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PerTensorLearningRates} over every rule in {@code core.rules}: scaling tensor t's proposed step by m_t
 * equals running the rule with learning rate lr · m_t, to 10⁻¹² relative.
 */
class PerTensorLearningRatesTest {
    private static final double LR = 0.03;
    private static final double[] MULTIPLIERS = {0.5, 1.0, 3.0};
    private static final int[] SIZES = {4, 3, 2};

    /** Every rule, with the settings that take each of its code paths (momentum, weight decay on and off). */
    private static Map<String, Supplier<UpdateRule>> rules() {
        Map<String, Supplier<UpdateRule>> rules = new LinkedHashMap<>();
        rules.put("SgdRule", SgdRule::new);
        rules.put("SignSGDRule", () -> new SignSGDRule(0.0));
        rules.put("SignSGDRule momentum", () -> new SignSGDRule(0.9));
        rules.put("SignumRule", () -> new SignumRule(0.9));
        rules.put("NormalizedSGDRule", () -> new NormalizedSGDRule(0.0));
        rules.put("NormalizedSGDRule momentum", () -> new NormalizedSGDRule(0.9));
        rules.put("AdaGradNormRule", () -> new AdaGradNormRule(0.5));
        rules.put("LionRule", () -> new LionRule(0.9, 0.99, 0.0));
        rules.put("LionRule weight decay", () -> new LionRule(0.9, 0.99, 0.1));
        rules.put("AdamRule", () -> new AdamRule(0.9, 0.999, 1e-8, 0.0));
        rules.put("AdamRule weight decay", () -> new AdamRule(0.9, 0.999, 1e-8, 0.1));
        return rules;
    }

    @Test
    void scalingTheStepEqualsScalingTheLearningRateForEveryRule() {
        for (Map.Entry<String, Supplier<UpdateRule>> rule : rules().entrySet()) {
            Random random = new Random(5);
            double[][] init = tensors(random);
            double[][] params = copy(init);
            PerTensorLearningRates scaled = new PerTensorLearningRates(new FlatOptimiser(rule.getValue().get(), LR, params),
                    MULTIPLIERS);
            // reference t: the rule with lr · m_t over ALL tensors (global norms see every tensor), read at tensor t;
            // the gradients do not depend on θ, so the other tensors' different paths cannot reach tensor t
            FlatOptimiser[] reference = new FlatOptimiser[MULTIPLIERS.length];
            for (int t = 0; t < reference.length; t++) {
                reference[t] = new FlatOptimiser(rule.getValue().get(), LR * MULTIPLIERS[t], copy(init));
            }
            for (int step = 1; step <= 8; step++) {
                double[][] g = tensors(random);
                if (step == 4) {
                    g[1][0] = 0.0;   // sign(0) = 0 paths
                }
                scaled.step(g);
                for (FlatOptimiser r : reference) {
                    r.step(g);
                }
                for (int t = 0; t < params.length; t++) {
                    for (int i = 0; i < params[t].length; i++) {
                        double expected = reference[t].parameters()[t][i];
                        assertThat(Math.abs(params[t][i] - expected))
                                .as("%s step %d tensor %d [%d]: %s vs %s", rule.getKey(), step, t, i, params[t][i], expected)
                                .isLessThanOrEqualTo(1e-12 * Math.max(1.0, Math.abs(expected)));
                    }
                    assertThat(params[t]).as("%s moved tensor %d", rule.getKey(), t).isNotEqualTo(init[t]);
                }
            }
            assertThat(scaled.steps()).isEqualTo(8);
        }
    }

    @Test
    void theRuleListCoversEveryRuleInCoreRules() throws Exception {
        URL dir = SgdRule.class.getResource("");
        assertThat(dir).isNotNull();
        assertThat(dir.getProtocol()).as("core.rules read from a class directory").isEqualTo("file");
        Set<String> found = new TreeSet<>();
        for (String name : new File(dir.toURI()).list()) {
            if (name.endsWith(".class") && !name.contains("$")) {
                Class<?> c = Class.forName(SgdRule.class.getPackageName() + "." + name.replace(".class", ""));
                if (UpdateRule.class.isAssignableFrom(c)) {
                    found.add(c.getSimpleName());
                }
            }
        }
        Set<String> tested = new TreeSet<>();
        for (Supplier<UpdateRule> s : rules().values()) {
            tested.add(s.get().getClass().getSimpleName());
        }
        assertThat(found).hasSize(7);
        assertThat(tested).isEqualTo(found);
    }

    @Test
    void aZeroMultiplierFreezesItsTensorAndTheOthersStepAsWithoutTheWrapper() {
        double[][] p = {{1, 2}, {3}};
        double[][] q = {{1, 2}, {3}};
        PerTensorLearningRates frozen = new PerTensorLearningRates(new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, p),
                new double[]{1.0, 0.0});
        FlatOptimiser plain = new FlatOptimiser(new AdamRule(0.9, 0.999, 1e-8, 0), 0.1, q);
        for (int step = 0; step < 3; step++) {
            double[][] g = {{0.5, -1}, {2}};
            frozen.step(g);
            plain.step(g);
        }
        assertThat(p[1]).containsExactly(3.0);
        assertThat(p[0]).containsExactly(q[0]);   // multiplier 1 is exact
        assertThat(frozen.multipliers()).containsExactly(1.0, 0.0);
    }

    @Test
    void badInputNamesTheParameter() {
        FlatOptimiser base = new FlatOptimiser(new SgdRule(), 0.1, new double[][]{{1}, {2}});
        assertThatThrownBy(() -> new PerTensorLearningRates(null, new double[]{1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("base must not be null");
        assertThatThrownBy(() -> new PerTensorLearningRates(base, new double[]{1})).hasMessageContaining("multipliers")
                .hasMessageContaining("got 1");
        assertThatThrownBy(() -> new PerTensorLearningRates(base, null)).hasMessageContaining("multipliers");
        for (double bad : new double[]{-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new PerTensorLearningRates(base, new double[]{1, bad}))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining(">= 0")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("multipliers[1]"));
        }
        double[] m = {1, 2};
        PerTensorLearningRates wrapper = new PerTensorLearningRates(base, m);
        m[0] = 9;
        assertThat(wrapper.multipliers()).containsExactly(1, 2);
    }

    private static double[][] tensors(Random random) {
        double[][] out = new double[SIZES.length][];
        for (int t = 0; t < SIZES.length; t++) {
            out[t] = random.doubles(SIZES[t], -1, 1).toArray();
        }
        return out;
    }

    private static double[][] copy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }
}
