package io.github.descent4j.core.spd;

/**
 * What {@link SelectiveProjectionStep} needs from whoever holds the parameters θ, the anchor θ₀ and the base
 * optimiser's proposal θ̃ (flat arrays in the core, Tribuo tensors, Deeplearning4j parameter views). Tensor
 * indices run over {@code [0, tensorCount())}; SPD decides per tensor.
 */
public interface ProjectionTarget {

    /** Number of tensors, each decided on its own. */
    int tensorCount();

    /**
     * Before the base step: writes {@code out[0] = c = −⟨g, θ − θ₀⟩} (g the loss gradient) and
     * {@code out[1] = ‖θ − θ₀‖²} for tensor {@code t}.
     */
    void conditionSums(int t, double[] out);

    /** After the base step: ‖θ̃ − θ₀‖² for tensor {@code t}. */
    double proposedSquaredDistance(int t);

    /** θ̃ ← θ̃ − shrink · (θ̃ − θ₀) on tensor {@code t}; only called with shrink &gt; 0. */
    void shrinkTowardAnchor(int t, double shrink);
}
