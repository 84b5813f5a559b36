package io.github.descent4j.core.sharpness.toy;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ToyProblemGradientTest {

    private static List<ScaleInvariantToyProblem> problems() {
        return List.of(new NonOverparametrisedProblem(0.0), new NonOverparametrisedProblem(0.7),
                new OverparametrisedProblem(0.0), new OverparametrisedProblem(1.3));
    }

    private static double[] gaussian(Random rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    @Test
    void gradientsMatchCentralFiniteDifferences() {
        Random rng = new Random(7);
        int checked = 0;
        for (ScaleInvariantToyProblem problem : problems()) {
            for (int trial = 0; trial < 20; trial++) {
                double[] x = gaussian(rng, 3);
                double[] y = gaussian(rng, 3);
                double[] noise = new double[problem.noiseSize()];
                problem.drawNoise(rng, noise);
                double[] gx = new double[3];
                double[] gy = new double[3];
                problem.gradient(x, y, noise, gx, gy);
                for (int which = 0; which < 2; which++) {
                    double[] v = which == 0 ? x : y;
                    double[] g = which == 0 ? gx : gy;
                    for (int i = 0; i < 3; i++) {
                        double h = 1e-5;
                        double keep = v[i];
                        v[i] = keep + h;
                        double up = problem.loss(x, y, noise);
                        v[i] = keep - h;
                        double down = problem.loss(x, y, noise);
                        v[i] = keep;
                        double numeric = (up - down) / (2 * h);
                        assertThat(g[i]).as("%s d/d%s[%d]", problem, which == 0 ? "x" : "y", i)
                                .isCloseTo(numeric, within(1e-7 * Math.max(1.0, Math.abs(numeric))));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(4 * 20 * 6);
    }

    @Test
    void lossesAreScaleInvariantAndTheGradientsConserveBalancednessToFirstOrder() {
        Random rng = new Random(11);
        for (ScaleInvariantToyProblem problem : problems()) {
            double[] x = gaussian(rng, 3);
            double[] y = gaussian(rng, 3);
            double[] noise = new double[problem.noiseSize()];
            problem.drawNoise(rng, noise);
            double c = 1.7;
            double[] cx = {c * x[0], c * x[1], c * x[2]};
            double[] yc = {y[0] / c, y[1] / c, y[2] / c};
            double loss = problem.loss(x, y, noise);
            assertThat(problem.loss(cx, yc, noise)).isCloseTo(loss, within(1e-12 * Math.max(1, loss)));
            // scale invariance means ⟨x, ∂ℓ/∂x⟩ = ⟨y, ∂ℓ/∂y⟩: gradient flow leaves ½(‖x‖² − ‖y‖²) unchanged
            double[] gx = new double[3];
            double[] gy = new double[3];
            problem.gradient(x, y, noise, gx, gy);
            double xg = x[0] * gx[0] + x[1] * gx[1] + x[2] * gx[2];
            double yg = y[0] * gy[0] + y[1] * gy[1] + y[2] * gy[2];
            assertThat(xg).as("%s", problem).isCloseTo(yg, within(1e-12 * Math.max(1, Math.abs(xg))));
        }
    }

    @Test
    void targetsAreThePapersMatricesAndScalars() {
        double[] zero = {0, 0, 0};
        double[] u = {0.3, -1.2, 2.0, 0.7, 0.1, -0.4, 1.5, -0.9, 0.25};
        // x = y = 0: ℓ = ‖A + αN‖², A = diag(0.5, 0, 0), N_ij = d_i U_ij, d = (1, 0.8, 0.5)
        double alpha = 0.5;
        double[] d = {1.0, 0.8, 0.5};
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double m = (i == 0 && j == 0 ? 0.5 : 0.0) + alpha * d[i] * u[3 * i + j];
                expected += m * m;
            }
        }
        assertThat(new NonOverparametrisedProblem(alpha).loss(zero, zero, u)).isCloseTo(expected, within(1e-15));
        assertThat(new NonOverparametrisedProblem(0.0).loss(zero, zero, u)).isEqualTo(0.25);
        // x yᵀ = A exactly: zero loss and zero gradient without noise
        double[] e1 = {1, 0, 0};
        double[] half = {0.5, 0, 0};
        double[] gx = new double[3];
        double[] gy = new double[3];
        new NonOverparametrisedProblem(0.0).gradient(e1, half, u, gx, gy);
        assertThat(gx).containsExactly(0, 0, 0);
        assertThat(gy).containsExactly(0, 0, 0);
        // OP: (xᵀy − 0.5 − αn)²
        assertThat(new OverparametrisedProblem(2.0).loss(e1, half, new double[]{0.25})).isCloseTo(0.25, within(1e-15));
        assertThat(new OverparametrisedProblem(2.0).loss(e1, e1, new double[]{-1})).isCloseTo(6.25, within(1e-15));
    }

    @Test
    void noiseIsDrawnFromTheGivenGeneratorInOrder() {
        double[] u = new double[9];
        new NonOverparametrisedProblem(0.0).drawNoise(new Random(5), u);
        Random reference = new Random(5);
        for (double v : u) {
            assertThat(v).isEqualTo(reference.nextGaussian());
        }
        double[] n = new double[1];
        new OverparametrisedProblem(1.0).drawNoise(new Random(5), n);
        assertThat(n[0]).isEqualTo(u[0]);
    }

    @Test
    void badInputIsRefusedWithTheParameterName() {
        assertThatThrownBy(() -> new NonOverparametrisedProblem(-0.1))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new OverparametrisedProblem(Double.NaN))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("alpha");
        ScaleInvariantToyProblem nop = new NonOverparametrisedProblem(1.0);
        assertThatThrownBy(() -> nop.loss(new double[2], new double[3], new double[9]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x must have 3");
        assertThatThrownBy(() -> nop.gradient(new double[3], new double[3], new double[1], new double[3], new double[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise must have 9");
        assertThatThrownBy(() -> new OverparametrisedProblem(1.0).drawNoise(new Random(1), new double[9]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise must have 1");
    }
}
