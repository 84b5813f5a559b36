package io.github.descent4j.core.spd;

/**
 * The math of Selective Projection Decay (Tian et al. 2024, "Rethinking Weight Decay for Robust
 * Fine-Tuning of Foundation Models"; the authors' {@code adamSPD.py}), applied per parameter tensor
 * after a base optimiser has proposed θ̃:
 * <pre>
 *   c = −⟨g, θ − θ₀⟩                       (g the loss gradient, θ the parameters before the step)
 *   if c &lt; 0:
 *       r  = clamp((‖θ̃ − θ₀‖ − ‖θ − θ₀‖) / ‖θ̃ − θ₀‖, 0, 1)      (r = 0 when ‖θ̃ − θ₀‖ = 0)
 *       θ̃ ← θ̃ − λ * r * (θ̃ − θ₀)
 * </pre>
 * λ is not multiplied by the learning rate. The condition c &lt; 0 means the gradient points away from the
 * anchor, i.e. the loss is not consistently pulling the tensor further from θ₀; only then is the tensor
 * projected back, by the fraction of distance this step added.
 */
public final class SelectiveProjection {
    private SelectiveProjection() {}

    /** Whether the decay applies, given {@code condition = −⟨g, θ − θ₀⟩}. */
    public static boolean applies(double condition) {
        return condition < 0;
    }

    /**
     * The clamped ratio r from the two distances to the anchor.
     *
     * @param proposedDistance ‖θ̃ − θ₀‖
     * @param currentDistance ‖θ − θ₀‖
     */
    public static double ratio(double proposedDistance, double currentDistance) {
        if (!(proposedDistance > 0)) {
            return 0.0;   // θ̃ = θ₀: nothing to decay, and 0/0 must not become NaN
        }
        double r = (proposedDistance - currentDistance) / proposedDistance;
        return r < 0 ? 0.0 : (r > 1 ? 1.0 : r);
    }

    /**
     * One SPD-corrected step on one flat tensor, given the base optimiser's proposal: {@link SelectiveProjectionStep}
     * over a one-tensor flat target, then θ ← θ̃. Optimisers over several tensors use
     * {@link SelectiveProjectionDecay}, which wraps any base optimiser.
     *
     * @param params θ, updated in place to the final parameters
     * @param anchor θ₀
     * @param lossGradient g of this step
     * @param proposed θ̃, the base optimiser's proposal (overwritten)
     * @param lambda λ ≥ 0
     * @return whether the decay applied to this tensor
     */
    public static boolean step(double[] params, double[] anchor, double[] lossGradient, double[] proposed, double lambda) {
        FlatProjectionTarget target = new FlatProjectionTarget(new double[][]{params}, new double[][]{anchor},
                new double[][]{lossGradient});
        double[][] begun = SelectiveProjectionStep.begin(target);
        target.propose(new double[][]{proposed});
        boolean applies = SelectiveProjectionStep.finish(target, lambda, begun)[0];
        System.arraycopy(proposed, 0, params, 0, params.length);
        return applies;
    }
}
