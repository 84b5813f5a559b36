package io.github.descent4j.core.transform;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdamRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chain's state layout, per-part contexts and composition, against its parts run one by one. */
class TransformChainTest {
    private static final List<UpdateRule> PARTS = List.of(new ScaleByAdaGradNorm(0.5), new HeavyBallMomentum(0.5),
            new ExponentialMovingAverage(0.75), new AddDecayedWeights(0.1), new ScaleByAdam(0.8, 0.9, 1e-6),
            new ScaleByLearningRate());

    @Test
    void stateIsTheConcatenationOfThePartsState() {
        TransformChain chain = TransformChain.of(PARTS);
        assertThat(chain.bufferCount()).isEqualTo(1 + 1 + 0 + 2);
        assertThat(chain.scalarCount()).isEqualTo(1);
        double[] scalars = new double[1];
        chain.initialiseScalars(scalars);
        assertThat(scalars).containsExactly(0.25);
        assertThat(chain.usesGlobalGradientNorm()).isTrue();
        assertThat(chain.readsParameters()).isTrue();
        assertThat(TransformChain.parse("sign() | scaleByLearningRate()").readsParameters()).isFalse();
        assertThat(TransformChain.parse("sign() | scaleByLearningRate()").usesGlobalGradientNorm()).isFalse();
    }

    /**
     * Two tensors, dense and sparse, at base offsets ≠ 0, through one reused holder array (as Tribuo's
     * adapter passes rows): the chain must give bit for bit what its parts give when run one after the
     * other, each with its own context and its own buffers.
     */
    @Test
    void aChainIsItsPartsRunOneAfterAnother() {
        TransformChain chain = TransformChain.of(PARTS);
        int n = 7;
        int base = 2;
        double[][][] chainBuffers = new double[2][4][base + n];
        double[][][][] partBuffers = new double[PARTS.size()][2][][];
        for (int p = 0; p < PARTS.size(); p++) {
            for (int t = 0; t < 2; t++) {
                partBuffers[p][t] = new double[PARTS.get(p).bufferCount()][base + n];
            }
        }
        double[] chainScalars = new double[1];
        chain.initialiseScalars(chainScalars);
        double[][] partScalars = new double[PARTS.size()][];
        for (int p = 0; p < PARTS.size(); p++) {
            partScalars[p] = new double[PARTS.get(p).scalarCount()];
            PARTS.get(p).initialiseScalars(partScalars[p]);
        }
        StepContext chainContext = new StepContext();
        StepContext[] partContexts = new StepContext[PARTS.size()];
        for (int p = 0; p < PARTS.size(); p++) {
            partContexts[p] = new StepContext();
        }
        double[][] params = {new double[n], new double[n]};
        Random random = new Random(3);
        double[][] holder = new double[4][];
        double[][] partHolder = new double[2][];
        for (int step = 1; step <= 4; step++) {
            double[][] gradient = new double[2][n];
            double squaredNorm = 0;
            for (int t = 0; t < 2; t++) {
                for (int i = 0; i < n; i++) {
                    params[t][i] = random.nextGaussian();
                    gradient[t][i] = random.nextGaussian();
                    squaredNorm += gradient[t][i] * gradient[t][i];
                }
            }
            fill(chainContext, step, squaredNorm);
            chain.beginStep(chainScalars, chainContext);
            for (int p = 0; p < PARTS.size(); p++) {
                fill(partContexts[p], step, squaredNorm);
                PARTS.get(p).beginStep(partScalars[p], partContexts[p]);
            }
            int[] index = step % 2 == 0 ? new int[]{5, 0, 3} : null;   // sparse on even steps
            for (int t = 0; t < 2; t++) {
                double[] viaChain = values(gradient[t], index);
                double[] viaParts = viaChain.clone();
                System.arraycopy(chainBuffers[t], 0, holder, 0, 4);
                chain.apply(chainContext, viaChain, index, 0, viaChain.length, params[t], holder, base);
                for (int p = 0; p < PARTS.size(); p++) {
                    int count = PARTS.get(p).bufferCount();
                    System.arraycopy(partBuffers[p][t], 0, partHolder, 0, count);
                    PARTS.get(p).apply(partContexts[p], viaParts, index, 0, viaParts.length, params[t], partHolder, base);
                }
                assertThat(viaChain).as("step %d tensor %d", step, t).containsExactly(viaParts);
            }
            assertThat(chainScalars).containsExactly(partScalars[0]);
        }
        for (int t = 0; t < 2; t++) {   // chain buffers: [momentum, ema, adam m, adam v]
            assertThat(chainBuffers[t][0]).containsExactly(partBuffers[1][t][0]);
            assertThat(chainBuffers[t][1]).containsExactly(partBuffers[2][t][0]);
            assertThat(chainBuffers[t][2]).containsExactly(partBuffers[4][t][0]);
            assertThat(chainBuffers[t][3]).containsExactly(partBuffers[4][t][1]);
            assertThat(chainBuffers[t][3][base + 1]).as("a coordinate absent on sparse steps moved on dense ones").isPositive();
            assertThat(chainBuffers[t][3][0]).as("below base").isZero();
        }
    }

    private static void fill(StepContext c, long step, double squaredNorm) {
        c.sign = -1.0;
        c.learningRate = 0.05;
        c.step = step;
        c.gradientSquaredNorm = squaredNorm;
    }

    private static double[] values(double[] gradient, int[] index) {
        if (index == null) {
            double[] out = gradient.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] = -out[i];
            }
            return out;
        }
        double[] out = new double[index.length];
        for (int k = 0; k < index.length; k++) {
            out[k] = -gradient[index[k]];
        }
        return out;
    }

    @Test
    void nestedChainsAreFlattened() {
        TransformChain inner = TransformChain.of(new Sign(), new HeavyBallMomentum(0.9));
        TransformChain outer = TransformChain.of(inner, new ScaleByLearningRate());
        assertThat(outer.parts()).containsExactly(new Sign(), new HeavyBallMomentum(0.9), new ScaleByLearningRate());
        assertThat(outer).isEqualTo(TransformChain.parse("sign() | heavyBallMomentum(momentum=0.9) | scaleByLearningRate()"));
        assertThat(outer.spec()).isEqualTo("sign() | heavyBallMomentum(momentum=0.9, nesterov=false) | scaleByLearningRate()");
    }

    @Test
    void aGlobalNormPartAnywhereButFirstIsRejected() {
        assertThatThrownBy(() -> TransformChain.of(new Sign(), new NormalizeByGlobalNorm()))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("part 1 (normalizeByGlobalNorm())").hasMessageContaining("must be the first part");
        assertThatThrownBy(() -> TransformChain.of(new ClipByGlobalNorm(1), new ScaleByAdaGradNorm(0.1)))
                .hasMessageContaining("part 1 (scaleByAdaGradNorm(b0=0.1))");
        assertThatThrownBy(() -> TransformChain.of(new Sign(), TransformChain.of(new ClipByGlobalNorm(1), new Sign())))
                .hasMessageContaining("part 1 (clipByGlobalNorm(maxNorm=1.0))");
        assertThat(TransformChain.of(new ClipByGlobalNorm(1), new ScaleByAdam(0.9, 0.999, 1e-8)).usesGlobalGradientNorm()).isTrue();
    }

    @Test
    void anEmptyChainOrANullPartIsRejected() {
        assertThatThrownBy(TransformChain::of).isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> TransformChain.of(new Sign(), null)).hasMessageContaining("part 1 is null");
    }

    @Test
    void fusedRulesMayBeParts() {
        TransformChain chain = TransformChain.of(new ClipByGlobalNorm(1.0), new AdamRule(0.9, 0.999, 1e-8, 0.0));
        assertThat(chain.bufferCount()).isEqualTo(2);
        Steps steps = new Steps(chain, 2);
        double[] out = steps.next(new double[]{30, 40}, null, 2500.0, 1.0, 0.1);   // clipped to (0.6, 0.8)·(1 − 2e-8)
        assertThat(out[0]).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-7));
        assertThat(steps.buffers[0][1]).isCloseTo(0.1 * 0.8 / (1 + 2e-8), org.assertj.core.api.Assertions.within(1e-12));
    }
}
