package io.github.descent4j.core.rules;

import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Plain stochastic gradient descent as an {@link UpdateRule}: {@code θ ← θ − lr · g}, no momentum, no
 * state. It is the base optimiser of the SAM/ASAM and nBAR/oBAR golden cases when driven by
 * {@link io.github.descent4j.core.FlatOptimiser} (the framework adapters use their frameworks' own SGD).
 */
public final class SgdRule extends UpdateRule {

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        context.coefficients[0] = context.learningRate;
    }

    @Override
    public void apply(StepContext context, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        // in[k] = sign * lr * (sign * in[k]) = lr * in[k], since sign is ±1
        final double lr = context.coefficients[0];
        for (int k = from; k < to; k++) {
            in[k] = lr * in[k];
        }
    }
}
