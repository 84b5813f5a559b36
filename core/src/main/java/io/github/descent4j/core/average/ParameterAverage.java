package io.github.descent4j.core.average;

import java.util.Objects;

/**
 * The weight average of a list of flat parameter tensors, kept beside an optimiser as torch's
 * {@code AveragedModel} is kept beside a model: the framework-free reference path of {@link AveragingRule}.
 * <p>
 * Call {@link #afterStep} after every optimiser step with the parameters the step produced; the rule decides
 * whether the step updates the average (start step) and how. As in torch, the average starts as a copy of the
 * parameters given at construction (torch deep-copies the model) and the first update overwrites it, so until
 * then {@link #average()} holds those initial values and {@link #averagedCount()} is 0. State: the average, the
 * update count n ({@code n_averaged}) and the steps seen; {@link #resume} rebuilds it exactly.
 */
public final class ParameterAverage {
    private final AveragingRule rule;
    private final double[][] average;
    private long averaged;
    private long steps;

    /**
     * @param rule how to average
     * @param initialParameters the parameters before training; copied
     */
    public ParameterAverage(AveragingRule rule, double[][] initialParameters) {
        this(rule, copy(Objects.requireNonNull(initialParameters, "initialParameters")), 0, 0);
    }

    private ParameterAverage(AveragingRule rule, double[][] average, long averaged, long steps) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.average = average;
        this.averaged = averaged;
        this.steps = steps;
    }

    /**
     * An average restored from its state (for example after a save): continuing it gives, bit for bit, what the
     * saved one would have given.
     *
     * @param average the average's values; copied
     * @param averagedCount n, the updates taken, &gt;= 0 and at most {@code stepsSeen}
     * @param stepsSeen the optimiser steps seen, &gt;= 0
     */
    public static ParameterAverage resume(AveragingRule rule, double[][] average, long averagedCount, long stepsSeen) {
        if (stepsSeen < 0 || averagedCount < 0 || averagedCount > stepsSeen) {
            throw new IllegalArgumentException("need 0 <= averagedCount <= stepsSeen, got averagedCount " + averagedCount
                    + " and stepsSeen " + stepsSeen);
        }
        return new ParameterAverage(rule, copy(Objects.requireNonNull(average, "average")), averagedCount, stepsSeen);
    }

    /**
     * Counts one optimiser step and, when the rule includes it, updates the average from {@code parameters}.
     *
     * @param parameters the parameters after the step, shaped like the average; not modified
     * @return whether the average was updated
     */
    public boolean afterStep(double[][] parameters) {
        if (parameters.length != average.length) {
            throw new IllegalArgumentException("parameters must have " + average.length + " tensors, got " + parameters.length);
        }
        for (int t = 0; t < average.length; t++) {
            if (parameters[t].length != average[t].length) {
                throw new IllegalArgumentException("parameters[" + t + "] must have " + average[t].length + " elements, got "
                        + parameters[t].length);
            }
        }
        steps++;
        if (!rule.averages(steps)) {
            return false;
        }
        for (int t = 0; t < average.length; t++) {
            rule.update(average[t], parameters[t], 0, average[t].length, averaged);
        }
        averaged++;
        return true;
    }

    /** The average, one array per tensor (live; the initial parameters until the first update). */
    public double[][] average() {
        return average;
    }

    /** n: the updates taken so far. */
    public long averagedCount() {
        return averaged;
    }

    /** The optimiser steps seen so far (averaged or not). */
    public long stepsSeen() {
        return steps;
    }

    public AveragingRule rule() {
        return rule;
    }

    private static double[][] copy(double[][] values) {
        double[][] out = new double[values.length][];
        for (int t = 0; t < values.length; t++) {
            out[t] = values[t].clone();
        }
        return out;
    }
}
