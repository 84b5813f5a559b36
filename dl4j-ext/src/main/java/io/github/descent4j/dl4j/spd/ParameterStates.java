package io.github.descent4j.dl4j.spd;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The per-parameter-array runtime state of {@link SelectiveProjectionDecay}, shared by its two
 * regularisation steps and by every configuration instance applied to the same array.
 * <p>
 * A parameter array is identified by the memory it lives in: the root {@link DataBuffer} of the view DL4J
 * passes to {@code Regularization.apply} (the network's flattened parameter vector, compared by identity
 * and held weakly, so a discarded network's state is dropped) and the view's offset in it. DL4J creates
 * fresh views for every call, and copies (clones) regularisation objects freely, so neither the view nor the
 * configuration object can carry this state.
 */
final class ParameterStates {
    private ParameterStates() {}

    /** State of one parameter array. Mutated only by the thread that trains the network. */
    static final class State {
        final long length;
        /** The configuration whose anchor is in use; null until the condition step resolved it. */
        SelectiveProjectionDecay config;
        /** θ₀ for this array, a segment covering it; null means θ₀ = 0. */
        AnchorSegment anchor;
        /** Configurations (possibly clones or duplicates) that have recorded {@link #anchor} for persistence. */
        final List<SelectiveProjectionDecay> recordedBy = new ArrayList<>(2);

        /** Set by the condition step, consumed by the first projection step of the same update. */
        boolean pending;
        int pendingIteration;
        int pendingEpoch;
        /** {c = −⟨g, θ − θ₀⟩, ‖θ − θ₀‖²} of the pending update, as {@code SelectiveProjectionStep.begin} left them. */
        double[][] begun;
        /**
         * d = θ − θ₀ in double, written by the condition step for the projection step of the same update (so that
         * pass need not widen θ and θ₀ again); null before the first condition step and whenever the
         * configuration keeps no offsets ({@link SelectiveProjectionDecay#cachesOffsets()} off).
         */
        double[] offsets;

        /** Whether a projection step consumed an update, and at which (iteration, epoch). */
        boolean consumed;
        int consumedIteration;
        int consumedEpoch;

        /** Updates seen and updates where the projection moved the parameters (diagnostics). */
        long updates;
        long applications;

        State(long length) {
            this.length = length;
        }
    }

    private static final class Root {
        final WeakReference<DataBuffer> buffer;
        final Map<Long, State> states = new HashMap<>();

        Root(DataBuffer buffer) {
            this.buffer = new WeakReference<>(buffer);
        }
    }

    private static final List<Root> ROOTS = new ArrayList<>();

    /** The buffer that owns the memory of {@code array} (itself when it is not a view). */
    static DataBuffer rootOf(INDArray array) {
        DataBuffer buffer = array.data();
        for (int depth = 0; depth < 64; depth++) {
            DataBuffer original = buffer.originalDataBuffer();
            if (original == null || original == buffer) {
                return buffer;
            }
            buffer = original;
        }
        return buffer;
    }

    /**
     * The state of the parameter array {@code param}, created when {@code create} is set and none exists
     * (or the existing one belongs to an array of another length at the same place); otherwise null.
     */
    static synchronized State get(INDArray param, boolean create) {
        DataBuffer root = rootOf(param);
        long offset = param.offset();
        long length = param.length();
        Root entry = null;
        for (Iterator<Root> it = ROOTS.iterator(); it.hasNext(); ) {
            Root r = it.next();
            DataBuffer b = r.buffer.get();
            if (b == null) {
                it.remove();   // the network is gone
            } else if (b == root) {
                entry = r;
            }
        }
        if (entry == null) {
            if (!create) {
                return null;
            }
            entry = new Root(root);
            ROOTS.add(entry);
        }
        State state = entry.states.get(offset);
        if (state == null || state.length != length) {
            if (!create) {
                return null;
            }
            state = new State(length);
            entry.states.put(offset, state);
        }
        return state;
    }

    /** Number of networks (parameter buffers) with live state; for tests. */
    static synchronized int liveRoots() {
        ROOTS.removeIf(r -> r.buffer.get() == null);
        return ROOTS.size();
    }

    /**
     * A copy of the anchor θ₀ in use for this parameter array, shaped like it and outside any workspace, or
     * null when SPD has not run on it yet.
     */
    static INDArray anchorCopy(INDArray parameter) {
        State state = get(parameter, false);
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

    /**
     * Whether θ₀ is used rounded to float: for float (and narrower) parameters, so that an anchor given in
     * double precision lies in the parameters' own number system. Otherwise θ − θ₀ would be rounding noise at
     * the first step, c's sign random, and r = 1 (‖θ − θ₀‖ ≈ 0) would cut that step by λ.
     */
    static boolean atFloat(INDArray param) {
        DataType type = param.dataType();
        return type == DataType.FLOAT || type == DataType.HALF || type == DataType.BFLOAT16;
    }

    /** @throws IllegalArgumentException when the gradient or update view is not as long as the parameter array */
    static void requireSameLength(INDArray param, INDArray other) {
        if (other.length() != param.length()) {
            throw new IllegalArgumentException("parameter array has " + param.length() + " values but its gradient view has "
                    + other.length());
        }
    }
}
