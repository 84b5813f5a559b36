package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.dl4j.internal.Staging;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.github.descent4j.dl4j.spd.SpdScratch.CHUNK;

/**
 * The anchors one {@link SelectiveProjectionDecay} configuration captured or saw captured, each tied (weakly)
 * to the network whose parameter buffer it copied, and what of them its JSON persists; plus the copies that
 * make anchors (a captured θ, an explicit vector). Thread-safe.
 */
final class AnchorCaptures {
    /** Longest parameter array whose anchor a Java array can hold. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private record Capture(WeakReference<DataBuffer> owner, AnchorSegment segment) {}

    private final List<Capture> captures = new ArrayList<>();

    /** The anchor this configuration captured for exactly {@code [offset, offset + n)} of {@code root}, or null. */
    synchronized AnchorSegment find(DataBuffer root, long offset, long n) {
        for (Capture c : captures) {
            if (c.owner.get() == root && c.segment.isExactly(offset, n)) {
                return c.segment;
            }
        }
        return null;
    }

    /** Records that {@code owner}'s network uses {@code segment}, so this configuration's JSON carries it. */
    synchronized void add(DataBuffer owner, AnchorSegment segment) {
        captures.removeIf(c -> c.owner.get() == null);
        for (Capture c : captures) {
            if (c.owner.get() == owner && c.segment == segment) {
                return;
            }
        }
        captures.add(new Capture(new WeakReference<>(owner), segment));
    }

    /**
     * {@code segments} plus the anchors captured by live networks, sorted by offset. Anchors that two live
     * networks captured for the same arrays are left out, or fail when {@code failOnConflict}.
     *
     * @throws IllegalStateException on such a conflict when {@code failOnConflict}
     */
    synchronized List<AnchorSegment> persisted(List<AnchorSegment> segments, boolean failOnConflict) {
        if (captures.isEmpty()) {
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

    static boolean containsInstance(List<?> list, Object o) {
        for (Object x : list) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    /** θ at this update, exactly: float values for float (and narrower) arrays, else double. */
    static AnchorSegment capture(INDArray param, Staging params, SpdScratch s) {
        long n = param.length();
        if (n > MAX_ARRAY) {
            throw new IllegalStateException("parameter array of " + n + " values is too long for a heap anchor");
        }
        boolean asFloat = ParameterStates.atFloat(param);
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

    /** An explicit anchor vector, copied exactly (float when it is float, else double), at offset 0. */
    static AnchorSegment copyOf(INDArray anchor) {
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

    /**
     * The segments a configuration of this anchor kind may hold, validated (decoding those read from JSON),
     * sorted by offset, in a plain list the caller must not modify (Kryo, Spark's serialiser, cannot rebuild an
     * unmodifiable one).
     *
     * @throws InvalidHyperparameterException naming {@code anchor}
     */
    static List<AnchorSegment> checkedSegments(SelectiveProjectionDecay.AnchorType anchorType, List<AnchorSegment> segments) {
        List<AnchorSegment> copy = new ArrayList<>(segments == null ? List.of() : segments);
        for (AnchorSegment segment : copy) {
            if (segment == null) {
                throw new InvalidHyperparameterException("anchor", "anchor segments must not be null");
            }
            segment.validated();   // decodes segments read from JSON
        }
        if (anchorType == SelectiveProjectionDecay.AnchorType.ZERO && !copy.isEmpty()) {
            throw new InvalidHyperparameterException("anchor", "a ZERO anchor holds no values, got " + copy.size() + " segments");
        }
        if (anchorType == SelectiveProjectionDecay.AnchorType.EXPLICIT && copy.isEmpty()) {
            throw new InvalidHyperparameterException("anchor", "an EXPLICIT anchor needs its values, got none");
        }
        copy.sort(Comparator.comparingLong(AnchorSegment::offset));
        return copy;
    }
}
