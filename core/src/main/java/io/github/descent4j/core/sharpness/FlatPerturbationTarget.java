package io.github.descent4j.core.sharpness;

import io.github.descent4j.core.Tensors;

/**
 * {@link PerturbationTarget} over plain {@code double[][]} tensors, the core's own holder, used by
 * {@link SharpnessAwareMinimization}. One instance serves one step: it holds the live parameters θ, the loss
 * gradient g at θ and the {@link GradientOracle} that gives g′ = ∇L(θ + ε) on the same minibatch.
 * <p>
 * The arithmetic is {@link SharpnessPerturbation}'s, unchanged: the norm is {@link SharpnessPerturbation#norm}
 * (overflow-safe where ‖T ⊙ g‖² overflows), and θ_i ← θ_i + ε_i with ε_i = (ρ / norm) · T_i² · g_i
 * ({@link SharpnessPerturbation#addPerturbation}), so θ + ε is bit for bit
 * {@code params + perturbation(params, gradient)}.
 */
public final class FlatPerturbationTarget implements PerturbationTarget {
    private final double[][] params;
    private final double[][] gradient;
    private final GradientOracle oracle;
    private double[][] saved;
    private double[][] perturbedGradient;

    /**
     * @param params θ, the live tensors (perturbed in place during the step, then restored exactly)
     * @param gradient g at θ, shaped like {@code params}; only read
     * @param oracle computes the gradient at θ + ε on the same minibatch
     * @throws IllegalArgumentException when {@code gradient} is not shaped like {@code params} or the oracle is null
     */
    public FlatPerturbationTarget(double[][] params, double[][] gradient, GradientOracle oracle) {
        if (params == null || oracle == null) {
            throw new IllegalArgumentException((params == null ? "params" : "oracle") + " must not be null");
        }
        SharpnessPerturbation.requireSameShape(params, gradient, "gradient");
        this.params = params;
        this.gradient = gradient;
        this.oracle = oracle;
    }

    /** ‖T ⊙ g‖ (or ‖g‖), overflow-safe; first rejects a non-finite g naming its tensor and index. */
    @Override
    public double perturbationNorm(SharpnessPerturbation perturbation) {
        for (int t = 0; t < gradient.length; t++) {
            Tensors.requireFinite(t, gradient[t], 0, gradient[t].length, "flat tensor of " + gradient[t].length);
        }
        return perturbation.norm(params, gradient);
    }

    @Override
    public void save() {
        saved = new double[params.length][];
        for (int t = 0; t < params.length; t++) {
            saved[t] = params[t].clone();
        }
    }

    @Override
    public void perturb(SharpnessPerturbation perturbation, double scale) {
        for (int t = 0; t < params.length; t++) {
            // θ_i is read (for ASAM's T_i) before θ_i + ε_i is written
            SharpnessPerturbation.addPerturbation(perturbation.adaptive(), perturbation.eta(), scale, params[t],
                    gradient[t], 0, params[t].length, params[t]);
        }
    }

    @Override
    public void gradientAtPerturbedPoint() {
        perturbedGradient = oracle.gradient(params);
    }

    @Override
    public void restore() {
        for (int t = 0; t < params.length; t++) {
            System.arraycopy(saved[t], 0, params[t], 0, params[t].length);
        }
    }

    /**
     * The gradient the base optimiser steps with: g′ = ∇L(θ + ε) from the second pass. When ε = 0 the sequence
     * stops before that pass, and the oracle is asked here at θ itself (= θ + ε): a SAM step always takes its two
     * gradients, as davda54/sam's does, so an oracle sees one call at θ and one at θ + ε in every step.
     */
    public double[][] gradientForBaseStep() {
        if (perturbedGradient == null) {
            perturbedGradient = oracle.gradient(params);
        }
        return perturbedGradient;
    }
}
