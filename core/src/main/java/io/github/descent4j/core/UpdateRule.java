package io.github.descent4j.core;

/**
 * One optimiser's update, written once as a fused elementwise kernel that every framework adapter drives.
 * <p>
 * A rule is immutable configuration. Its mutable state lives outside it, in
 * {@link #bufferCount()} dense per-coordinate buffers shaped like each parameter tensor (all zero at the
 * start) and {@link #scalarCount()} scalars shared by all tensors. This split is what lets the same rule
 * run over Tribuo tensors (state as dense tensors) and Deeplearning4j's flat updater state view.
 * <p>
 * A step is: the adapter checks the gradient is finite, computes the global squared gradient norm if
 * {@link #usesGlobalGradientNorm()}, calls {@link #beginStep} once, then calls {@link #apply} on every
 * segment of every tensor. A segment is a run of gradient values {@code in[from..to)}; coordinate
 * {@code k} of the segment is element {@code j = index == null ? k : index[k]} of the row it belongs to,
 * whose state lives at {@code buffers[b][base + j]} and whose parameter (for rules that
 * {@link #readsParameters()}) at {@code params[j]}. On sparse gradients only the coordinates present are
 * visited, so state updates are <em>lazy</em>: an absent coordinate's buffers neither decay nor move it.
 * <p>
 * Performance note for implementations: a dense loop that indexes the gradient with {@code k} and the
 * buffers with {@code base + k} is not vectorised by C2 (it cannot rule out that the arrays overlap at an
 * offset), unless the caller happens to be inlined with a constant {@code base}. Every rule therefore has
 * a separate dense loop for {@code base == 0} that indexes all arrays with the same {@code k}; on a
 * 10⁶-element tensor this made Signum's and Lion's standalone kernels 4–6 × faster (JDK 17, AVX-512).
 * Adapters should pass {@code base == 0} for dense data whenever they can.
 */
public abstract class UpdateRule {

    /** Number of dense per-coordinate state buffers, each initialised to zero. */
    public abstract int bufferCount();

    /** Number of scalar state slots shared across all tensors. */
    public int scalarCount() {
        return 0;
    }

    /** Initial values of the scalar state; zero unless overridden. */
    public void initialiseScalars(double[] scalars) {}

    /** Whether {@link StepContext#gradientSquaredNorm} must be filled before {@link #beginStep}. */
    public boolean usesGlobalGradientNorm() {
        return false;
    }

    /**
     * Whether the rule reads a scheduled momentum from {@link StepContext#momentum} (NaN there means its configured
     * value): Adam's β₁ and heavy-ball momentum do.
     */
    public boolean acceptsMomentumSchedule() {
        return false;
    }

    /** Whether {@link #apply} reads the current parameters (decoupled weight decay). */
    public boolean readsParameters() {
        return false;
    }

    /**
     * Called once per step before any {@link #apply}: advances scalar state and fills
     * {@link StepContext#coefficients}.
     */
    public abstract void beginStep(double[] scalars, StepContext context);

    /**
     * Transforms one segment of gradient values in place into the step, updating the buffers.
     *
     * @param context this step's inputs, after {@link #beginStep}
     * @param in gradient values, overwritten with {@code sign * step}
     * @param index for sparse rows, the element index of each value; {@code null} for dense rows
     * @param from first value of the segment
     * @param to one past the last value
     * @param params the row's parameter values, indexed by element; may be null unless {@link #readsParameters()}
     * @param buffers the state buffers, indexed by {@code base + element}
     * @param base offset of this row in the buffers
     */
    public abstract void apply(StepContext context, double[] in, int[] index, int from, int to,
                               double[] params, double[][] buffers, int base);

    /**
     * Returns -1, 0 or 1 with sign(±0) = 0, the convention of every sign-based method here (callers
     * never pass NaN: gradients are checked first).
     * <p>
     * {@code x / max(|x|, MIN_VALUE)} is exactly ±1 for every non-zero double and ±0 for zeros, and unlike
     * a comparison chain (or {@link Math#signum}, not an intrinsic on JDK 17) it has no branch and the JIT
     * vectorises it: gradient signs are random, so a branchy sign mispredicts on half the elements.
     */
    protected static double sign(double x) {
        return x / Math.max(Math.abs(x), Double.MIN_VALUE);
    }
}
