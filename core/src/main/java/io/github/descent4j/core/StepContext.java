package io.github.descent4j.core;

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
    /** Rule-specific per-step coefficients computed in {@link UpdateRule#beginStep}. */
    public final double[] coefficients = new double[4];
}
