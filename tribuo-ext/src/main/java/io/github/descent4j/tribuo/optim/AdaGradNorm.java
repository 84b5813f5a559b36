package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.rules.AdaGradNormRule;
import io.github.descent4j.core.UpdateRule;

/**
 * AdaGrad-Norm (Ward, Wu, Bottou 2020, "AdaGrad Stepsizes: Sharp Convergence Over Nonconvex
 * Landscapes"): one adaptive step size for the whole model, the step size of AdAdaGrad-Norm (Lau, Liu,
 * Kolar 2024).
 * <pre>
 *   b² ← b² + ‖g‖²        (norm over ALL parameter tensors; b² starts at b0²)
 *   θ  ← θ − lr * weight * g / b
 * </pre>
 */
public final class AdaGradNorm extends UpdateRuleOptimiser {

    /** Default initial accumulator root. */
    public static final double DEFAULT_B0 = 0.01;

    @Config(description = "Initial value b0 of the accumulator root, a finite number > 0.")
    private double b0 = DEFAULT_B0;

    /** For OLCUT. */
    private AdaGradNorm() {}

    /** AdaGrad-Norm with b0 = {@value #DEFAULT_B0}. */
    public AdaGradNorm(double learningRate) {
        this(learningRate, DEFAULT_B0);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param b0 initial accumulator root, > 0
     */
    public AdaGradNorm(double learningRate, double b0) {
        super(learningRate);
        this.b0 = b0;
        validate();
    }

    @Override
    protected UpdateRule createRule() {
        return new AdaGradNormRule(b0);
    }

    /** The accumulated b² so far (b0² before the first step). */
    public double getAccumulatedSquare() {
        double[] scalars = getScalarState();
        return scalars.length == 0 ? b0 * b0 : AdaGradNormRule.accumulatedSquare(scalars);
    }

    @Override
    public AdaGradNorm copy() {
        return new AdaGradNorm(learningRate, b0);
    }

    @Override
    public String toString() {
        return "AdaGradNorm(learningRate=" + learningRate + ",b0=" + b0 + ")";
    }
}
