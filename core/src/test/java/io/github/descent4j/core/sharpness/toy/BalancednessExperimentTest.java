package io.github.descent4j.core.sharpness.toy;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BalancednessExperimentTest {
    private static final double[] X0 = {0.2, -0.1, 0.3};
    private static final double[] Y0 = {-0.6, 0.3, -0.9};

    @Test
    void paperInitialPointAndItsBalancedness() {
        assertThat(BalancednessExperiment.paperX0()).containsExactly(X0);
        assertThat(BalancednessExperiment.paperY0()).containsExactly(-0.6000000000000001, 0.30000000000000004, -0.8999999999999999);
        // B₀ = ½(0.14 − 1.26) = −0.56
        assertThat(Balancedness.of(X0, Y0)).isCloseTo(-0.56, within(1e-15));
    }

    /** One SAM step on OP with α = 0, worked out by hand (python, double precision): see the comments. */
    @Test
    void oneSamStepOnOpMatchesTheHandComputation() {
        // r = xᵀy − 0.5 = −0.42 − 0.5 = −0.92; g = 2r (y, x); ‖g‖ = 1.84 √1.4 = 2.177117360180659
        // ε = 0.2 g / ‖g‖; r′ at (x, y) + ε = −1.1686431913239845; g′ = 2r′ (y + ε_y, x + ε_x); θ ← θ − 10⁻⁴ g′
        BalancednessTrajectory one = new BalancednessExperiment(1e-4, 1, 1, 3, X0, Y0)
                .run(new OverparametrisedProblem(0.0), ToyMethod.SAM, 0.2);
        double[] x1 = {0.19985186134691788, -0.09992593067345894, 0.2997777920203768};
        double[] y1 = {-0.5999295498619772, 0.2999647749309886, -0.8998943247929659};
        assertThat(one.series()).hasSize(2);
        assertThat(one.lastB()).isCloseTo(Balancedness.of(x1, y1), within(1e-15));
        assertThat(one.firstB()).isCloseTo(-0.56, within(1e-15));
        // and the same without SAM: θ ← θ − 10⁻⁴ g
        BalancednessTrajectory sgd = new BalancednessExperiment(1e-4, 1, 1, 3, X0, Y0)
                .run(new OverparametrisedProblem(0.0), ToyMethod.SGD, 0.2);
        double[] sx1 = {0.1998896, -0.0999448, 0.2998344};
        double[] sy1 = {-0.5999632, 0.2999816, -0.8999448};
        assertThat(sgd.lastB()).isCloseTo(Balancedness.of(sx1, sy1), within(1e-15));
    }

    /**
     * One SAM step on NOP with noise, computed here independently of the library (explicit R = xyᵀ − (A + αN),
     * g = 2(Ry, Rᵀx), ε = ρ g/‖g‖, the second gradient with the SAME U), compared on B after one step.
     */
    @Test
    void oneSamStepOnNopUsesTheSameNoiseSampleForBothGradients() {
        long seed = 99;
        double alpha = 1.0;
        double rho = 0.1;
        double eta = 0.05; // large, so that a wrong second sample would show far above rounding
        double[][] u = new double[3][3];
        Random rng = new Random(seed);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                u[i][j] = rng.nextGaussian();
            }
        }
        double[] d = {1.0, 0.8, 0.5};
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i][j] = (i == 0 && j == 0 ? 0.5 : 0.0) + alpha * d[i] * u[i][j];
            }
        }
        double[][] g = nopGradient(X0, Y0, m);
        double norm = Math.sqrt(sq(g[0]) + sq(g[1]));
        double[] xe = new double[3];
        double[] ye = new double[3];
        for (int i = 0; i < 3; i++) {
            xe[i] = X0[i] + rho * g[0][i] / norm;
            ye[i] = Y0[i] + rho * g[1][i] / norm;
        }
        double[][] gp = nopGradient(xe, ye, m);
        double[] x1 = new double[3];
        double[] y1 = new double[3];
        for (int i = 0; i < 3; i++) {
            x1[i] = X0[i] - eta * gp[0][i];
            y1[i] = Y0[i] - eta * gp[1][i];
        }
        BalancednessTrajectory run = new BalancednessExperiment(eta, 1, 1, seed, X0, Y0)
                .run(new NonOverparametrisedProblem(alpha), ToyMethod.SAM, rho);
        assertThat(run.lastB()).isCloseTo(Balancedness.of(x1, y1), within(1e-14));
        assertThat(Math.abs(run.lastB() - run.firstB())).isGreaterThan(1e-3);
    }

    private static double[][] nopGradient(double[] x, double[] y, double[][] m) {
        double[] gx = new double[3];
        double[] gy = new double[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double r = x[i] * y[j] - m[i][j];
                gx[i] += 2 * r * y[j];
                gy[j] += 2 * r * x[i];
            }
        }
        return new double[][]{gx, gy};
    }

    private static double sq(double[] v) {
        return v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    }

    /** SGD: B changes by exactly ½η²(‖g_x‖² − ‖g_y‖²) per step, the first-order terms cancel. */
    @Test
    void sgdChangesBalancednessOnlyAtSecondOrder() {
        double eta = 0.01;
        BalancednessTrajectory run = new BalancednessExperiment(eta, 1, 1, 0, X0, Y0)
                .run(new OverparametrisedProblem(0.0), ToyMethod.SGD, 0.1);
        double r = -0.92;
        double gx2 = 4 * r * r * 1.26;
        double gy2 = 4 * r * r * 0.14;
        assertThat(run.lastB() - run.firstB()).isCloseTo(0.5 * eta * eta * (gx2 - gy2), within(1e-15));
    }

    @Test
    void recordsEveryKStepsAndTheLastStepAndIsReproducible() {
        BalancednessExperiment experiment = new BalancednessExperiment(1e-3, 10, 3, 42, X0, Y0);
        BalancednessTrajectory a = experiment.run(new NonOverparametrisedProblem(1.0), ToyMethod.SAM, 0.1);
        assertThat(a.series()).hasSize(5);
        assertThat(new long[]{a.stepOf(0), a.stepOf(1), a.stepOf(2), a.stepOf(3), a.stepOf(4)})
                .containsExactly(0, 3, 6, 9, 10);
        BalancednessTrajectory b = experiment.run(new NonOverparametrisedProblem(1.0), ToyMethod.SAM, 0.1);
        assertThat(b.series()).containsExactly(a.series());
        BalancednessTrajectory other = new BalancednessExperiment(1e-3, 10, 3, 43, X0, Y0)
                .run(new NonOverparametrisedProblem(1.0), ToyMethod.SAM, 0.1);
        assertThat(other.lastB()).isNotEqualTo(a.lastB());
        // the record hands out copies
        a.series()[0] = 123;
        assertThat(a.firstB()).isCloseTo(-0.56, within(1e-15));
        assertThat(a.problem()).isEqualTo("NOP");
        assertThat(a.method()).isEqualTo(ToyMethod.SAM);
        assertThat(a.alpha()).isEqualTo(1.0);
    }

    @Test
    void paperGridHasTwelveRunsInOrderWithThePapersRadii() {
        var grid = new BalancednessExperiment(1e-4, 5, 5, 1, X0, Y0).runPaperGrid();
        assertThat(grid).hasSize(12);
        assertThat(grid).extracting(BalancednessTrajectory::problem).containsExactly(
                "NOP", "NOP", "NOP", "NOP", "NOP", "NOP", "OP", "OP", "OP", "OP", "OP", "OP");
        assertThat(grid).extracting(BalancednessTrajectory::rho).containsExactly(
                0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2);
        assertThat(grid).extracting(BalancednessTrajectory::alpha).containsExactly(
                0.0, 0.5, 1.0, 0.0, 0.5, 1.0, 0.0, 0.5, 1.0, 0.0, 0.5, 1.0);
        assertThat(grid.subList(0, 3)).allMatch(t -> t.method() == ToyMethod.SGD);
        assertThat(grid.subList(3, 6)).allMatch(t -> t.method() == ToyMethod.SAM);
    }

    @Test
    void badInputIsRefusedWithTheParameterName() {
        assertThatThrownBy(() -> new BalancednessExperiment(0.0, 1, 1, 0, X0, Y0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> new BalancednessExperiment(1e-4, 0, 1, 0, X0, Y0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> new BalancednessExperiment(1e-4, 1, 0, 0, X0, Y0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("recordEvery");
        assertThatThrownBy(() -> new BalancednessExperiment(1e-4, 1, 1, 0, X0, new double[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x0 and y0");
        assertThatThrownBy(() -> new BalancednessExperiment(1e-4, 1, 1, 0, new double[]{Double.NaN, 0, 0}, Y0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("x0[0]");
        BalancednessExperiment ok = new BalancednessExperiment(1e-4, 1, 1, 0, X0, Y0);
        assertThatThrownBy(() -> ok.run(new OverparametrisedProblem(0.0), ToyMethod.SAM, 0.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("rho");
        assertThatThrownBy(() -> new BalancednessExperiment(1e-4, 1, 1, 0, new double[2], new double[2])
                .run(new OverparametrisedProblem(0.0), ToyMethod.SGD, 0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 3");
        assertThatThrownBy(() -> new BalancednessExperiment(10.0, 1000, 1, 0, X0, Y0)
                .run(new NonOverparametrisedProblem(1.0), ToyMethod.SGD, 0.1))
                .isInstanceOf(NonFiniteGradientException.class).hasMessageContaining("non-finite");
    }
}
