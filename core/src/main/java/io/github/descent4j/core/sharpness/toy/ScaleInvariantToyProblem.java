package io.github.descent4j.core.sharpness.toy;

import java.util.Random;

/**
 * A stochastic objective f(x, y) = E_ξ ℓ(x, y; ξ) over two vectors x, y ∈ ℝ<sup>d</sup> that depends on them only
 * through a product (xyᵀ or xᵀy), so that f(cx, y/c) = f(x, y) for every c ≠ 0: the scale-invariant setting of
 * Li, Zhang and He (NeurIPS 2024), in which gradient flow conserves ½(‖x‖² − ‖y‖²).
 * <p>
 * One stochastic step draws one noise sample ξ with {@link #drawNoise} and differentiates ℓ(·, ·; ξ) as often as
 * the optimiser needs (SAM: twice, with the same ξ).
 */
public interface ScaleInvariantToyProblem {

    /** Short name as the paper spells it ("NOP", "OP"). */
    String name();

    /** The noise strength α, a finite number ≥ 0 (α = 0: deterministic). */
    double alpha();

    /** The dimension d of x and of y. */
    int dimension();

    /** The number of doubles in one noise sample ξ. */
    int noiseSize();

    /**
     * Draws one noise sample ξ, always {@link #noiseSize()} standard Gaussians from {@code rng} in a fixed order
     * (also when α = 0, so runs with different α see the same random sequence).
     *
     * @param out receives ξ; length {@link #noiseSize()}
     */
    void drawNoise(Random rng, double[] out);

    /** The sample loss ℓ(x, y; ξ). */
    double loss(double[] x, double[] y, double[] noise);

    /**
     * The gradient of the sample loss ℓ(·, ·; ξ) at (x, y), written into {@code gradX} and {@code gradY}
     * (neither may alias {@code x} or {@code y}).
     */
    void gradient(double[] x, double[] y, double[] noise, double[] gradX, double[] gradY);
}
