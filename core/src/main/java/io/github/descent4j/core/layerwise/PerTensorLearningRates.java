package io.github.descent4j.core.layerwise;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.Optimiser;

/**
 * Per-tensor learning rates as an {@link Optimiser} wrapper: tensor t's step is the base optimiser's proposed step
 * times a multiplier m_t,
 * <pre>
 *   θ_t ← θ_t − m_t · u_t,   u = base.proposeStep(g)
 * </pre>
 * the mechanism behind layer-wise learning-rate distributions (Kenneweg et al. 2024, "Learning Rate Distributions
 * over Layers Reduce Forgetting"; {@link LearningRateDistribution} gives the multipliers per layer).
 * <p>
 * Over a {@code FlatOptimiser} driving any rule in {@code core.rules} with learning rate lr, this equals running
 * the rule with learning rate lr · m_t on tensor t, because every rule's step is linear in lr and no rule's state
 * depends on lr: SGD lr·g; SignSGD lr·buf; Signum lr·sign(m); NormalizedSGD lr·buf; AdaGrad-Norm lr·g/b; Lion
 * lr·(sign(β₁m + (1−β₁)g) + wd·θ); Adam/AdamW (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε) + lr·wd·θ, where the buffers
 * (m, v, buf), the scalar b² and the global gradient norm are updated from g alone. By induction over the steps
 * θ_t, and so the weight-decay term, agree too. The two differ only by rounding (lr·m_t multiplied first or
 * last), which {@code PerTensorLearningRatesTest} bounds at 10⁻¹² relative for every rule.
 * <p>
 * Wrapped around another wrapper the multipliers scale that wrapper's whole step (e.g. over Selective Projection
 * Decay they scale the projected step); put the wrapper inside to scale only the base rule's step.
 */
public final class PerTensorLearningRates implements Optimiser {
    private final Optimiser base;
    private final double[] multipliers;

    /**
     * @param base the base optimiser, whose parameters this steps
     * @param multipliers m_t per tensor of {@code base.parameters()}, each a finite number &gt;= 0 (0 freezes a
     *                    tensor while its optimiser state still advances, as a learning rate of 0 would)
     * @throws IllegalArgumentException naming {@code base} or {@code multipliers}
     */
    public PerTensorLearningRates(Optimiser base, double[] multipliers) {
        if (base == null) {
            throw new IllegalArgumentException("base must not be null: per-tensor learning rates wrap a base optimiser");
        }
        if (multipliers == null || multipliers.length != base.parameters().length) {
            throw new IllegalArgumentException("multipliers must have one value per tensor (" + base.parameters().length
                    + "), got " + (multipliers == null ? "null" : multipliers.length));
        }
        for (int t = 0; t < multipliers.length; t++) {
            Check.nonNegative("multipliers[" + t + "]", multipliers[t]);
        }
        this.base = base;
        this.multipliers = multipliers.clone();
    }

    @Override
    public double[][] parameters() {
        return base.parameters();
    }

    /** The base optimiser's step count: every step of this wrapper is one base step. */
    @Override
    public long steps() {
        return base.steps();
    }

    /** m_t · u_t per tensor, u the base optimiser's proposal (scaled in place, so no copy is made). */
    @Override
    public double[][] proposeStep(double[][] lossGradients) {
        double[][] step = base.proposeStep(lossGradients);
        for (int t = 0; t < step.length; t++) {
            double m = multipliers[t];
            double[] u = step[t];
            for (int i = 0; i < u.length; i++) {
                u[i] *= m;
            }
        }
        return step;
    }

    /** The base optimiser (live). */
    public Optimiser base() {
        return base;
    }

    /** A copy of the multipliers. */
    public double[] multipliers() {
        return multipliers.clone();
    }
}
