package io.github.descent4j.core.spd;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.Optimiser;

/**
 * Selective Projection Decay (SPD; Tian, Huang and Kira 2024, "Rethinking Weight Decay for Robust Fine-Tuning of
 * Foundation Models"; the authors' {@code adamSPD.py}) as an {@link Optimiser} wrapper over any base
 * optimiser: AdamSPD is this over {@code FlatOptimiser(new AdamRule(…))}, and it stacks (SAM over SPD over Adam,
 * SPD over per-tensor learning rates, BAR over SPD). One step, per tensor, with g the loss gradient, θ the
 * parameters before the step, θ₀ the anchor and λ ≥ 0 (not multiplied by the learning rate):
 * <pre>
 *   c  = −⟨g, θ − θ₀⟩,  d = ‖θ − θ₀‖         (before the base step)
 *   θ̃  = θ − base.proposeStep(g)
 *   if c &lt; 0:  r = clamp((‖θ̃ − θ₀‖ − d) / ‖θ̃ − θ₀‖, 0, 1)   (r = 0 when ‖θ̃ − θ₀‖ = 0)
 *              θ̃ ← θ̃ − λ r (θ̃ − θ₀)
 *   proposeStep(g) returns θ − θ̃, so step(g) moves θ to θ̃
 * </pre>
 * The two phases are {@link SelectiveProjectionStep}'s over a flat {@link ProjectionTarget}; the decision and the
 * ratio are {@link SelectiveProjection}'s.
 */
public final class SelectiveProjectionDecay implements Optimiser {
    private final Optimiser base;
    private final double lambda;
    private final double[][] anchor;
    private boolean[] lastApplied;

    /**
     * SPD toward the parameters as they are now (a copy of θ at construction: the pre-trained weights of a
     * fine-tuning run).
     *
     * @param base the base optimiser, whose parameters this steps
     * @param lambda λ, a finite number &gt;= 0
     */
    public SelectiveProjectionDecay(Optimiser base, double lambda) {
        this(base, lambda, copyOf(requireBase(base).parameters()));
    }

    /**
     * SPD toward an explicit anchor θ₀ (copied).
     *
     * @param anchor θ₀, one array per tensor shaped like {@code base.parameters()}
     * @throws IllegalArgumentException naming {@code base}, {@code lambda} or {@code anchor} on bad input
     */
    public SelectiveProjectionDecay(Optimiser base, double lambda, double[][] anchor) {
        double[][] params = requireBase(base).parameters();
        this.lambda = Check.nonNegative("lambda", lambda);
        requireShapedLike(params, anchor, "anchor");
        this.base = base;
        this.anchor = copyOf(anchor);
        this.lastApplied = new boolean[params.length];
    }

    /** SPD toward θ₀ = 0 (decay toward the origin, selectively). */
    public static SelectiveProjectionDecay towardZero(Optimiser base, double lambda) {
        double[][] params = requireBase(base).parameters();
        double[][] zeros = new double[params.length][];
        for (int t = 0; t < params.length; t++) {
            zeros[t] = new double[params[t].length];
        }
        return new SelectiveProjectionDecay(base, lambda, zeros);
    }

    @Override
    public double[][] parameters() {
        return base.parameters();
    }

    /** The base optimiser's step count: every step of this wrapper is one base step. */
    @Override
    public long steps() {
        return base.steps();
    }

    /**
     * The SPD-corrected step: θ − θ̃ per tensor, θ̃ the base proposal after the projection.
     *
     * @param lossGradients g, shaped like {@link #parameters()}; not modified
     */
    @Override
    public double[][] proposeStep(double[][] lossGradients) {
        double[][] params = base.parameters();
        requireShapedLike(params, lossGradients, "lossGradients");
        FlatProjectionTarget target = new FlatProjectionTarget(params, anchor, lossGradients);
        double[][] begun = SelectiveProjectionStep.begin(target);
        double[][] step = base.proposeStep(lossGradients);   // validates finiteness; θ is not moved
        double[][] proposed = new double[params.length][];
        for (int t = 0; t < params.length; t++) {
            proposed[t] = new double[params[t].length];
            for (int i = 0; i < proposed[t].length; i++) {
                proposed[t][i] = params[t][i] - step[t][i];
            }
        }
        target.propose(proposed);
        lastApplied = SelectiveProjectionStep.finish(target, lambda, begun);
        for (int t = 0; t < params.length; t++) {
            for (int i = 0; i < proposed[t].length; i++) {
                step[t][i] = params[t][i] - proposed[t][i];
            }
        }
        return step;
    }

    /** The base optimiser (live). */
    public Optimiser base() {
        return base;
    }

    public double lambda() {
        return lambda;
    }

    /** A copy of the anchor θ₀. */
    public double[][] anchor() {
        return copyOf(anchor);
    }

    /** Per tensor, whether the projection applied (c &lt; 0) in the last step; all false before the first. */
    public boolean[] lastApplied() {
        return lastApplied.clone();
    }

    private static Optimiser requireBase(Optimiser base) {
        if (base == null) {
            throw new IllegalArgumentException("base must not be null: SPD wraps a base optimiser");
        }
        return base;
    }

    static void requireShapedLike(double[][] params, double[][] other, String name) {
        if (other == null || other.length != params.length) {
            throw new IllegalArgumentException(name + " must have " + params.length + " tensors, got "
                    + (other == null ? "null" : other.length));
        }
        for (int t = 0; t < params.length; t++) {
            if (other[t] == null || other[t].length != params[t].length) {
                throw new IllegalArgumentException(name + "[" + t + "] must have " + params[t].length
                        + " elements, got " + (other[t] == null ? "null" : other[t].length));
            }
        }
    }

    private static double[][] copyOf(double[][] tensors) {
        double[][] out = new double[tensors.length][];
        for (int t = 0; t < tensors.length; t++) {
            out[t] = tensors[t].clone();
        }
        return out;
    }
}
