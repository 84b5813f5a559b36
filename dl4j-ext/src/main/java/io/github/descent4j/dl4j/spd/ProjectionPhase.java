package io.github.descent4j.dl4j.spd;

import io.github.descent4j.core.spd.SelectiveProjectionStep;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The projection step of {@link SelectiveProjectionDecay} on one parameter array ({@code POST_UPDATER}): checks
 * that the condition step of this update ran, then runs {@link SelectiveProjectionStep#finish} on the update u
 * with the condition step's λ and sums, and counts updates and applications for the diagnostics.
 */
final class ProjectionPhase {
    private ProjectionPhase() {}

    static void apply(INDArray param, INDArray update, int iteration, int epoch) {
        long n = param.length();
        if (n == 0) {
            return;
        }
        ParameterStates.requireSameLength(param, update);
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
        ParameterArrayTarget target = ParameterArrayTarget.projection(param, update, state.offsets, state.anchor,
                SpdScratch.get());
        if (SelectiveProjectionStep.finish(target, state.config.getLambda(), state.begun)[0]) {
            state.applications++;
        }
        target.finishProjection();
    }
}
