package io.github.descent4j.core;

import java.util.Arrays;

/**
 * Per-step inputs of an {@link UpdateRule}, filled by the framework adapter before the elementwise pass.
 * <p>
 * Adapters differ in the sign of the gradients they receive and in the sign of the update they must
 * return: Tribuo hands optimisers the <em>negative</em> loss gradient and adds what they return,
 * Deeplearning4j hands the loss gradient and subtracts. {@link #sign} absorbs both: a rule reads
 * {@code g = sign * in[k]} and writes {@code in[k] = sign * step}, where the parameters move by
 * {@code -step}.
 */
public final class StepContext {
    /** +1 when the values handed in are loss gradients, -1 when they are negated (Tribuo). */
    public double sign = 1.0;
    /** The learning rate of this step, already multiplied by any per-step weight or per-tensor multiplier. */
    public double learningRate;
    /** 1-based count of steps taken, including this one. */
    public long step;
    /** Squared L2 norm of the whole gradient (all tensors), when the rule asked for it; otherwise NaN. */
    public double gradientSquaredNorm = Double.NaN;
    /**
     * The momentum (β₁ for Adam) a momentum schedule sets for this step, or NaN for the rule's configured value. Only
     * rules whose {@link UpdateRule#acceptsMomentumSchedule()} is true read it (torch's {@code OneCycleLR} with
     * {@code cycle_momentum}).
     */
    public double momentum = Double.NaN;
    /** Rule-specific per-step coefficients computed in {@link UpdateRule#beginStep}. */
    public final double[] coefficients = new double[4];

    // Composite rules only (io.github.descent4j.core.transform.TransformChain); null for every fused rule.
    private StepContext[] parts;
    private double[] scalarScratch;
    private double[][] bufferScratch;

    /**
     * The context of part {@code i} of a composite rule, which needs per-part {@link #coefficients}:
     * created on first use and kept, so a chain allocates nothing after its first step. Fused rules never
     * call it and pay nothing for it.
     */
    public StepContext part(int i) {
        StepContext[] p = parts;
        if (p == null || i >= p.length) {
            p = parts = p == null ? new StepContext[i + 1] : Arrays.copyOf(p, i + 1);
        }
        StepContext c = p[i];
        if (c == null) {
            c = p[i] = new StepContext();
        }
        return c;
    }

    /** A reusable array of exactly {@code n} scalars, for a composite rule's view of one part's scalar state. */
    public double[] scalarScratch(int n) {
        if (scalarScratch == null || scalarScratch.length != n) {
            scalarScratch = new double[n];
        }
        return scalarScratch;
    }

    /** A reusable array of exactly {@code n} buffer references, for a composite rule's view of one part's buffers. */
    public double[][] bufferScratch(int n) {
        if (bufferScratch == null || bufferScratch.length != n) {
            bufferScratch = new double[n][];
        }
        return bufferScratch;
    }
}
