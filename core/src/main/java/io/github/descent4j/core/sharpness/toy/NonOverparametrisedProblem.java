package io.github.descent4j.core.sharpness.toy;

import io.github.descent4j.core.Check;

import java.util.Random;

/**
 * NOP, the non-overparametrised toy problem of Li, Zhang and He, "Implicit Regularization of Sharpness-Aware
 * Minimization for Scale-Invariant Problems" (NeurIPS 2024), Appendix A.4: a rank-one factorisation of a noisy
 * 3×3 target,
 * <pre>
 *   f(x, y) = E ‖x yᵀ − (A + α N)‖²_F,   x, y ∈ ℝ³,
 *   A = diag(0.5, 0, 0),   N = diag(1, 0.8, 0.5) · U,   U a 3×3 matrix of independent standard Gaussians,
 * </pre>
 * with one fresh U per step. The sample loss and its gradient, with R = x yᵀ − (A + α N):
 * <pre>
 *   ℓ = ‖R‖²_F,   ∂ℓ/∂x = 2 R y,   ∂ℓ/∂y = 2 Rᵀ x.
 * </pre>
 * The loss is taken without a factor ½, as the issue states it; the factor only rescales the effective learning
 * rate of SGD and leaves SAM's normalised perturbation unchanged. The noise sample ξ is U in row-major order
 * (ξ[3i + j] = U_ij), so N_ij = d_i U_ij with d = (1, 0.8, 0.5).
 */
public final class NonOverparametrisedProblem implements ScaleInvariantToyProblem {
    private static final int D = 3;
    private static final double[] A_DIAGONAL = {0.5, 0.0, 0.0};
    private static final double[] N_ROW_SCALE = {1.0, 0.8, 0.5};

    private final double alpha;

    /**
     * @param alpha the noise strength α, a finite number ≥ 0 (the paper uses 0, 0.5 and 1)
     */
    public NonOverparametrisedProblem(double alpha) {
        this.alpha = Check.nonNegative("alpha", alpha);
    }

    @Override
    public String name() {
        return "NOP";
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public int dimension() {
        return D;
    }

    @Override
    public int noiseSize() {
        return D * D;
    }

    @Override
    public void drawNoise(Random rng, double[] out) {
        requireLength("noise", out, D * D);
        for (int k = 0; k < D * D; k++) {
            out[k] = rng.nextGaussian();
        }
    }

    /** The target entry (A + α N)_ij for noise sample U. */
    double target(int i, int j, double[] noise) {
        double a = i == j ? A_DIAGONAL[i] : 0.0;
        return a + alpha * N_ROW_SCALE[i] * noise[D * i + j];
    }

    @Override
    public double loss(double[] x, double[] y, double[] noise) {
        check(x, y, noise);
        double sum = 0.0;
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double r = x[i] * y[j] - target(i, j, noise);
                sum += r * r;
            }
        }
        return sum;
    }

    @Override
    public void gradient(double[] x, double[] y, double[] noise, double[] gradX, double[] gradY) {
        check(x, y, noise);
        requireLength("gradX", gradX, D);
        requireLength("gradY", gradY, D);
        java.util.Arrays.fill(gradX, 0.0);
        java.util.Arrays.fill(gradY, 0.0);
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double r = x[i] * y[j] - target(i, j, noise);
                gradX[i] += 2.0 * r * y[j];
                gradY[j] += 2.0 * r * x[i];
            }
        }
    }

    private static void check(double[] x, double[] y, double[] noise) {
        requireLength("x", x, D);
        requireLength("y", y, D);
        requireLength("noise", noise, D * D);
    }

    static void requireLength(String name, double[] a, int length) {
        if (a == null || a.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " elements, got "
                    + (a == null ? "null" : a.length));
        }
    }

    @Override
    public String toString() {
        return "NOP(alpha=" + alpha + ")";
    }
}
