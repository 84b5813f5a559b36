package io.github.descent4j.tribuo.optim;

import io.github.descent4j.tribuo.ArrayParameters;
import io.github.descent4j.tribuo.spd.AdamSPD;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCases;
import org.junit.jupiter.api.Test;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.SGD;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private static final Map<String, BiFunction<GoldenCase, Tensor[], StochasticGradientOptimiser>> OPTIMISERS = Map.of(
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
            });

    @Test
    void everyGradientSequenceCaseMatchesItsReference() {
        List<GoldenCase> cases = GoldenCases.ofKind(GoldenCases.all(), GoldenCase.GRADIENT_SEQUENCE);
        Map<String, Integer> ranPerAlgorithm = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (GoldenCase c : cases) {
            if (!OPTIMISERS.containsKey(c.algorithm())) {
                unknown.add(c.name() + " (" + c.algorithm() + ")");
                continue;
            }
            replay(c, false);
            replay(c, true);
            ranPerAlgorithm.merge(c.algorithm(), 1, Integer::sum);
        }
        System.out.println("TribuoGoldenConformanceTest: cases run per algorithm " + ranPerAlgorithm
                + " from " + GoldenCases.directory().toAbsolutePath());
        assertThat(unknown).as("gradient-sequence cases whose algorithm this test does not know").isEmpty();
        assertThat(ranPerAlgorithm.values().stream().mapToInt(Integer::intValue).sum())
                .as("number of gradient-sequence cases replayed").isPositive();
    }

    @Test
    void theSameOptimiserFactoryHandlesEveryAlgorithmOfTheCore() {
        // A new algorithm in the golden set must be wired here, not silently skipped: the list is explicit.
        assertThat(OPTIMISERS.keySet()).containsExactlyInAnyOrder("SGD", "AdaGrad", "Adam", "AdamW", "SignSGD",
                "NormalizedSGD", "Signum", "Lion", "AdaGradNorm", "AdamSPD");
    }

    private static void replay(GoldenCase c, boolean sparse) {
        List<GoldenCase.GoldenTensor> tensors = c.tensors();
        int[][] shapes = tensors.stream().map(GoldenCase.GoldenTensor::shape).toArray(int[][]::new);
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
