package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.core.spd.SelectiveProjectionStep;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Selective Projection Decay (Tian et al. 2024, "Rethinking Weight Decay for Robust Fine-Tuning of
 * Foundation Models"; the authors' {@code adamSPD.py}) for Deeplearning4j 1.0.0-M2.1, on top of any
 * updater (DL4J's {@code Adam}, {@code Sgd}, …, or descent4j's), as a regularisation.
 * <p>
 * <b>The rule</b>, per parameter array (a layer's {@code W} or {@code b}), after the updater proposed
 * θ̃ = θ − u, where u is the update DL4J is about to subtract:
 * <pre>
 *   c = −⟨g, θ − θ₀⟩                    (g the loss gradient of this step, θ the parameters before it)
 *   if c &lt; 0:
 *       r  = clamp((‖θ̃ − θ₀‖ − ‖θ − θ₀‖) / ‖θ̃ − θ₀‖, 0, 1)      (r = 0 when ‖θ̃ − θ₀‖ = 0)
 *       θ̃ ← θ̃ − λ · r · (θ̃ − θ₀)
 * </pre>
 * λ is not multiplied by the learning rate. The arithmetic is that of descent4j-core's
 * {@link SelectiveProjection}, in double precision whatever the network's data type; on a float network
 * θ₀ is used rounded to float (an explicit double anchor would otherwise differ from equal float parameters
 * by rounding noise, which makes c's sign random and r = 1 at the first step).
 * <p>
 * With a base that computes torch's Adam (descent4j-core's {@code AdamRule}) this reproduces the authors'
 * AdamSPD to 1e-9 in double precision. DL4J's own {@code Adam} is not torch's: it computes
 * lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε), so its ε is not divided by √(1 − β₂ᵗ); SPD over it is exact for
 * that base, whose own steps differ from torch's by up to 4·10⁻⁷ on the golden cases.
 * <p>
 * <b>Usage</b>: the factories return the rule's two regularisation steps as one list, for the weights and,
 * separately, for the biases (DL4J keeps two lists):
 * <pre>
 *   new NeuralNetConfiguration.Builder()
 *       .updater(new Adam(1e-4))
 *       .regularization(SelectiveProjectionDecay.of(0.5))         // weights
 *       .regularizationBias(SelectiveProjectionDecay.of(0.5))     // biases
 *       .list() ...
 * </pre>
 * or the same on a layer builder. The anchor θ₀ is, per parameter array: {@link #of(double)}, the parameters at
 * the array's first update (for fine-tuning: the pre-trained weights); {@link #towardZero(double)}, zero;
 * {@link #toward(double, INDArray)}, the matching range of a flattened parameter vector such as
 * {@code pretrained.params()} (copied when called; build the list once and pass it to both lists, so the
 * anchor is held and serialised once). {@link #builder(double)} sets the same and more.
 * <p>
 * Other regularisations may share the list; SPD's projection step should come last among the
 * post-updater steps (after a {@code WeightDecay}), since it projects the finished update, and c sees the
 * gradient as left by the pre-updater steps listed before it (DL4J appends global regularisations after a
 * layer's own). DL4J has already divided the gradient by the minibatch size and applied any gradient
 * normalisation, which does not change the sign of c.
 * <p>
 * To fine-tune a network loaded with {@code ModelSerializer}, set the lists on its layer configurations
 * ({@code BaseLayer.setRegularization}/{@code setRegularizationBias}), which DL4J reads at every update and
 * saves with the model (snippet in {@code docs/dl4j-spd.md}). <b>Diagnostics</b>: {@link #updateCount},
 * {@link #applicationCount} and {@link #anchorOf} take a parameter array such as {@code net.getParam("0_W")}.
 * <p>
 * <b>Design</b> (details and rejected alternatives: {@code docs/dl4j-spd.md}). This object is the
 * {@code BEFORE_UPDATER} step (the gradient view holds g) and {@link Projection} the {@code POST_UPDATER} step
 * (it holds u). Runtime state is per parameter array (the network's parameter buffer, held weakly, and the
 * array's offset), not per configuration object, which DL4J shares, clones and lists twice per layer; two SPD
 * configurations with a different λ or anchor kind on one array in one update are an
 * {@link IllegalStateException}. A captured or explicit anchor is part of this configuration's JSON
 * ({@code anchorSegments}, exact bytes, once per document), so save → restore continues bit-identically; a
 * configuration shared by two live networks that captured their own anchors cannot be serialised
 * ({@code toJson} throws {@link IllegalStateException}): give each network its own ({@code conf.clone()}).
 * <p>
 * <b>Memory and speed.</b> Anchors live on the Java heap, never in an ND4J workspace; the steps read and write
 * the network's arrays through their direct buffers in chunks of 4096 values. By default SPD also keeps
 * d = θ − θ₀ in double, 8 bytes per parameter; {@code builder(λ).cacheOffsets(false)}
 * ({@link SelectiveProjectionDecayBuilder}) keeps none and recomputes d: bit-identical results, a slower
 * projection. Sums are Java loops in a fixed order (never float BLAS, whose rounding or thread count could
 * flip the sign of c); arrays of at least 2¹⁸ values are reduced in fixed parts combined in part order, and
 * with {@code -Ddescent4j.spd.threads=2} half of the parts run on {@code ForkJoinPool.commonPool()}.
 * <p>
 * The two phases themselves, c and r and the decision, are descent4j-core's {@link SelectiveProjectionStep}
 * over this array as its single tensor.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class SelectiveProjectionDecay implements Regularization {
    private static final long serialVersionUID = 1L;

    /** Where the anchor θ₀ comes from. */
    public enum AnchorType {
        /** The parameters at each array's first update. */
        INITIAL,
        /** Zero. */
        ZERO,
        /** Given explicitly, as a flattened parameter vector. */
        EXPLICIT
    }

    private final double lambda;
    private final AnchorType anchorType;
    /**
     * Immutable segments of θ₀: for {@link AnchorType#EXPLICIT} the anchor itself, for
     * {@link AnchorType#INITIAL} the anchors captured earlier and carried by JSON or {@link #clone()}.
     */
    private final List<AnchorSegment> segments;
    /** Whether d = θ − θ₀ is kept between the two steps (8 bytes per parameter) or recomputed. */
    private final boolean cacheOffsets;
    /** Anchors this object captured or saw captured, each tied to the network that owns it; guarded by this. */
    private transient AnchorCaptures captures;

    private SelectiveProjectionDecay(double lambda, AnchorType anchorType, List<AnchorSegment> segments,
                                     boolean cacheOffsets) {
        this.lambda = Check.nonNegative("lambda", lambda);
        this.cacheOffsets = cacheOffsets;
        if (anchorType == null) {
            throw new InvalidHyperparameterException("anchor", "anchor must be one of INITIAL, ZERO, EXPLICIT, got null");
        }
        this.anchorType = anchorType;
        this.segments = AnchorCaptures.checkedSegments(anchorType, segments);
    }

    @JsonCreator
    private static SelectiveProjectionDecay fromJson(@JsonProperty("lambda") Double lambda,
                                                     @JsonProperty("anchor") AnchorType anchor,
                                                     @JsonProperty("anchorSegments") List<AnchorSegment> segments,
                                                     @JsonProperty("cacheOffsets") Boolean cacheOffsets) {
        if (lambda == null) {
            throw new InvalidHyperparameterException("lambda", "lambda is missing; it must be a finite number >= 0");
        }
        // absent in JSON written before the setting existed: the behaviour of then, offsets kept
        return new SelectiveProjectionDecay(lambda, anchor, segments, cacheOffsets == null || cacheOffsets);
    }

    /**
     * The condition step of a new configuration and its projection step, in a new mutable list; for
     * {@link SelectiveProjectionDecayBuilder}.
     */
    static List<Regularization> create(double lambda, AnchorType anchorType, List<AnchorSegment> segments,
                                       boolean cacheOffsets) {
        return pair(new SelectiveProjectionDecay(lambda, anchorType, segments, cacheOffsets));
    }

    // ---- factories ----

    /**
     * SPD toward the parameters at each array's first update.
     *
     * @param lambda projection strength λ, a finite number ≥ 0 (not scaled by the learning rate)
     * @return the condition step and the projection step, in this order, in a new mutable list
     * @throws InvalidHyperparameterException naming {@code lambda}
     */
    public static List<Regularization> of(double lambda) {
        return builder(lambda).build();
    }

    /**
     * A builder for the settings beyond λ: the anchor ({@link #of}, {@link #towardZero}, {@link #toward} are
     * its shortcuts) and whether d = θ − θ₀ is kept between the two steps
     * ({@link SelectiveProjectionDecayBuilder#cacheOffsets}).
     *
     * @param lambda projection strength λ, a finite number ≥ 0 (checked by {@code build()})
     */
    public static SelectiveProjectionDecayBuilder builder(double lambda) {
        return new SelectiveProjectionDecayBuilder(lambda);
    }

    /**
     * SPD toward zero (the reference's behaviour without a pre-trained point).
     *
     * @param lambda projection strength λ, a finite number ≥ 0
     * @return the condition step and the projection step, in a new mutable list
     * @throws InvalidHyperparameterException naming {@code lambda}
     */
    public static List<Regularization> towardZero(double lambda) {
        return builder(lambda).towardZero().build();
    }

    /**
     * SPD toward an explicit anchor: a flattened parameter vector in the order of the network's
     * {@code params()}, e.g. {@code pretrained.params()} of a network with the same architecture; each
     * parameter array decays toward the values at its own offset. The values are copied now (exactly, in
     * float when the vector is float, else in double).
     *
     * @param lambda projection strength λ, a finite number ≥ 0
     * @param anchor θ₀ for the whole network; non-empty, finite
     * @return the condition step and the projection step, in a new mutable list
     * @throws InvalidHyperparameterException naming {@code lambda} or {@code anchor}
     */
    public static List<Regularization> toward(double lambda, INDArray anchor) {
        return builder(lambda).toward(anchor).build();
    }

    private static List<Regularization> pair(SelectiveProjectionDecay condition) {
        List<Regularization> list = new ArrayList<>(2);
        list.add(condition);
        list.add(new Projection());
        return list;
    }

    // ---- the condition step ----

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /**
     * The condition step: records c = −⟨g, θ − θ₀⟩ for this parameter array (and, on its first update, its
     * anchor θ₀). Leaves the gradient unchanged.
     *
     * @param param θ, a view of the network's flattened parameters
     * @param gradView g, the loss gradient (after DL4J's minibatch division, clipping and any regularisation
     *                 listed before this one)
     */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        ConditionPhase.apply(this, param, gradView, iteration, epoch);
    }

    /** The explicit anchor, or the anchors restored from JSON or carried by {@link #clone()}. */
    List<AnchorSegment> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** The anchors this object captured or saw captured, each tied to the network that owns it. */
    synchronized AnchorCaptures captures() {
        if (captures == null) {
            captures = new AnchorCaptures();
        }
        return captures;
    }

    boolean sameSettings(SelectiveProjectionDecay other) {
        return other == this || (Double.compare(lambda, other.lambda) == 0 && anchorType == other.anchorType);
    }

    // ---- the projection step ----

    /**
     * The projection step of {@link SelectiveProjectionDecay} ({@code POST_UPDATER}): when the condition step
     * of this update found c &lt; 0, rewrites the update u of the parameter array so that DL4J's
     * {@code θ ← θ − u} lands on θ̃ − λ·r·(θ̃ − θ₀), with θ̃ = θ − u:
     * <pre>
     *   u ← u + λ·r·(θ̃ − θ₀)
     * </pre>
     * It has no settings of its own: λ and θ₀ are those of the condition step that ran on the same array
     * in the same update. Created only by the factories of {@link SelectiveProjectionDecay}.
     */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
            creatorVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class Projection implements Regularization {
        private static final long serialVersionUID = 1L;

        @JsonCreator
        private Projection() {}

        @Override
        public ApplyStep applyStep() {
            return ApplyStep.POST_UPDATER;
        }

        /**
         * @param param θ, not yet moved
         * @param update u, the update DL4J subtracts after the post-updater regularisations; rewritten
         * @throws IllegalStateException when no condition step ran on this array in this update
         */
        @Override
        public void apply(INDArray param, INDArray update, double lr, int iteration, int epoch) {
            ProjectionPhase.apply(param, update, iteration, epoch);
        }

        @Override
        public double score(INDArray param, int iteration, int epoch) {
            return 0.0;
        }

        @Override
        public Projection clone() {
            return new Projection();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Projection;
        }

        @Override
        public int hashCode() {
            return Projection.class.hashCode();
        }

        @Override
        public String toString() {
            return "SelectiveProjectionDecay.Projection";
        }
    }

    // ---- configuration: JSON, equality, copies ----

    /** The projection strength λ. */
    public double getLambda() {
        return lambda;
    }

    /** Where θ₀ comes from. */
    public AnchorType getAnchorType() {
        return anchorType;
    }

    /**
     * Whether d = θ − θ₀ is kept in double between the two steps (the default: 8 bytes per parameter, a faster
     * projection) or recomputed by the projection from θ and θ₀ (no extra memory, bit-identical results).
     */
    public boolean cachesOffsets() {
        return cacheOffsets;
    }

    @JsonProperty("cacheOffsets")
    private boolean cacheOffsetsForJson() {
        return cacheOffsets;
    }

    @JsonProperty("lambda")
    private double lambdaForJson() {
        return lambda;
    }

    @JsonProperty("anchor")
    private AnchorType anchorForJson() {
        return anchorType;
    }

    /**
     * The anchor values this configuration carries: the explicit anchor, or the anchors restored or cloned
     * into it plus those captured by live networks.
     *
     * @throws IllegalStateException when two live networks captured different anchors for the same arrays
     */
    @JsonProperty("anchorSegments")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    private List<AnchorSegment> segmentsForJson() {
        return persistedSegments(true);
    }

    private List<AnchorSegment> persistedSegments(boolean failOnConflict) {
        AnchorCaptures mine;
        synchronized (this) {
            mine = captures;
        }
        return mine == null ? segments() : mine.persisted(segments(), failOnConflict);
    }

    /**
     * A copy with the same settings that carries this configuration's anchors (as {@code clone()} of a
     * network or configuration expects: the copy continues toward the same θ₀). Anchors captured by two live
     * networks for the same arrays are left out and captured again by the copy's network.
     */
    @Override
    public SelectiveProjectionDecay clone() {
        return new SelectiveProjectionDecay(lambda, anchorType, persistedSegments(false), cacheOffsets);
    }

    /** Java serialisation writes the persisted form: settings and anchors, no runtime bookkeeping. */
    private Object writeReplace() {
        return clone();
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;   // SPD adds nothing to the loss
    }

    /** Equal settings and anchor values (bit for bit). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SelectiveProjectionDecay)) {
            return false;
        }
        SelectiveProjectionDecay other = (SelectiveProjectionDecay) o;
        if (Double.compare(lambda, other.lambda) != 0 || anchorType != other.anchorType
                || cacheOffsets != other.cacheOffsets) {
            return false;
        }
        List<AnchorSegment> mine = persistedSegments(false);
        List<AnchorSegment> theirs = other.persistedSegments(false);
        if (mine.size() != theirs.size()) {
            return false;
        }
        for (int i = 0; i < mine.size(); i++) {
            if (!mine.get(i).sameContent(theirs.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lambda, anchorType, cacheOffsets);
    }

    @Override
    public String toString() {
        List<AnchorSegment> persisted = persistedSegments(false);
        return "SelectiveProjectionDecay(lambda=" + lambda + ", anchor=" + anchorType
                + (persisted.isEmpty() ? "" : ", anchorSegments=" + persisted.size())
                + (cacheOffsets ? "" : ", cacheOffsets=false") + ")";
    }

    // ---- diagnostics ----

    /**
     * How many updates of this parameter array the projection step has seen, e.g. for
     * {@code net.getParam("0_W")}; 0 when SPD has not run on it.
     */
    public static long updateCount(INDArray parameter) {
        ParameterStates.State state = ParameterStates.get(parameter, false);
        return state == null ? 0 : state.updates;
    }

    /** How many of those updates had c &lt; 0, so that the projection applied. */
    public static long applicationCount(INDArray parameter) {
        ParameterStates.State state = ParameterStates.get(parameter, false);
        return state == null ? 0 : state.applications;
    }

    /**
     * A copy of the anchor θ₀ in use for this parameter array, shaped like it and outside any workspace, or
     * null when SPD has not run on it yet.
     */
    public static INDArray anchorOf(INDArray parameter) {
        return ParameterStates.anchorCopy(parameter);
    }
}
