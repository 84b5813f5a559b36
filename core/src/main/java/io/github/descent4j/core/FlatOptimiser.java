package io.github.descent4j.core;

/**
 * Drives an {@link UpdateRule} over plain dense {@code double[]} tensors: the framework-free reference
 * path, used to check the math against the golden trajectories and by code that holds its parameters as
 * arrays.
 * <p>
 * Gradients are loss gradients; {@link #step} moves the parameters against them.
 */
public final class FlatOptimiser implements Optimiser {
    private final UpdateRule rule;
    private final double learningRate;
    private final double[][] params;
    private final double[][][] buffers;
    private final double[] scalars;
    private final StepContext context = new StepContext();
    private long steps;

    /**
     * @param rule the update rule
     * @param learningRate its learning rate, > 0
     * @param params the tensors to optimise, updated in place by {@link #step}
     */
    public FlatOptimiser(UpdateRule rule, double learningRate, double[][] params) {
        this.rule = rule;
        this.learningRate = Check.positive("learningRate", learningRate);
        this.params = params;
        this.buffers = new double[params.length][rule.bufferCount()][];
        for (int t = 0; t < params.length; t++) {
            for (int b = 0; b < rule.bufferCount(); b++) {
                buffers[t][b] = new double[params[t].length];
            }
        }
        this.scalars = new double[rule.scalarCount()];
        rule.initialiseScalars(scalars);
    }

    /** The tensors being optimised (live). */
    @Override
    public double[][] parameters() {
        return params;
    }

    /** Scalar state of the rule (live), e.g. AdaGrad-Norm's b². */
    public double[] scalars() {
        return scalars;
    }

    /**
     * Sets the momentum (Adam's β₁) of the following steps, as a momentum schedule does; NaN returns to the rule's
     * configured value.
     *
     * @throws IllegalStateException when the rule has no schedulable momentum
     */
    public void setMomentum(double momentum) {
        if (!Double.isNaN(momentum) && !rule.acceptsMomentumSchedule()) {
            throw new IllegalStateException(rule + " has no momentum a schedule can drive");
        }
        context.momentum = momentum;
    }

    /** Number of steps taken. */
    @Override
    public long steps() {
        return steps;
    }

    /**
     * Computes the step for the given loss gradients without applying it.
     *
     * @return per tensor, the amount to subtract from the parameters
     */
    @Override
    public double[][] proposeStep(double[][] lossGradients) {
        if (lossGradients.length != params.length) {
            throw new IllegalArgumentException("lossGradients must have " + params.length + " tensors, got " + lossGradients.length);
        }
        for (int t = 0; t < params.length; t++) {
            if (lossGradients[t].length != params[t].length) {
                throw new IllegalArgumentException("lossGradients[" + t + "] must have " + params[t].length
                        + " elements, got " + lossGradients[t].length);
            }
            Tensors.requireFinite(t, lossGradients[t], 0, lossGradients[t].length, "flat tensor of " + params[t].length);
        }
        steps++;
        context.sign = 1.0;
        context.learningRate = learningRate;
        context.step = steps;
        context.gradientSquaredNorm = rule.usesGlobalGradientNorm() ? Tensors.squaredNorm(lossGradients) : Double.NaN;
        rule.beginStep(scalars, context);
        double[][] out = new double[params.length][];
        for (int t = 0; t < params.length; t++) {
            out[t] = lossGradients[t].clone();
            rule.apply(context, out[t], null, 0, out[t].length, params[t], buffers[t], 0);
        }
        return out;
    }
}
