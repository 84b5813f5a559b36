package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The chunk kernels of Selective Projection Decay: the float overloads give the same bits as the double ones
 * on the widened values (same arithmetic, same summation order), the stored offsets are exactly θ − θ₀ in
 * double, the sums agree with a plain sequential double evaluation, and the rewrite of u is exactly the rule
 * evaluated per element in double.
 */
class ProjectionSumsTest {
    /** Lengths around the unrolling widths (4 and 8) and a full chunk. */
    private static final int[] LENGTHS = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 1000, UpdateRuleGradientUpdater.CHUNK};
    /** θ₀ is read from this index on, as from a segment covering more than the chunk. */
    private static final int AT = 5;
    /** The offsets are written from this index on, as for a chunk inside the array. */
    private static final int TO = 3;

    @Test
    void floatAndDoubleOverloadsGiveTheSameBitsAndMatchASequentialEvaluation() {
        Random random = new Random(11);
        int cases = 0;
        for (int n : LENGTHS) {
            float[] theta = floats(random, n, 1f);
            float[] g = floats(random, n, 1f);
            float[] u = floats(random, n, 1e-2f);
            float[] anchor = floats(random, n + AT + 3, 1f);
            double[] thetaD = widen(theta, 0, n);
            double[] gD = widen(g, 0, n);
            double[] uD = widen(u, 0, n);
            double[] anchorD = widen(anchor, AT, n);

            double[] offsetsF = new double[TO + n];
            double[] offsetsD = new double[TO + n];
            double dot = ProjectionSums.gradientOffsetDot(g, theta, anchor, AT, n, offsetsF, TO);
            assertThat(dot).as("n=%d: float dot vs double dot", n)
                    .isEqualTo(ProjectionSums.gradientOffsetDot(gD, thetaD, anchorD, n, offsetsD, TO));
            assertThat(offsetsF).as("n=%d: offsets, float vs double", n).containsExactly(offsetsD);
            for (int i = 0; i < n; i++) {
                assertThat(offsetsF[TO + i]).as("n=%d: d[%d] = θ − θ₀", n, i).isEqualTo(thetaD[i] - anchorD[i]);
            }

            double[] sumsF = {0.25, 0.5};   // the norms add to what is there
            double[] sumsD = {0.25, 0.5};
            sumsF[0] += ProjectionSums.offsetSquaredNorm(offsetsF, TO, n);
            sumsF[1] += ProjectionSums.proposedSquaredNorm(offsetsF, TO, u, n);
            sumsD[0] += ProjectionSums.offsetSquaredNorm(offsetsD, TO, n);
            sumsD[1] += ProjectionSums.proposedSquaredNorm(offsetsD, TO, uD, n);
            assertThat(sumsF).as("n=%d: float norms vs double norms", n).containsExactly(sumsD);

            double expectedDot = 0;
            double absDot = 0;
            double current = 0.25;
            double proposed = 0.5;
            for (int i = 0; i < n; i++) {
                double term = gD[i] * (thetaD[i] - anchorD[i]);
                expectedDot += term;
                absDot += Math.abs(term);
                double before = thetaD[i] - anchorD[i];
                double after = (thetaD[i] - uD[i]) - anchorD[i];
                current += before * before;
                proposed += after * after;
            }
            assertThat(dot).as("n=%d: dot vs sequential sum", n).isCloseTo(expectedDot, within(1e-12 * absDot));
            assertThat(sumsF[0]).as("n=%d: ‖θ − θ₀‖²", n).isCloseTo(current, within(1e-12 * current));
            assertThat(sumsF[1]).as("n=%d: ‖θ − u − θ₀‖²", n).isCloseTo(proposed, within(1e-12 * proposed));
            cases++;
        }
        assertThat(cases).isEqualTo(LENGTHS.length);
    }

    @Test
    void theRewriteOfTheUpdateIsTheRuleInDoubleRoundedOnce() {
        Random random = new Random(12);
        double shrink = 0.37;
        int changed = 0;
        for (int n : LENGTHS) {
            double[] offsets = new double[TO + n];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = random.nextGaussian();
            }
            float[] u = floats(random, n, 1e-2f);
            double[] uD = widen(u, 0, n);
            float[] expected = new float[n];
            double[] expectedD = new double[n];
            for (int i = 0; i < n; i++) {
                double ui = u[i];
                expectedD[i] = ui + shrink * (offsets[TO + i] - ui);
                expected[i] = (float) expectedD[i];
                if (expected[i] != u[i]) {
                    changed++;
                }
            }
            ProjectionSums.shrinkUpdate(offsets, TO, u, n, shrink);
            assertThat(u).as("n=%d, float", n).containsExactly(expected);
            ProjectionSums.shrinkUpdate(offsets, TO, uD, n, shrink);
            assertThat(uD).as("n=%d, double", n).containsExactly(expectedD);
        }
        assertThat(changed).as("values the rewrite changed").isGreaterThan(4000);
    }

    private static float[] floats(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    private static double[] widen(float[] values, int from, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = values[from + i];
        }
        return out;
    }
}
