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
 * By default the condition pass keeps d = θ − θ₀ in double ({@code offsets}, 8 bytes per parameter), so the
 * projection never widens θ and θ₀ again: it evaluates θ̃ − θ₀ as d − u and writes the new update as
 * u ← u + λ·r·(d − u), which makes DL4J's θ ← θ − u land on θ̃ − λ·r·(θ̃ − θ₀). Without kept offsets
 * ({@code offsets == null}, {@link SelectiveProjectionDecay#cachesOffsets()} off) every pass recomputes d
 * chunk by chunk from θ (not yet moved) and θ₀ into {@link SpdScratch#d} with the same expression, so the
 * values, and hence every sum and the result, are bit-identical; only the time differs. Sums run chunk by
 * chunk ({@link ProjectionSums}); arrays of {@link ParallelParts#PARALLEL_MIN} values or more part by part,
 * combined in part order.
 */
final class ParameterArrayTarget implements ProjectionTarget {
    /** d = θ − θ₀ kept between the two steps, or null when every pass recomputes it. */
    private final double[] offsets;
    private final long n;
    private final SpdScratch s;
    /** θ₀, a segment covering the array, or null for θ₀ = 0; whether it is used rounded to float. */
    private final AnchorSegment anchor;
    private final boolean toFloat;
    /** The array's position in the flattened parameters (where its anchor values start). */
    private final long offset;
    // the condition phase
    private Staging params;
    private Staging gradient;
    // the projection phase: u and (without kept offsets) θ, staged when the decision needs them
    private INDArray update;
    private INDArray param;
    private Staging updates;
    private boolean written;

    private ParameterArrayTarget(double[] offsets, long n, SpdScratch s, AnchorSegment anchor, boolean toFloat, long offset) {
        this.offsets = offsets;
        this.n = n;
        this.s = s;
        this.anchor = anchor;
        this.toFloat = toFloat;
        this.offset = offset;
    }

    /**
     * The condition phase: c = −Σ g·(θ − θ₀) and ‖θ − θ₀‖², storing d = θ − θ₀ into {@code offsets} unless
     * it is null.
     *
     * @param anchor θ₀, a segment covering the array, or null for θ₀ = 0
     * @param toFloat whether θ₀ is used rounded to float
     * @param offset the array's position in the flattened parameters (where its anchor values start)
     * @param offsets where d is kept for the projection, or null to keep nothing
     */
    static ParameterArrayTarget condition(Staging params, Staging gradient, AnchorSegment anchor, boolean toFloat,
                                          long offset, long n, double[] offsets, SpdScratch s) {
        ParameterArrayTarget target = new ParameterArrayTarget(offsets, n, s, anchor, toFloat, offset);
        target.params = params;
        target.gradient = gradient;
        return target;
    }

    /**
     * The projection phase over the update u, with d as the condition phase of this update left it in
     * {@code offsets}, or (when null) recomputed from θ = {@code param} and the same anchor. u and θ are staged
     * only when the condition holds; call {@link #finishProjection} afterwards.
     */
    static ParameterArrayTarget projection(INDArray param, INDArray update, double[] offsets, AnchorSegment anchor,
                                           SpdScratch s) {
        ParameterArrayTarget target = new ParameterArrayTarget(offsets, update.length(), s, anchor,
                ParameterStates.atFloat(param), param.offset());
        target.update = update;
        target.param = param;
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

    /** θ for a projection that recomputes d, else null (not needed). */
    private Staging projectionParams() {
        if (offsets != null) {
            return null;
        }
        if (params == null) {
            params = HeapStaging.stage(param, s.floats);
        }
        return params;
    }

    /**
     * d = θ − θ₀ of elements {@code [from, from + len)}: the kept offsets (indexed from {@code from}) or, without
     * them, {@code s.d} (indexed from 0) filled from θ and θ₀ as {@link ProjectionSums#gradientOffsetDot} does:
     * the widened float θ minus the widened θ₀ (rounded to float first when {@link #toFloat}), else in double.
     */
    private double[] offsetsOf(Staging params, long from, int len, SpdScratch s) {
        if (offsets != null) {
            return offsets;
        }
        double[] d = s.d;
        if (toFloat && params.holdsFloats()) {
            params.readFloats(from, s.thetaFloats, len);
            float[] a = anchorFloats(offset + from, len, s);
            int at = anchorIndex(offset + from);
            float[] theta = s.thetaFloats;
            for (int i = 0; i < len; i++) {
                d[i] = (double) theta[i] - a[at + i];
            }
        } else {
            params.read(from, s.a, len);
            readAnchor(offset + from, len, s);
            double[] theta = s.a;
            double[] a = s.c;
            for (int i = 0; i < len; i++) {
                d[i] = theta[i] - a[i];
            }
        }
        return d;
    }

    /** Where {@link #offsetsOf} put element {@code from}. */
    private int offsetsIndex(long from) {
        return offsets != null ? (int) from : 0;
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
            double[] d = offsets != null ? offsets : s.d;
            int to = offsetsIndex(from);
            if (floats) {
                params.readFloats(from, s.thetaFloats, len);
                gradient.readFloats(from, s.otherFloats, len);
                float[] a = anchorFloats(offset + from, len, s);
                dot += ProjectionSums.gradientOffsetDot(s.otherFloats, s.thetaFloats, a, anchorIndex(offset + from), len, d, to);
            } else {
                params.read(from, s.a, len);
                gradient.read(from, s.b, len);
                readAnchor(offset + from, len, s);
                dot += ProjectionSums.gradientOffsetDot(s.b, s.a, s.c, len, d, to);
            }
            current += ProjectionSums.offsetSquaredNorm(d, to, len);
        }
        out[at] = dot;
        out[at + 1] = current;
    }

    /** ‖θ̃ − θ₀‖² = ‖d − u‖². */
    @Override
    public double proposedSquaredDistance(int t) {
        if (!ParallelParts.split(n)) {
            return proposedRange(updates(), projectionParams(), 0, n, s);
        }
        double[] partials = new double[ParallelParts.parts(n)];
        ParallelParts.forEachPart(n, updates(), projectionParams(), s, (part, from, len, u, p, sc) ->
                partials[part] = proposedRange(u, p, from, from + len, sc));
        double next = 0;
        for (double v : partials) {
            next += v;
        }
        return next;
    }

    private double proposedRange(Staging updates, Staging params, long start, long end, SpdScratch s) {
        double next = 0;
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            double[] d = offsetsOf(params, from, len, s);
            int at = offsetsIndex(from);
            if (updates.holdsFloats()) {
                updates.readFloats(from, s.otherFloats, len);
                next += ProjectionSums.proposedSquaredNorm(d, at, s.otherFloats, len);
            } else {
                updates.read(from, s.b, len);
                next += ProjectionSums.proposedSquaredNorm(d, at, s.b, len);
            }
        }
        return next;
    }

    /** θ̃ ← θ̃ − shrink·(θ̃ − θ₀), written as u ← u + shrink·(d − u). */
    @Override
    public void shrinkTowardAnchor(int t, double shrink) {
        written = true;
        if (!ParallelParts.split(n)) {
            shrinkRange(updates(), projectionParams(), 0, n, shrink, s);
        } else {
            ParallelParts.forEachPart(n, updates(), projectionParams(), s, (part, from, len, u, p, sc) ->
                    shrinkRange(u, p, from, from + len, shrink, sc));
        }
    }

    private void shrinkRange(Staging updates, Staging params, long start, long end, double shrink, SpdScratch s) {
        for (long from = start; from < end; from += CHUNK) {
            int len = (int) Math.min(CHUNK, end - from);
            double[] d = offsetsOf(params, from, len, s);
            int at = offsetsIndex(from);
            if (updates.holdsFloats()) {
                updates.readFloats(from, s.otherFloats, len);
                ProjectionSums.shrinkUpdate(d, at, s.otherFloats, len, shrink);
                updates.writeFloats(from, s.otherFloats, len);
            } else {
                updates.read(from, s.b, len);
                ProjectionSums.shrinkUpdate(d, at, s.b, len, shrink);
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
