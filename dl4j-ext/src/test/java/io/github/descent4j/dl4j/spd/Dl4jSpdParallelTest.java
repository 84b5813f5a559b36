package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.spd.SelectiveProjection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Selective Projection Decay on arrays long enough to be split over two threads: the result is bit-identical
 * whether one or two lanes run, and equals a plain double-precision evaluation of the rule.
 */
class Dl4jSpdParallelTest {

    @AfterEach
    void restoreLanes() {
        ParallelParts.forcedLanes = 0;
    }

    @Test
    void longArraysGiveTheSameBitsOnOneAndTwoLanes() {
        System.out.println("Dl4jSpdParallelTest: lanes in production here: " + ParallelParts.lanes());
        long[] lengths = {ParallelParts.PARALLEL_MIN, ParallelParts.PARALLEL_MIN + 12_345,
                5L * ParallelParts.PART + 7, ParallelParts.PARALLEL_MIN - 1};
        int runs = 0;
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (long n : lengths) {
                for (boolean zeroAnchor : new boolean[]{false, true}) {
                    double[] one = step(type, (int) n, zeroAnchor, 1);
                    double[] two = step(type, (int) n, zeroAnchor, 2);
                    assertThat(Arrays.mismatch(two, one)).as("%s n=%d zeroAnchor=%s: first value where two lanes differ from one",
                            type, n, zeroAnchor).isEqualTo(-1);
                    double[] expected = reference(type, (int) n, zeroAnchor);
                    double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-10;
                    double worst = 0;
                    int worstAt = -1;
                    for (int i = 0; i < expected.length; i++) {
                        // relative, except near zero where u and the projection term cancel (scale of u: 1e-3)
                        double error = Math.abs(two[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-3);
                        if (!(error <= worst)) {
                            worst = error;
                            worstAt = i;
                        }
                    }
                    assertThat(worst).as("%s n=%d zeroAnchor=%s: worst scaled error at %d vs the double reference",
                            type, n, zeroAnchor, worstAt).isLessThanOrEqualTo(tolerance);
                    assertThat(Arrays.mismatch(two, inputs(type, (int) n).update())).as("the projection changed the update").isNotEqualTo(-1);
                    runs++;
                }
            }
        }
        assertThat(runs).isEqualTo(16);
    }

    /** θ₀, g, θ = θ₀ + 0.01·g (so c &lt; 0), u = −10⁻³·(g + θ₀) (moves away from θ₀ and from 0, so r &gt; 0). */
    private record Inputs(double[] anchor, double[] gradient, double[] params, double[] update) {}

    private static Inputs inputs(DataType type, int n) {
        double[] anchor = new double[n];
        double[] gradient = new double[n];
        double[] params = new double[n];
        double[] update = new double[n];
        long seed = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            double x = ((seed >>> 11) * 0x1.0p-53) - 0.5;
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            double y = ((seed >>> 11) * 0x1.0p-53) - 0.5;
            anchor[i] = round(type, y);
            gradient[i] = round(type, x);
            params[i] = round(type, anchor[i] + 0.01 * gradient[i]);
            update[i] = round(type, -1e-3 * gradient[i] - 1e-3 * y);
        }
        return new Inputs(anchor, gradient, params, update);
    }

    private static double round(DataType type, double v) {
        return type == DataType.FLOAT ? (float) v : v;
    }

    private static double[] step(DataType type, int n, boolean zeroAnchor, int lanes) {
        ParallelParts.forcedLanes = lanes;
        Inputs in = inputs(type, n);
        INDArray params = Nd4j.createFromArray(in.params()).castTo(type).reshape(1, n);
        INDArray gradient = Nd4j.createFromArray(in.gradient()).castTo(type).reshape(1, n);
        INDArray anchor = Nd4j.createFromArray(in.anchor()).castTo(type).reshape(1, n);
        List<Regularization> spd = zeroAnchor ? SelectiveProjectionDecay.towardZero(0.7)
                : SelectiveProjectionDecay.toward(0.7, anchor);
        spd.get(0).apply(params, gradient, 1e-3, 0, 0);
        gradient.assign(Nd4j.createFromArray(in.update()).castTo(type).reshape(1, n));   // the updater's output
        spd.get(1).apply(params, gradient, 1e-3, 0, 0);
        assertThat(SelectiveProjectionDecay.applicationCount(params)).as("projection applied").isEqualTo(1);
        return gradient.toDoubleVector();
    }

    private static double[] reference(DataType type, int n, boolean zeroAnchor) {
        Inputs in = inputs(type, n);
        double[] a = zeroAnchor ? new double[n] : in.anchor();
        double dot = 0;
        for (int i = 0; i < n; i++) {
            dot += in.gradient()[i] * (in.params()[i] - a[i]);
        }
        double[] u = in.update().clone();
        if (!SelectiveProjection.applies(-dot)) {
            return u;
        }
        double current = 0;
        double next = 0;
        for (int i = 0; i < n; i++) {
            double before = in.params()[i] - a[i];
            double after = in.params()[i] - u[i] - a[i];
            current += before * before;
            next += after * after;
        }
        double shrink = 0.7 * SelectiveProjection.ratio(Math.sqrt(next), Math.sqrt(current));
        assertThat(shrink).as("the projection must change the update").isPositive();
        for (int i = 0; i < n; i++) {
            u[i] = round(type, u[i] + shrink * (in.params()[i] - u[i] - a[i]));
        }
        return u;
    }
}
