package io.github.descent4j.core.sharpness.toy;

import io.github.descent4j.core.Check;

import java.util.Random;

import static io.github.descent4j.core.sharpness.toy.NonOverparametrisedProblem.requireLength;

/**
 * OP, the overparametrised toy problem of Li, Zhang and He, "Implicit Regularization of Sharpness-Aware
 * Minimization for Scale-Invariant Problems" (NeurIPS 2024), Appendix A.4: a scalar target fitted by an inner
 * product of two vectors,
 * <pre>
 *   f(x, y) = E (xᵀy − (0.5 + α n))²,   x, y ∈ ℝ³,   n a standard Gaussian,
 * </pre>
 * with one fresh n per step. The sample loss and its gradient, with r = xᵀy − (0.5 + α n):
 * <pre>
 *   ℓ = r²,   ∂ℓ/∂x = 2 r y,   ∂ℓ/∂y = 2 r x.
 * </pre>
 * As for {@link NonOverparametrisedProblem}, the loss carries no factor ½, as the issue states it.
 */
public final class OverparametrisedProblem implements ScaleInvariantToyProblem {
    private static final int D = 3;
    private static final double TARGET = 0.5;

    private final double alpha;

    /**
     * @param alpha the noise strength α, a finite number ≥ 0 (the paper uses 0, 0.5 and 1)
     */
    public OverparametrisedProblem(double alpha) {
        this.alpha = Check.nonNegative("alpha", alpha);
    }

    @Override
    public String name() {
        return "OP";
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
        return 1;
    }

    @Override
    public void drawNoise(Random rng, double[] out) {
        requireLength("noise", out, 1);
        out[0] = rng.nextGaussian();
    }

    private double residual(double[] x, double[] y, double[] noise) {
        requireLength("x", x, D);
        requireLength("y", y, D);
        requireLength("noise", noise, 1);
        double inner = 0.0;
        for (int i = 0; i < D; i++) {
            inner += x[i] * y[i];
        }
        return inner - (TARGET + alpha * noise[0]);
    }

    @Override
    public double loss(double[] x, double[] y, double[] noise) {
        double r = residual(x, y, noise);
        return r * r;
    }

    @Override
    public void gradient(double[] x, double[] y, double[] noise, double[] gradX, double[] gradY) {
        double r = residual(x, y, noise);
        requireLength("gradX", gradX, D);
        requireLength("gradY", gradY, D);
        for (int i = 0; i < D; i++) {
            gradX[i] = 2.0 * r * y[i];
            gradY[i] = 2.0 * r * x[i];
        }
    }

    @Override
    public String toString() {
        return "OP(alpha=" + alpha + ")";
    }
}
