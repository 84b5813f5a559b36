package io.github.descent4j.tribuo.optim;

import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.spd.AdamSPD;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCaseWriter;
import io.github.descent4j.testkit.GoldenCases;
import io.github.descent4j.tribuo.clip.GlobalNormClipping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.SGD;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Replays every gradient-sequence golden case through the Tribuo optimiser of its algorithm, in Tribuo's
 * conventions (negated gradients in, additive update out), and compares every step at 1e-9 relative.
 * Baselines SGD and AdaGrad go through Tribuo's own optimisers, which match torch.optim for constant
 * learning rates. Each case runs twice: with dense gradients and with the same values as fully active
 * sparse tensors, which must give the same trajectory.
 */
class TribuoGoldenConformanceTest {
    private static final double TOLERANCE = 1e-9;

    /** Algorithms of gradient-sequence cases, mapped to a factory of the Tribuo optimiser. */
    private static final Map<String, BiFunction<GoldenCase, Tensor[], StochasticGradientOptimiser>> OPTIMISERS = withClipping(Map.of(
            "SGD", (c, anchor) -> c.hyperparameter("momentum", 0) == 0
                    ? SGD.getSimpleSGD(c.hyperparameter("learningRate"))
                    : SGD.getSimpleSGD(c.hyperparameter("learningRate"), c.hyperparameter("momentum"), SGD.Momentum.STANDARD),
            "AdaGrad", (c, anchor) -> new AdaGrad(c.hyperparameter("learningRate"), c.hyperparameter("epsilon"),
                    c.hyperparameter("initialAccumulator")),
            "Adam", (c, anchor) -> new Adam(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
                    c.hyperparameter("beta2"), c.hyperparameter("epsilon")),
            "AdamW", (c, anchor) -> new AdamW(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
                    c.hyperparameter("beta2"), c.hyperparameter("epsilon"), c.hyperparameter("weightDecay")),
            "SignSGD", (c, anchor) -> new SignSGD(c.hyperparameter("learningRate"), c.hyperparameter("momentum")),
            "NormalizedSGD", (c, anchor) -> new NormalizedSGD(c.hyperparameter("learningRate"), c.hyperparameter("momentum")),
            "Signum", (c, anchor) -> new Signum(c.hyperparameter("learningRate"), c.hyperparameter("beta")),
            "Lion", (c, anchor) -> new Lion(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
                    c.hyperparameter("beta2"), c.hyperparameter("weightDecay")),
            "AdaGradNorm", (c, anchor) -> new AdaGradNorm(c.hyperparameter("learningRate"), c.hyperparameter("b0")),
            "AdamSPD", (c, anchor) -> {
                Adam adam = new Adam(c.hyperparameter("learningRate"), c.hyperparameter("beta1"),
                        c.hyperparameter("beta2"), c.hyperparameter("epsilon"));
                return anchor == null
                        ? new SelectiveProjectionDecay(adam, c.hyperparameter("lambda"))
                        : new SelectiveProjectionDecay(adam, c.hyperparameter("lambda"), anchor);
            }));

    /**
     * The hyperparameters each optimiser above is built from; a case that switches on any other (torch's
     * {@code amsgrad}, {@code maximize}, {@code dampening}, SGD's or Adam's coupled {@code weightDecay}, …) is refused
     * rather than replayed without it.
     */
    private static final Map<String, java.util.Set<String>> READS = Map.of(
            "SGD", java.util.Set.of("learningRate", "momentum", "nesterov"),
            "AdaGrad", java.util.Set.of("learningRate", "epsilon", "initialAccumulator"),
            "Adam", java.util.Set.of("learningRate", "beta1", "beta2", "epsilon"),
            "AdamW", java.util.Set.of("learningRate", "beta1", "beta2", "epsilon", "weightDecay"),
            "SignSGD", java.util.Set.of("learningRate", "momentum"),
            "NormalizedSGD", java.util.Set.of("learningRate", "momentum"),
            "Signum", java.util.Set.of("learningRate", "beta"),
            "Lion", java.util.Set.of("learningRate", "beta1", "beta2", "weightDecay"),
            "AdaGradNorm", java.util.Set.of("learningRate", "b0"),
            "AdamSPD", java.util.Set.of("learningRate", "beta1", "beta2", "epsilon", "lambda"));

    /** {@code ClipByGlobalNorm} is the clipping wrapper over the optimiser of the base the case names. */
    private static Map<String, BiFunction<GoldenCase, Tensor[], StochasticGradientOptimiser>> withClipping(
            Map<String, BiFunction<GoldenCase, Tensor[], StochasticGradientOptimiser>> plain) {
        Map<String, BiFunction<GoldenCase, Tensor[], StochasticGradientOptimiser>> all = new java.util.HashMap<>(plain);
        all.put(GoldenCase.CLIP_BY_GLOBAL_NORM, (c, anchor) -> {
            GoldenCase base = c.baseCase();
            if (!plain.containsKey(base.algorithm())) {
                throw new AssertionError(c.name() + ": no Tribuo optimiser for the base '" + base.algorithm() + "'");
            }
            return new GlobalNormClipping(plain.get(base.algorithm()).apply(base, anchor), c.hyperparameter("maxNorm"));
        });
        return Map.copyOf(all);
    }

    @Test
    void everyGradientSequenceCaseMatchesItsReference() {
        runAll(GoldenCases.directory());
    }

    /** Generated cases of one, two and three tensors of unrelated shapes (a vector, [2, 5], [4, 1, 3]), every algorithm. */
    @Test
    void generatedCasesOfAnyTensorCountAndShapeMatch(@TempDir Path dir) {
        GoldenCaseWriter.writeSuite(dir, 5, 21);
        Map<String, Integer> ran = runAll(dir);
        assertThat(ran).containsOnlyKeys(OPTIMISERS.keySet());
        assertThat(ran.get("SGD")).isEqualTo(2 * GoldenCaseWriter.UNRELATED_SHAPES.length);   // with and without momentum
        assertThat(ran.get("Lion")).isEqualTo(GoldenCaseWriter.UNRELATED_SHAPES.length);
    }

    /**
     * Replays every gradient-sequence case of {@code dir}, dense and sparse; fails on an unknown algorithm or
     * setting, or when none ran. Returns the cases run per algorithm.
     */
    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("TribuoGoldenConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), GoldenCase.GRADIENT_SEQUENCE)) {
            if (!OPTIMISERS.containsKey(c.algorithm())) {
                tally.unknown(c, "no Tribuo optimiser");
                continue;
            }
            GoldenCase settings = c.algorithm().equals(GoldenCase.CLIP_BY_GLOBAL_NORM) ? c.baseCase() : c;
            if (settings.flag("nesterov", false)) {
                // Tribuo's NESTEROV momentum is not torch.optim's; refuse rather than replay the wrong rule.
                tally.unknown(c, "Nesterov momentum is not wired");
                continue;
            }
            java.util.List<String> unread = settings.unreadSettings(READS.getOrDefault(settings.algorithm(), java.util.Set.of()));
            if (!unread.isEmpty()) {
                tally.unknown(c, "settings the Tribuo replay does not implement: " + unread);
                continue;
            }
            replay(c, false);
            replay(c, true);
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    @Test
    void theSameOptimiserFactoryHandlesEveryAlgorithmOfTheCore() {
        // A new algorithm in the golden set must be wired here, not silently skipped: the list is explicit.
        assertThat(OPTIMISERS.keySet()).containsExactlyInAnyOrder("SGD", "AdaGrad", "Adam", "AdamW", "SignSGD",
                "NormalizedSGD", "Signum", "Lion", "AdaGradNorm", "AdamSPD", GoldenCase.CLIP_BY_GLOBAL_NORM);
    }

    /**
     * Tribuo's tensors are vectors and matrices: a shape of rank 3 or more becomes the matrix
     * [d₀, d₁·…·dₖ], which holds the same row-major values (every algorithm here is element-wise or uses
     * norms over whole tensors, so only the tensor's values and grouping matter).
     */
    static int[] tribuoShape(int[] shape) {
        if (shape.length <= 2) {
            return shape;
        }
        int rest = 1;
        for (int i = 1; i < shape.length; i++) {
            rest *= shape[i];
        }
        return new int[]{shape[0], rest};
    }

    private static void replay(GoldenCase c, boolean sparse) {
        List<GoldenCase.GoldenTensor> tensors = c.tensors();
        int[][] shapes = tensors.stream().map(t -> tribuoShape(t.shape())).toArray(int[][]::new);
        ArrayParameters params = new ArrayParameters(shapes, c.initialValues());
        Tensor[] anchor = c.anchor().map(a -> {
            Tensor[] out = new Tensor[a.length];
            for (int t = 0; t < a.length; t++) {
                out[t] = ArrayParameters.dense(shapes[t], a[t]);
            }
            return out;
        }).orElse(null);
        StochasticGradientOptimiser optimiser = OPTIMISERS.get(c.algorithm()).apply(c, anchor);
        optimiser.initialise(params);
        double[] norms = optimiser instanceof GlobalNormClipping ? c.globalNormsBeforeClip() : null;
        int stepNo = 0;
        for (GoldenCase.GoldenStep step : c.steps()) {
            stepNo++;
            Tensor[] negated = new Tensor[shapes.length];
            for (int t = 0; t < shapes.length; t++) {
                double[] g = step.gradients()[t].clone();
                for (int i = 0; i < g.length; i++) {
                    g[i] = -g[i];   // Tribuo objectives hand optimisers the negative loss gradient
                }
                negated[t] = sparse ? ArrayParameters.sparseWithAllActive(shapes[t], g) : ArrayParameters.dense(shapes[t], g);
            }
            params.update(optimiser.step(negated, 1.0));
            if (norms != null) {
                assertThat(((GlobalNormClipping) optimiser).lastNorm()).as("%s step %d norm before clipping", c.name(), stepNo)
                        .isCloseTo(norms[stepNo - 1], org.assertj.core.data.Offset.offset(1e-12 * norms[stepNo - 1]));
            }
            for (int t = 0; t < shapes.length; t++) {
                Tensor actual = params.get()[t];
                if (!(actual instanceof DenseMatrix || actual instanceof DenseVector)) {
                    fail("parameters became " + actual.getClass());
                }
                assertThatValues(ArrayParameters.flat(actual))
                        .as("%s %s step %d tensor %d", c.name(), sparse ? "sparse" : "dense", stepNo, t)
                        .isCloseTo(step.after()[t], TOLERANCE);
            }
        }
        assertThat(stepNo).as("steps in " + c.name()).isPositive();
    }
}
