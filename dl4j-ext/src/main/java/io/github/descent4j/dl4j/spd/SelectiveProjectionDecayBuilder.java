package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * The settings of a {@link SelectiveProjectionDecay} beyond λ, from {@link SelectiveProjectionDecay#builder}:
 * <pre>
 *   List&lt;Regularization&gt; spd = SelectiveProjectionDecay.builder(0.5)
 *           .cacheOffsets(false)        // no 8 bytes per parameter for θ − θ₀; same results, slower projection
 *           .build();                   // anchor: the parameters at each array's first update
 * </pre>
 * The anchor is that of {@link SelectiveProjectionDecay#of} unless {@link #towardZero} or {@link #toward} is
 * called (the last call wins).
 */
public final class SelectiveProjectionDecayBuilder {
    private final double lambda;
    private SelectiveProjectionDecay.AnchorType anchorType = SelectiveProjectionDecay.AnchorType.INITIAL;
    private INDArray anchor;
    private boolean cacheOffsets = true;

    SelectiveProjectionDecayBuilder(double lambda) {
        this.lambda = lambda;
    }

    /** θ₀ = the parameters at each array's first update (the default), as {@link SelectiveProjectionDecay#of}. */
    public SelectiveProjectionDecayBuilder towardInitial() {
        anchorType = SelectiveProjectionDecay.AnchorType.INITIAL;
        anchor = null;
        return this;
    }

    /** θ₀ = 0, as {@link SelectiveProjectionDecay#towardZero}. */
    public SelectiveProjectionDecayBuilder towardZero() {
        anchorType = SelectiveProjectionDecay.AnchorType.ZERO;
        anchor = null;
        return this;
    }

    /**
     * θ₀ = an explicit flattened parameter vector, as {@link SelectiveProjectionDecay#toward}; copied by
     * {@link #build()}.
     */
    public SelectiveProjectionDecayBuilder toward(INDArray anchor) {
        anchorType = SelectiveProjectionDecay.AnchorType.EXPLICIT;
        this.anchor = anchor;
        return this;
    }

    /**
     * Whether the condition step keeps d = θ − θ₀ in double for the projection step (default {@code true}).
     * Kept: 8 bytes per parameter on the Java heap for as long as the network lives, and the projection reads d
     * instead of re-reading and widening θ and θ₀. Not kept: no memory beyond the anchor, and the projection,
     * when it applies, recomputes d in each of its two passes; the values of d are the same, so every result is
     * bit-identical (measured costs in {@code docs/dl4j-spd.md}).
     */
    public SelectiveProjectionDecayBuilder cacheOffsets(boolean cacheOffsets) {
        this.cacheOffsets = cacheOffsets;
        return this;
    }

    /**
     * The condition step and the projection step, in this order, in a new mutable list, for
     * {@code regularization(...)} and {@code regularizationBias(...)}.
     *
     * @throws InvalidHyperparameterException naming {@code lambda} or {@code anchor}
     */
    public List<Regularization> build() {
        Check.nonNegative("lambda", lambda);
        List<AnchorSegment> segments = anchorType == SelectiveProjectionDecay.AnchorType.EXPLICIT
                ? List.of(AnchorCaptures.copyOf(anchor)) : null;
        return SelectiveProjectionDecay.create(lambda, anchorType, segments, cacheOffsets);
    }
}
