package io.github.descent4j.core.spd;

/**
 * The two phases of Selective Projection Decay around any base optimiser's step (Tian et al. 2024, "Rethinking
 * Weight Decay for Robust Fine-Tuning of Foundation Models"; the authors' {@code adamSPD.py}), written once for
 * every holder of parameters ({@link ProjectionTarget}):
 * <pre>
 *   before the base step, per tensor:  c = −⟨g, θ − θ₀⟩,  d = ‖θ − θ₀‖
 *   the base step proposes θ̃
 *   after it, per tensor, if c &lt; 0:   r = clamp((‖θ̃ − θ₀‖ − d) / ‖θ̃ − θ₀‖, 0, 1)
 *                                      θ̃ ← θ̃ − λ r (θ̃ − θ₀)
 * </pre>
 * The decision and the ratio are {@link SelectiveProjection}'s. Holders whose two phases run in different
 * callbacks (Deeplearning4j's regularisation steps) keep the {@link #begin} result between them.
 */
public final class SelectiveProjectionStep {
    private SelectiveProjectionStep() {}

    /** Phase 1, before the base step: per tensor {c, ‖θ − θ₀‖²}. */
    public static double[][] begin(ProjectionTarget target) {
        double[][] sums = new double[target.tensorCount()][2];
        for (int t = 0; t < sums.length; t++) {
            target.conditionSums(t, sums[t]);
        }
        return sums;
    }

    /**
     * Phase 2, after the base step proposed θ̃: projects every tensor whose condition holds.
     *
     * @param lambda λ ≥ 0 (not multiplied by the learning rate)
     * @param begun what {@link #begin} returned for this step
     * @return per tensor, whether the decay applied (c &lt; 0)
     */
    public static boolean[] finish(ProjectionTarget target, double lambda, double[][] begun) {
        boolean[] applied = new boolean[begun.length];
        for (int t = 0; t < begun.length; t++) {
            if (!SelectiveProjection.applies(begun[t][0])) {
                continue;
            }
            applied[t] = true;
            double shrink = shrinkFactor(lambda, begun[t][1], target.proposedSquaredDistance(t));
            if (shrink > 0) {
                target.shrinkTowardAnchor(t, shrink);
            }
        }
        return applied;
    }

    /**
     * λ · r for a tensor whose condition holds, from the two squared distances to the anchor.
     *
     * @param currentSquaredDistance ‖θ − θ₀‖²
     * @param proposedSquaredDistance ‖θ̃ − θ₀‖² (a value below 0 from cancellation counts as 0)
     */
    public static double shrinkFactor(double lambda, double currentSquaredDistance, double proposedSquaredDistance) {
        return lambda * SelectiveProjection.ratio(Math.sqrt(Math.max(proposedSquaredDistance, 0)),
                Math.sqrt(currentSquaredDistance));
    }
}
