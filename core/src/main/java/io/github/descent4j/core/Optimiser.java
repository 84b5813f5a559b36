package io.github.descent4j.core;

/**
 * An optimiser over a list of flat parameter tensors: the abstraction every core wrapper (SAM/ASAM, BAR,
 * Selective Projection Decay, per-tensor learning rates) takes and returns, so wrappers stack, e.g. SAM over
 * SPD over Adam.
 * <p>
 * Gradients are loss gradients and a step moves the parameters against them: {@code θ ← θ − proposeStep(g)}.
 * {@link FlatOptimiser} is the implementation that drives one {@link UpdateRule}.
 */
public interface Optimiser {

    /** The tensors being optimised, live: wrappers and callers read and write them in place. */
    double[][] parameters();

    /**
     * Computes the step for the given loss gradients and advances the optimiser's state, without moving the
     * parameters.
     *
     * @param lossGradients one array per tensor, shaped like {@link #parameters()}; not modified
     * @return per tensor, the amount to subtract from the parameters (new arrays)
     */
    double[][] proposeStep(double[][] lossGradients);

    /** Number of steps taken. */
    long steps();

    /** One step: θ ← θ − proposeStep(g). */
    default void step(double[][] lossGradients) {
        double[][] update = proposeStep(lossGradients);
        double[][] params = parameters();
        for (int t = 0; t < params.length; t++) {
            double[] p = params[t];
            double[] u = update[t];
            for (int i = 0; i < p.length; i++) {
                p[i] -= u[i];
            }
        }
    }
}
