package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * AdaGrad-Norm: one adaptive scalar step size for the whole model (Ward, Wu, Bottou 2019/2020,
 * "AdaGrad Stepsizes: Sharp Convergence Over Nonconvex Landscapes"; the step size of AdAdaGrad-Norm,
 * Lau, Liu, Kolar 2024).
 * <pre>
 *   b² ← b² + ‖g‖²      with the norm over ALL tensors; b² starts at b0²
 *   θ  ← θ − lr * g / b
 * </pre>
 */
public final class AdaGradNormRule extends UpdateRule {
    private final double b0;

    public AdaGradNormRule(double b0) {
        this.b0 = Check.positive("b0", b0);
    }

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public int scalarCount() {
        return 1;
    }

    @Override
    public void initialiseScalars(double[] scalars) {
        scalars[0] = b0 * b0;
    }

    @Override
    public boolean usesGlobalGradientNorm() {
        return true;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        scalars[0] += context.gradientSquaredNorm;
        context.coefficients[0] = context.learningRate / Math.sqrt(scalars[0]);
    }

    /** The accumulated b² after the steps taken so far. */
    public static double accumulatedSquare(double[] scalars) {
        return scalars[0];
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double scale = c.coefficients[0];
        for (int k = from; k < to; k++) {
            in[k] *= scale;
        }
    }
}
