package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.spd.ProjectionTarget;
import io.github.descent4j.core.spd.SelectiveProjectionStep;
import io.github.descent4j.dl4j.internal.Staging;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static io.github.descent4j.dl4j.spd.SpdScratch.CHUNK;

/**
 * One DL4J parameter array (one regularisation call) as the single tensor of a {@link ProjectionTarget}, so
 * that {@link SelectiveProjectionStep} decides and projects it. DL4J runs the two phases in two callbacks, so
 * one instance serves one of them: {@link #condition} (before the updater: θ, g, θ₀) or {@link #projection}
 * (after it: the update u; DL4J has not moved θ yet).
 * <p>
 * The condition pass keeps d = θ − θ₀ in double ({@code offsets}, 8 bytes per parameter), so the projection
 * never widens θ and θ₀ again: it evaluates θ̃ − θ₀ as d − u and writes the new update as
 * u ← u + λ·r·(d − u), which makes DL4J's θ ← θ − u land on θ̃ − λ·r·(θ̃ − θ₀). Sums run chunk by chunk
 * ({@link ProjectionSums}); arrays of {@link ParallelParts#PARALLEL_MIN} values or more part by part,
 * combined in part order.
 */
final class ParameterArrayTarget implements ProjectionTarget {
    private final double[] offsets;
    private final long n;
    private final SpdScratch s;
    // the condition phase
    private Staging params;
    private Staging gradient;
    private AnchorSegment anchor;
    private boolean toFloat;
    private long offset;
    // the projection phase: u, staged when the decision needs it
    private INDArray update;
    private Staging updates;
    private boolean written;

    private ParameterArrayTarget(double[] offsets, long n, SpdScratch s) {
        this.offsets = offsets;
        this.n = n;
        this.s = s;
    }

    /**
     * The condition phase: c = −Σ g·(θ − θ₀) and ‖θ − θ₀‖², storing d = θ − θ₀ into {@code offsets}.
     *
     * @param anchor θ₀, a segment covering the array, or null for θ₀ = 0
     * @param toFloat whether θ₀ is used rounded to float
     * @param offset the array's position in the flattened parameters (where its anchor values start)
     */
    static ParameterArrayTarget condition(Staging params, Staging gradient, AnchorSegment anchor, boolean toFloat,
                                          long offset, long n, double[] offsets, SpdScratch s) {
        ParameterArrayTarget target = new ParameterArrayTarget(offsets, n, s);
        target.params = params;
        target.gradient = gradient;
        target.anchor = anchor;
        target.toFloat = toFloat;
        target.offset = offset;
        return target;
    }

    /**
     * The projection phase over the update u, with d as the condition phase of this update left it. u is staged
     * only when the condition holds; call {@link #finishProjection} afterwards.
     */
    static ParameterArrayTarget projection(INDArray update, double[] offsets, SpdScratch s) {
        ParameterArrayTarget target = new ParameterArrayTarget(offsets, update.length(), s);
        target.update = update;
        return target;
    }

    /** Writes a heap copy of u back when {@link #shrinkTowardAnchor} rewrote it. */
    void finishProjection() {
        if (written) {
            HeapStaging.flush(updates);
        }
    }

    private Staging updates() {
        if (updates == null) {
            updates = HeapStaging.stage(update, s.floats);
        }
        return updates;
    }

    @Override
    public int tensorCount() {
        return 1;
    }

    @Override
    public void conditionSums(int t, double[] out) {
        double dot;
        double current;
        if (!ParallelParts.split(n)) {
            double[] sums = new double[2];
            conditionRange(params, gradient, 0, n, s, sums, 0);
            dot = sums[0];
            current = sums[1];
        } else {
            int parts = ParallelParts.parts(n);
            double[] sums = new double[2 * parts];
            ParallelParts.forEachPart(n, params, gradient, s, (part, from, len, p, g, sc) ->
                    conditionRange(p, g, from, from + len, sc, sums, 2 * part));
            dot = 0;
            current = 0;
            for (int part = 0; part < parts; part++) {
                dot += sums[2 * part];
                current += sums[2 * part + 1];
            }
        }
        out[0] = -dot;
        out[1] = current;
    }

    /** Σ g·d and ‖d‖² over elements {@code [start, end)}, chunk by chunk in order, into {@code out[at]}, {@code out[at + 1]}. */
    private void conditionRange(Staging params, Staging gradient, long start, long end, SpdScratch s, double[] out, int at) {
        boolean floats = toFloat && params.holdsFloats() && gradient.holdsFloats();
        double dot = 0;
        double current = 0;
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            if (floats) {
                params.readFloats(from, s.thetaFloats, len);
                gradient.readFloats(from, s.otherFloats, len);
                float[] a = anchorFloats(offset + from, len, s);
                dot += ProjectionSums.gradientOffsetDot(s.otherFloats, s.thetaFloats, a, anchorIndex(offset + from), len,
                        offsets, (int) from);
            } else {
                params.read(from, s.a, len);
                gradient.read(from, s.b, len);
                readAnchor(offset + from, len, s);
                dot += ProjectionSums.gradientOffsetDot(s.b, s.a, s.c, len, offsets, (int) from);
            }
            current += ProjectionSums.offsetSquaredNorm(offsets, (int) from, len);
        }
        out[at] = dot;
        out[at + 1] = current;
    }

    /** ‖θ̃ − θ₀‖² = ‖d − u‖². */
    @Override
    public double proposedSquaredDistance(int t) {
        if (!ParallelParts.split(n)) {
            return proposedRange(updates(), 0, n, s);
        }
        double[] partials = new double[ParallelParts.parts(n)];
        ParallelParts.forEachPart(n, updates(), null, s, (part, from, len, u, unused, sc) ->
                partials[part] = proposedRange(u, from, from + len, sc));
        double next = 0;
        for (double v : partials) {
            next += v;
        }
        return next;
    }

    private double proposedRange(Staging updates, long start, long end, SpdScratch s) {
        double next = 0;
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            if (updates.holdsFloats()) {
                updates.readFloats(from, s.otherFloats, len);
                next += ProjectionSums.proposedSquaredNorm(offsets, (int) from, s.otherFloats, len);
            } else {
                updates.read(from, s.b, len);
                next += ProjectionSums.proposedSquaredNorm(offsets, (int) from, s.b, len);
            }
        }
        return next;
    }

    /** θ̃ ← θ̃ − shrink·(θ̃ − θ₀), written as u ← u + shrink·(d − u). */
    @Override
    public void shrinkTowardAnchor(int t, double shrink) {
        written = true;
        if (!ParallelParts.split(n)) {
            shrinkRange(updates(), 0, n, shrink, s);
        } else {
            ParallelParts.forEachPart(n, updates(), null, s, (part, from, len, u, unused, sc) ->
                    shrinkRange(u, from, from + len, shrink, sc));
        }
    }

    private void shrinkRange(Staging updates, long start, long end, double shrink, SpdScratch s) {
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
    private void readAnchor(long position, int len, SpdScratch s) {
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
    private float[] anchorFloats(long position, int len, SpdScratch s) {
        if (anchor == null) {
            return SpdScratch.ZERO_FLOATS;
        }
        float[] own = anchor.floatValues();
        if (own != null) {
            return own;
        }
        anchor.readRounded(position, s.anchorFloats, len);
        return s.anchorFloats;
    }

    /** Where {@link #anchorFloats} puts position {@code position}. */
    private int anchorIndex(long position) {
        return anchor != null && anchor.floatValues() != null ? anchor.indexOf(position) : 0;
    }
}
