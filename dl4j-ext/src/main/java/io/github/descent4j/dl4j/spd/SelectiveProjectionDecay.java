package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.internal.Staging;
import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.spd.SelectiveProjection;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

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
 * or the same on a layer builder. The anchor θ₀ is, per parameter array:
 * <ul>
 *   <li>{@link #of(double)}: the parameters at the array's first update (for fine-tuning: the pre-trained
 *       weights the network was initialised with);</li>
 *   <li>{@link #towardZero(double)}: zero;</li>
 *   <li>{@link #toward(double, INDArray)}: the matching range of a flattened parameter vector, typically
 *       {@code pretrained.params()} of a network with the same architecture (copied when called). Build the
 *       list once and pass it to both {@code regularization} and {@code regularizationBias}, so the anchor
 *       is held and serialised once.</li>
 * </ul>
 * Other regularisations may share the list; SPD's projection step should come last among the
 * post-updater steps (after a {@code WeightDecay}), since it projects the finished update, and c sees the
 * gradient as left by the pre-updater steps listed before it (DL4J appends global regularisations after a
 * layer's own). DL4J has already divided the gradient by the minibatch size and applied any gradient
 * normalisation, which does not change the sign of c.
 * <p>
 * To fine-tune a network loaded with {@code ModelSerializer}, set the lists on its layer configurations,
 * which DL4J reads at every update (and saves with the model):
 * <pre>
 *   for (Layer layer : net.getLayers()) {
 *       BaseLayer conf = (BaseLayer) layer.conf().getLayer();
 *       conf.setRegularization(SelectiveProjectionDecay.of(0.5));
 *       conf.setRegularizationBias(SelectiveProjectionDecay.of(0.5));
 *   }
 * </pre>
 * <b>Diagnostics</b>: {@link #updateCount}, {@link #applicationCount} and {@link #anchorOf} take a parameter
 * array such as {@code net.getParam("0_W")}.
 * <p>
 * <b>Why two steps.</b> A DL4J updater never sees the parameters; a {@link Regularization} does, but at
 * one point of the update only. Before the updater ({@code BEFORE_UPDATER}) the gradient view holds g,
 * after it ({@code POST_UPDATER}) it holds u, which DL4J subtracts right after. c needs g, the projection
 * needs u, and g cannot be recovered from u for a general updater (Adam's u depends on its moments). So
 * this object is the {@code BEFORE_UPDATER} step: it computes c (one pass over g, θ, θ₀; no copy of g) and
 * {@link Projection}, the {@code POST_UPDATER} step, projects u in place when c &lt; 0, using θ (not yet
 * moved) and u. The two steps find each other through the parameter array they are given, see below.
 * <p>
 * <b>State is per parameter array, not per configuration object.</b> DL4J shares one regularisation
 * instance between all layers configured globally, lists it twice in each layer (in 1.0.0-M2.1 a global
 * {@code .regularization(list)} ends up twice in every layer's list, the same trap as the global
 * {@code weightDecay}), and clones it freely. Runtime state is therefore keyed by the memory of the
 * parameter array (the network's flattened parameter buffer, held weakly, and the array's offset in it).
 * Duplicates are harmless: the condition is recomputed from the same g, and only the first projection step
 * of an update projects. Two SPD configurations with a different λ or anchor kind on one array in one
 * update are an error ({@link IllegalStateException}).
 * <p>
 * <b>Where the anchor lives.</b> {@code ModelSerializer} persists the parameters, the updater state view
 * and the configuration JSON, in which regularisations are serialised. A captured or explicit anchor is
 * part of this configuration's JSON ({@code anchorSegments}: offset, data type and the exact IEEE bytes in
 * base64, about 5.3 characters per float parameter, each segment written once per document however many
 * layers and list entries refer to it), so saving a network mid-training and restoring it continues
 * bit-identically, and {@code net.clone()} keeps the anchor. The anchor is restored even when the updater
 * state is not saved. The cost: the configuration JSON grows by 4/3 of the parameters' size in bytes (the
 * saved zip by about the parameters' size again), and so does every {@code toJson()}. The alternatives
 * were rejected: an anchor in an updater wrapper's state needs a second, coupled line of configuration, and
 * still a regularisation to see θ, linked to the updater through memory addresses; a custom layer parameter
 * works only with custom layers; {@code ModelSerializer.addObjectToFile} needs extra calls on every save and
 * restore, and is silently lost when one is forgotten. {@link #towardZero} stores no array.
 * <p>
 * A captured anchor belongs to the network whose parameters it copied: each network trained with a shared
 * configuration object captures its own. Such a configuration cannot be serialised while both networks are
 * alive (which anchor would the JSON hold?) and {@code toJson} fails with an {@link IllegalStateException};
 * give each network its own configuration ({@code conf.clone()} before the first step). Anchors read from
 * JSON or carried by {@code clone()} are used by any network built from that configuration; they are matched
 * to parameter arrays by position and length in the flattened parameters, so after changing the
 * architecture (transfer learning) configure a fresh SPD to re-anchor.
 * <p>
 * <b>Memory and workspaces.</b> Anchors live on the Java heap (float arrays for float networks, exact), never
 * in an ND4J workspace, and both steps read and write the network's arrays through their direct buffers in
 * cache-sized chunks ({@code Staging}) without allocating ND4J arrays, so nothing can outlive a workspace.
 * Parameter arrays of other data types or non-contiguous layouts take a slower path through copies made
 * outside any workspace. Besides the anchor, SPD keeps d = θ − θ₀ in double for each parameter array, written
 * by the condition step and read by the projection step of the same update: 8 bytes per parameter on the
 * Java heap, held (and reused) for as long as the network lives. DL4J runs the condition steps of all
 * arrays of an updater block before any projection step, so the offsets of every array are alive at once.
 * <p>
 * <b>Speed.</b> Each step is one pass over the array (the projection two: the norms, then the rewrite of u),
 * in chunks of 4096 values read straight from the direct buffers. On float arrays the kernels
 * ({@code ProjectionSums}) widen each value to double where they use it, and sum a chunk with eight (the
 * norms four) interleaved partial sums combined in a fixed order; so the sums differ from a sequential loop
 * by rounding only, and never between runs. The projection reads d instead of widening θ and θ₀ again (scalar
 * float-to-double conversions are what these passes spend most of their time on), so it evaluates
 * θ̃ − θ₀ as d − u and the new update as u + λ·r·(d − u).
 * <p>
 * <b>Threads.</b> Arrays of at least 2¹⁸ values are reduced in fixed parts of 65536 values whose partial
 * sums are combined in part order, so the result does not depend on how many threads ran. With
 * {@code -Ddescent4j.spd.threads=2} (and ND4J allowed two threads) the second half of the parts runs on
 * {@code ForkJoinPool.commonPool()}; the default is one thread.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class SelectiveProjectionDecay implements Regularization {
    private static final long serialVersionUID = 1L;

    /** Values per staged chunk, as in {@link UpdateRuleGradientUpdater}. */
    private static final int CHUNK = UpdateRuleGradientUpdater.CHUNK;
    /** Longest parameter array whose anchor a Java array can hold. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

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
    /** Anchors this object captured or saw captured, each tied to the network that owns it; guarded by this. */
    private transient List<Capture> captures;

    private static final class Capture {
        final WeakReference<DataBuffer> owner;
        final AnchorSegment segment;

        Capture(DataBuffer owner, AnchorSegment segment) {
            this.owner = new WeakReference<>(owner);
            this.segment = segment;
        }
    }

    private SelectiveProjectionDecay(double lambda, AnchorType anchorType, List<AnchorSegment> segments) {
        this.lambda = Check.nonNegative("lambda", lambda);
        if (anchorType == null) {
            throw new InvalidHyperparameterException("anchor", "anchor must be one of INITIAL, ZERO, EXPLICIT, got null");
        }
        List<AnchorSegment> copy = new ArrayList<>(segments == null ? List.of() : segments);
        for (AnchorSegment segment : copy) {
            if (segment == null) {
                throw new InvalidHyperparameterException("anchor", "anchor segments must not be null");
            }
            segment.validated();   // decodes segments read from JSON
        }
        if (anchorType == AnchorType.ZERO && !copy.isEmpty()) {
            throw new InvalidHyperparameterException("anchor", "a ZERO anchor holds no values, got " + copy.size() + " segments");
        }
        if (anchorType == AnchorType.EXPLICIT && copy.isEmpty()) {
            throw new InvalidHyperparameterException("anchor", "an EXPLICIT anchor needs its values, got none");
        }
        copy.sort(Comparator.comparingLong(AnchorSegment::offset));
        this.anchorType = anchorType;
        this.segments = Collections.unmodifiableList(copy);
    }

    @JsonCreator
    private static SelectiveProjectionDecay fromJson(@JsonProperty("lambda") Double lambda,
                                                     @JsonProperty("anchor") AnchorType anchor,
                                                     @JsonProperty("anchorSegments") List<AnchorSegment> segments) {
        if (lambda == null) {
            throw new InvalidHyperparameterException("lambda", "lambda is missing; it must be a finite number >= 0");
        }
        return new SelectiveProjectionDecay(lambda, anchor, segments);
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
        return pair(new SelectiveProjectionDecay(lambda, AnchorType.INITIAL, null));
    }

    /**
     * SPD toward zero (the reference's behaviour without a pre-trained point).
     *
     * @param lambda projection strength λ, a finite number ≥ 0
     * @return the condition step and the projection step, in a new mutable list
     * @throws InvalidHyperparameterException naming {@code lambda}
     */
    public static List<Regularization> towardZero(double lambda) {
        return pair(new SelectiveProjectionDecay(lambda, AnchorType.ZERO, null));
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
        Check.nonNegative("lambda", lambda);
        return pair(new SelectiveProjectionDecay(lambda, AnchorType.EXPLICIT, List.of(copyOf(anchor))));
    }

    private static List<Regularization> pair(SelectiveProjectionDecay condition) {
        List<Regularization> list = new ArrayList<>(2);
        list.add(condition);
        list.add(new Projection());
        return list;
    }

    private static AnchorSegment copyOf(INDArray anchor) {
        if (anchor == null || anchor.isEmpty()) {
            throw new InvalidHyperparameterException("anchor", "anchor must be a non-empty array, got "
                    + (anchor == null ? "null" : "an empty array"));
        }
        if (anchor.length() > MAX_ARRAY) {
            throw new InvalidHyperparameterException("anchor", "anchor must have at most " + MAX_ARRAY
                    + " values, got " + anchor.length());
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray flat = Nd4j.toFlattened('c', anchor);
            AnchorSegment segment = anchor.dataType() == DataType.FLOAT
                    ? AnchorSegment.ofFloats(0, flat.toFloatVector())
                    : AnchorSegment.ofDoubles(0, flat.castTo(DataType.DOUBLE).toDoubleVector());
            return segment.validated();
        }
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
        long n = param.length();
        if (n == 0) {
            return;
        }
        requireSameLength(param, gradView);
        ParameterStates.State state = ParameterStates.get(param, true);
        if (state.config != null && !sameSettings(state.config)) {
            if (state.pending && state.pendingIteration == iteration && state.pendingEpoch == epoch) {
                throw new IllegalStateException("two different Selective Projection Decay configurations (" + state.config
                        + " and " + this + ") apply to the parameter array at offset " + param.offset()
                        + "; configure one per parameter");
            }
            state.config = null;   // this array's configuration was replaced: start over with this one
        }
        Scratch s = Scratch.get();
        Staging params = stage(param, s.floats);
        if (state.config == null) {
            state.anchor = resolveAnchor(param, params, s);
            state.config = this;
            state.recordedBy.clear();
            state.recordedBy.add(this);
        } else if (!containsInstance(state.recordedBy, this)) {
            state.recordedBy.add(this);
            if (anchorType == AnchorType.INITIAL && !containsInstance(segments, state.anchor)) {
                // A duplicate or clone of the configuration that captured it: record it so its JSON carries it too.
                addCapture(ParameterStates.rootOf(param), state.anchor);
            }
        }
        Staging gradient = stage(gradView, s.floats);
        if (state.offsets == null) {
            if (n > MAX_ARRAY) {
                throw new IllegalStateException("parameter array of " + n + " values is too long for Selective Projection Decay's"
                        + " heap buffers (at most " + MAX_ARRAY + ")");
            }
            state.offsets = new double[(int) n];
        }
        state.condition = -dotGradientOffset(params, gradient, state.anchor, atFloat(param), param.offset(), n, state.offsets, s);
        state.pending = true;
        state.pendingIteration = iteration;
        state.pendingEpoch = epoch;
    }

    private AnchorSegment resolveAnchor(INDArray param, Staging params, Scratch s) {
        long offset = param.offset();
        long n = param.length();
        switch (anchorType) {
            case ZERO:
                return null;
            case EXPLICIT:
                for (AnchorSegment segment : segments) {
                    if (segment.covers(offset, n)) {
                        return segment;
                    }
                }
                throw new InvalidHyperparameterException("anchor", "the explicit anchor " + segments
                        + " has no values for the parameter array at [" + offset + ", " + (offset + n)
                        + ") of the flattened parameters: pass params() of a network with the same architecture");
            case INITIAL:
            default:
                for (AnchorSegment segment : segments) {
                    if (segment.isExactly(offset, n)) {
                        return segment;   // restored from JSON or carried by clone()
                    }
                }
                DataBuffer root = ParameterStates.rootOf(param);
                synchronized (this) {
                    for (Capture c : captures()) {
                        if (c.owner.get() == root && c.segment.isExactly(offset, n)) {
                            return c.segment;
                        }
                    }
                }
                AnchorSegment captured = capture(param, params, s);
                addCapture(root, captured);
                return captured;
        }
    }

    private static AnchorSegment capture(INDArray param, Staging params, Scratch s) {
        long n = param.length();
        if (n > MAX_ARRAY) {
            throw new IllegalStateException("parameter array of " + n + " values is too long for a heap anchor");
        }
        DataType type = param.dataType();
        boolean asFloat = type == DataType.FLOAT || type == DataType.HALF || type == DataType.BFLOAT16;
        float[] floats = asFloat ? new float[(int) n] : null;
        double[] doubles = asFloat ? null : new double[(int) n];
        for (long from = 0; from < n; from += CHUNK) {
            int len = (int) Math.min(CHUNK, n - from);
            params.read(from, s.a, len);
            if (asFloat) {
                for (int i = 0; i < len; i++) {
                    floats[(int) from + i] = (float) s.a[i];   // exact: the values are floats (or narrower)
                }
            } else {
                System.arraycopy(s.a, 0, doubles, (int) from, len);
            }
        }
        long offset = param.offset();
        return asFloat ? AnchorSegment.ofFloats(offset, floats) : AnchorSegment.ofDoubles(offset, doubles);
    }

    private synchronized List<Capture> captures() {
        if (captures == null) {
            captures = new ArrayList<>();
        }
        return captures;
    }

    private synchronized void addCapture(DataBuffer owner, AnchorSegment segment) {
        List<Capture> list = captures();
        list.removeIf(c -> c.owner.get() == null);
        for (Capture c : list) {
            if (c.owner.get() == owner && c.segment == segment) {
                return;
            }
        }
        list.add(new Capture(owner, segment));
    }

    private boolean sameSettings(SelectiveProjectionDecay other) {
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
            long n = param.length();
            if (n == 0) {
                return;
            }
            requireSameLength(param, update);
            ParameterStates.State state = ParameterStates.get(param, false);
            if (state == null || state.config == null) {
                throw new IllegalStateException("Selective Projection Decay's projection step ran on the parameter array at offset "
                        + param.offset() + " without its condition step: configure it with SelectiveProjectionDecay.of, "
                        + "towardZero or toward, which return both steps");
            }
            if (!state.pending) {
                if (state.consumed && state.consumedIteration == iteration && state.consumedEpoch == epoch) {
                    return;   // DL4J listed the step twice (a global regularisation): project once per update
                }
                throw new IllegalStateException("Selective Projection Decay's condition step did not run on the parameter array at offset "
                        + param.offset() + " in this update (iteration " + iteration + ", epoch " + epoch + ")");
            }
            if (state.pendingIteration != iteration || state.pendingEpoch != epoch) {
                throw new IllegalStateException("Selective Projection Decay's condition step ran at iteration " + state.pendingIteration
                        + " but the projection step at iteration " + iteration + " on the parameter array at offset " + param.offset());
            }
            state.pending = false;
            state.consumed = true;
            state.consumedIteration = iteration;
            state.consumedEpoch = epoch;
            state.updates++;
            if (!SelectiveProjection.applies(state.condition)) {
                return;
            }
            state.applications++;
            Scratch s = Scratch.get();
            Staging updates = stage(update, s.floats);
            project(updates, state.offsets, n, state.config.lambda, s);
            if (updates instanceof HeapStaging) {
                ((HeapStaging) updates).flush();
            }
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

    // ---- kernels: chunked, double precision ----

    /**
     * Arrays at least this long are reduced part by part ({@link #PART} values each, partial sums combined in
     * part order) and their parts may run on two threads; shorter ones run in one sequential pass.
     */
    static final long PARALLEL_MIN = 1L << 18;
    /** Values per part of a long array: a fixed split, so results do not depend on the number of threads. */
    static final int PART = 16 * CHUNK;
    /** Most threads one step can use: the calling thread plus a pool thread. */
    private static final int MAX_LANES = 2;
    /**
     * Threads requested with the system property {@code descent4j.spd.threads} (default 1), capped by
     * {@link #MAX_LANES}, the processors and ND4J's own thread count ({@code OMP_NUM_THREADS}). Off by default:
     * on a 2-vCPU machine with ND4J's default OpenMP wait policy the OpenMP threads spin after each native op
     * and the second Java thread made the step slower (see benchmarks/RESULTS.md); with
     * {@code OMP_WAIT_POLICY=PASSIVE} two threads saved about a fifth of SPD over Adam.
     */
    private static final int CONFIGURED_LANES = Integer.getInteger("descent4j.spd.threads", 1);
    /** For tests: when positive, the exact number of lanes (1 or 2), whatever the caps; 0 in production. */
    static volatile int forcedLanes = 0;

    /** The work on parts {@code [0, parts)} of an array: {@code x} and {@code y} (or null) are the lane's own stagings. */
    @FunctionalInterface
    private interface PartBody {
        void run(int part, long from, int len, Staging x, Staging y, Scratch s);
    }

    private static int parts(long n) {
        return (int) ((n + PART - 1) / PART);
    }

    static int lanes() {
        int forced = forcedLanes;
        if (forced > 0) {
            return Math.min(forced, MAX_LANES);
        }
        int lanes = Math.min(Math.min(MAX_LANES, CONFIGURED_LANES), Runtime.getRuntime().availableProcessors());
        if (lanes > 1) {
            try {
                lanes = Math.min(lanes, Nd4j.getEnvironment().maxThreads());
            } catch (RuntimeException | LinkageError e) {
                lanes = 1;
            }
        }
        return Math.max(1, lanes);
    }

    /**
     * Runs {@code body} on every part of a long array: the first half of the parts on this thread, the rest on
     * {@link ForkJoinPool#commonPool()}, or all on this thread when one lane is allowed or a staging cannot be
     * shared. Each part writes only its own range and its own partial results, so the outcome is the same.
     * {@code y} may be null (a pass over one array).
     */
    private static void forEachPart(long n, Staging x, Staging y, Scratch s, PartBody body) {
        int parts = parts(n);
        int lanes = parts < 2 ? 1 : lanes();
        int split = lanes < 2 ? parts : (parts + 1) / 2;
        boolean shareable = split < parts && x.forLane(s.floats) != null && (y == null || y.forLane(s.floats) != null);
        if (!shareable) {
            split = parts;
        }
        ForkJoinTask<?> other = null;
        if (split < parts) {
            final int first = split;
            other = ForkJoinPool.commonPool().submit(() -> {
                Scratch own = Scratch.get();
                Staging ox = x.forLane(own.floats);
                Staging oy = y == null ? null : y.forLane(own.floats);
                for (int part = first; part < parts; part++) {
                    long from = (long) part * PART;
                    body.run(part, from, (int) Math.min(PART, n - from), ox, oy, own);
                }
            });
        }
        Throwable failure = null;
        try {
            for (int part = 0; part < split; part++) {
                long from = (long) part * PART;
                body.run(part, from, (int) Math.min(PART, n - from), x, y, s);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        if (other != null) {
            try {
                other.join();   // also when this lane failed: the other must not outlive the call
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    private static double sumInOrder(double[] partials) {
        double sum = 0;
        for (double v : partials) {
            sum += v;
        }
        return sum;
    }

    /** Σ g·(θ − θ₀) over the array, storing d = θ − θ₀ into {@code offsets} for the projection step. */
    private static double dotGradientOffset(Staging params, Staging gradient, AnchorSegment anchor, boolean toFloat,
                                            long offset, long n, double[] offsets, Scratch s) {
        if (n < PARALLEL_MIN) {
            return dotRange(params, gradient, anchor, toFloat, offset, 0, n, offsets, s);
        }
        double[] partials = new double[parts(n)];
        forEachPart(n, params, gradient, s, (part, from, len, p, g, sc) ->
                partials[part] = dotRange(p, g, anchor, toFloat, offset, from, from + len, offsets, sc));
        return sumInOrder(partials);
    }

    /** Σ g·(θ − θ₀) over elements {@code [start, end)}, chunk by chunk in order; d = θ − θ₀ into {@code offsets}. */
    private static double dotRange(Staging params, Staging gradient, AnchorSegment anchor, boolean toFloat,
                                   long offset, long start, long end, double[] offsets, Scratch s) {
        boolean floats = toFloat && params.holdsFloats() && gradient.holdsFloats();
        double sum = 0;
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            if (floats) {
                params.readFloats(from, s.thetaFloats, len);
                gradient.readFloats(from, s.otherFloats, len);
                float[] a = anchorFloats(anchor, offset + from, len, s);
                sum += ProjectionSums.gradientOffsetDot(s.otherFloats, s.thetaFloats, a, anchorIndex(anchor, offset + from), len,
                        offsets, (int) from);
            } else {
                params.read(from, s.a, len);
                gradient.read(from, s.b, len);
                readAnchor(anchor, toFloat, offset + from, len, s);
                sum += ProjectionSums.gradientOffsetDot(s.b, s.a, s.c, len, offsets, (int) from);
            }
        }
        return sum;
    }

    /**
     * u ← u + λ·r·(d − u), with d = θ − θ₀ kept by the condition step (DL4J does not move θ between the two
     * steps) and r from ‖d‖ = ‖θ − θ₀‖ and ‖d − u‖ = ‖θ̃ − θ₀‖.
     */
    private static void project(Staging updates, double[] offsets, long n, double lambda, Scratch s) {
        double current;
        double next;
        if (n < PARALLEL_MIN) {
            double[] norms = new double[2];
            normsRange(updates, offsets, 0, n, s, norms, 0);
            current = norms[0];
            next = norms[1];
        } else {
            int parts = parts(n);
            double[] norms = new double[2 * parts];
            forEachPart(n, updates, null, s, (part, from, len, u, unused, sc) ->
                    normsRange(u, offsets, from, from + len, sc, norms, 2 * part));
            current = 0;
            next = 0;
            for (int part = 0; part < parts; part++) {
                current += norms[2 * part];
                next += norms[2 * part + 1];
            }
        }
        double shrink = lambda * SelectiveProjection.ratio(Math.sqrt(next), Math.sqrt(current));
        if (shrink == 0) {
            return;
        }
        if (n < PARALLEL_MIN) {
            shrinkRange(updates, offsets, 0, n, shrink, s);
        } else {
            forEachPart(n, updates, null, s, (part, from, len, u, unused, sc) ->
                    shrinkRange(u, offsets, from, from + len, shrink, sc));
        }
    }

    /** ‖d‖² and ‖d − u‖² over elements {@code [start, end)} into {@code out[at]}, {@code out[at + 1]}. */
    private static void normsRange(Staging updates, double[] offsets, long start, long end, Scratch s, double[] out, int at) {
        double[] sums = s.sums;
        sums[0] = 0;
        sums[1] = 0;
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            if (updates.holdsFloats()) {
                updates.readFloats(from, s.otherFloats, len);
                ProjectionSums.offsetNorms(offsets, (int) from, s.otherFloats, len, sums);
            } else {
                updates.read(from, s.b, len);
                ProjectionSums.offsetNorms(offsets, (int) from, s.b, len, sums);
            }
        }
        out[at] = sums[0];
        out[at + 1] = sums[1];
    }

    /** u ← u + shrink·(d − u) over elements {@code [start, end)}. */
    private static void shrinkRange(Staging updates, double[] offsets, long start, long end, double shrink, Scratch s) {
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            if (updates.holdsFloats()) {
                updates.readFloats(from, s.otherFloats, len);
                ProjectionSums.shrinkUpdate(offsets, (int) from, s.otherFloats, len, shrink);
                updates.writeFloats(from, s.otherFloats, len);
            } else {
                updates.read(from, s.b, len);
                ProjectionSums.shrinkUpdate(offsets, (int) from, s.b, len, shrink);
                updates.write(from, s.b, len);
            }
        }
    }

    /** θ₀ at positions {@code [position, position + len)} of the flattened parameters into {@code s.c}. */
    private static void readAnchor(AnchorSegment anchor, boolean toFloat, long position, int len, Scratch s) {
        if (anchor == null) {
            Arrays.fill(s.c, 0, len, 0.0);
        } else {
            anchor.read(position, s.c, len, toFloat);
        }
    }

    /**
     * θ₀ at positions {@code [position, position + len)} as floats, from index {@link #anchorIndex}: the
     * anchor's own float array (no copy), else its doubles rounded to float in scratch, or zeros.
     */
    private static float[] anchorFloats(AnchorSegment anchor, long position, int len, Scratch s) {
        if (anchor == null) {
            return ZERO_FLOATS;
        }
        float[] own = anchor.floatValues();
        if (own != null) {
            return own;
        }
        anchor.readRounded(position, s.anchorFloats, len);
        return s.anchorFloats;
    }

    /** Where {@link #anchorFloats} puts position {@code position}. */
    private static int anchorIndex(AnchorSegment anchor, long position) {
        return anchor != null && anchor.floatValues() != null ? anchor.indexOf(position) : 0;
    }

    /**
     * Whether θ₀ is used rounded to float: for float (and narrower) parameters, so that an anchor given in
     * double precision lies in the parameters' own number system. Otherwise θ − θ₀ would be rounding noise at
     * the first step, c's sign random, and r = 1 (‖θ − θ₀‖ ≈ 0) would cut that step by λ.
     */
    private static boolean atFloat(INDArray param) {
        DataType type = param.dataType();
        return type == DataType.FLOAT || type == DataType.HALF || type == DataType.BFLOAT16;
    }

    private static void requireSameLength(INDArray param, INDArray other) {
        if (other.length() != param.length()) {
            throw new IllegalArgumentException("parameter array has " + param.length() + " values but its gradient view has "
                    + other.length());
        }
    }

    private static boolean containsInstance(List<?> list, Object o) {
        for (Object x : list) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    /** A staging of the array's memory, or of a heap copy for data types and layouts NIO cannot address. */
    private static Staging stage(INDArray array, float[] floatScratch) {
        Staging direct = Staging.of(array, floatScratch);
        return direct != null ? direct : new HeapStaging(array);
    }

    /** θ₀ = 0 for the float kernels; never written. */
    private static final float[] ZERO_FLOATS = new float[CHUNK];

    /** Per-thread chunk buffers, so neither step allocates per call. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        /** Double staging of θ, of g or u, and of θ₀. */
        final double[] a = new double[CHUNK];
        final double[] b = new double[CHUNK];
        final double[] c = new double[CHUNK];
        /** The float stagings' conversion buffer. */
        final float[] floats = new float[CHUNK];
        /** Float chunks of θ, of g or u, and of θ₀ (when rounded), for the kernels that widen as they go. */
        final float[] thetaFloats = new float[CHUNK];
        final float[] otherFloats = new float[CHUNK];
        final float[] anchorFloats = new float[CHUNK];
        /** The two running norms of {@link #normsRange}. */
        final double[] sums = new double[2];

        static Scratch get() {
            return LOCAL.get();
        }
    }

    /** The slow path: a double copy of an array made outside any workspace, written back by {@link #flush}. */
    private static final class HeapStaging extends Staging {
        private final INDArray target;
        private final double[] values;

        HeapStaging(INDArray target) {
            this.target = target;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                char order = target.ordering();
                this.values = target.dup(order).reshape(order, new long[]{target.length()}).castTo(DataType.DOUBLE).toDoubleVector();
            }
        }

        @Override
        public void read(long from, double[] dst, int length) {
            System.arraycopy(values, (int) from, dst, 0, length);
        }

        @Override
        public void write(long from, double[] src, int length) {
            System.arraycopy(src, 0, values, (int) from, length);
        }

        void flush() {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                target.assign(Nd4j.createFromArray(values).reshape(target.ordering(), target.shape()).castTo(target.dataType()));
            }
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

    private synchronized List<AnchorSegment> persistedSegments(boolean failOnConflict) {
        if (captures == null || captures.isEmpty()) {
            return segments;
        }
        captures.removeIf(c -> c.owner.get() == null);
        List<AnchorSegment> out = new ArrayList<>(segments);
        List<AnchorSegment> conflicting = new ArrayList<>();
        for (Capture c : captures) {
            AnchorSegment mine = c.segment;
            if (containsInstance(out, mine) || containsInstance(conflicting, mine)) {
                continue;
            }
            boolean conflict = false;
            for (Capture other : captures) {
                if (other.segment != mine && other.segment.isExactly(mine.offset(), mine.length())) {
                    conflict = true;
                    conflicting.add(other.segment);
                }
            }
            if (conflict) {
                conflicting.add(mine);
                if (failOnConflict) {
                    throw new IllegalStateException("this SelectiveProjectionDecay configuration is used by several live networks, "
                            + "each with its own captured anchor for the parameter array at offset " + mine.offset()
                            + "; its JSON can hold one: give each network its own configuration (conf.clone())");
                }
                continue;
            }
            out.add(mine);
        }
        out.sort(Comparator.comparingLong(AnchorSegment::offset));
        return out;
    }

    /**
     * A copy with the same settings that carries this configuration's anchors (as {@code clone()} of a
     * network or configuration expects: the copy continues toward the same θ₀). Anchors captured by two live
     * networks for the same arrays are left out and captured again by the copy's network.
     */
    @Override
    public SelectiveProjectionDecay clone() {
        return new SelectiveProjectionDecay(lambda, anchorType, persistedSegments(false));
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
        if (Double.compare(lambda, other.lambda) != 0 || anchorType != other.anchorType) {
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
        return Objects.hash(lambda, anchorType);
    }

    @Override
    public String toString() {
        List<AnchorSegment> persisted = persistedSegments(false);
        return "SelectiveProjectionDecay(lambda=" + lambda + ", anchor=" + anchorType
                + (persisted.isEmpty() ? "" : ", anchorSegments=" + persisted.size()) + ")";
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
        ParameterStates.State state = ParameterStates.get(parameter, false);
        if (state == null || state.config == null) {
            return null;
        }
        long n = parameter.length();
        double[] values = new double[(int) n];
        if (state.anchor != null) {
            state.anchor.read(parameter.offset(), values, (int) n, atFloat(parameter));
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createFromArray(values).castTo(parameter.dataType()).reshape(parameter.ordering(), parameter.shape());
        }
    }
}
