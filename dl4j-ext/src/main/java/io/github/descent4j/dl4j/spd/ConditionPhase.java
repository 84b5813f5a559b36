package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.spd.SelectiveProjectionStep;
import io.github.descent4j.dl4j.internal.Staging;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * The condition step of {@link SelectiveProjectionDecay} on one parameter array ({@code BEFORE_UPDATER}):
 * resolves the array's anchor θ₀ on its first update, then runs {@link SelectiveProjectionStep#begin} (c and
 * ‖θ − θ₀‖², keeping d = θ − θ₀ unless the configuration turned that off) and leaves the result in the array's {@link ParameterStates.State} for the
 * projection step of the same update.
 */
final class ConditionPhase {
    private ConditionPhase() {}

    static void apply(SelectiveProjectionDecay config, INDArray param, INDArray gradView, int iteration, int epoch) {
        long n = param.length();
        if (n == 0) {
            return;
        }
        ParameterStates.requireSameLength(param, gradView);
        ParameterStates.State state = ParameterStates.get(param, true);
        if (state.config != null && !config.sameSettings(state.config)) {
            if (state.pending && state.pendingIteration == iteration && state.pendingEpoch == epoch) {
                throw new IllegalStateException("two different Selective Projection Decay configurations (" + state.config
                        + " and " + config + ") apply to the parameter array at offset " + param.offset()
                        + "; configure one per parameter");
            }
            state.config = null;   // this array's configuration was replaced: start over with this one
        }
        SpdScratch s = SpdScratch.get();
        Staging params = HeapStaging.stage(param, s.floats);
        if (state.config == null) {
            state.anchor = resolveAnchor(config, param, params, s);
            state.config = config;
            state.recordedBy.clear();
            state.recordedBy.add(config);
        } else if (!AnchorCaptures.containsInstance(state.recordedBy, config)) {
            state.recordedBy.add(config);
            if (config.getAnchorType() == SelectiveProjectionDecay.AnchorType.INITIAL
                    && !AnchorCaptures.containsInstance(config.segments(), state.anchor)) {
                // A duplicate or clone of the configuration that captured it: record it so its JSON carries it too.
                config.captures().add(ParameterStates.rootOf(param), state.anchor);
            }
        }
        Staging gradient = HeapStaging.stage(gradView, s.floats);
        if (!config.cachesOffsets()) {
            state.offsets = null;   // released: the projection recomputes d = θ − θ₀ from θ and θ₀
        } else if (state.offsets == null) {
            if (n > AnchorCaptures.MAX_ARRAY) {
                throw new IllegalStateException("parameter array of " + n + " values is too long for Selective Projection Decay's"
                        + " heap buffers (at most " + AnchorCaptures.MAX_ARRAY + ")");
            }
            state.offsets = new double[(int) n];
        }
        state.begun = SelectiveProjectionStep.begin(ParameterArrayTarget.condition(params, gradient, state.anchor,
                ParameterStates.atFloat(param), param.offset(), n, state.offsets, s));
        state.pending = true;
        state.pendingIteration = iteration;
        state.pendingEpoch = epoch;
    }

    private static AnchorSegment resolveAnchor(SelectiveProjectionDecay config, INDArray param, Staging params, SpdScratch s) {
        long offset = param.offset();
        long n = param.length();
        List<AnchorSegment> segments = config.segments();
        switch (config.getAnchorType()) {
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
                AnchorSegment mine = config.captures().find(root, offset, n);
                if (mine != null) {
                    return mine;
                }
                AnchorSegment captured = AnchorCaptures.capture(param, params, s);
                config.captures().add(root, captured);
                return captured;
        }
    }
}
