package io.github.descent4j.core.average;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a weight average follows the parameters, exactly as torch's {@code AveragedModel.update_parameters}
 * (torch 1.13) does when it is called after every optimiser step: an exponential moving average (EMA, the
 * {@code ema_avg} function of torch's documentation; Polyak and Juditsky 1992 for iterate averaging) or the
 * equal average of stochastic weight averaging (SWA; Izmailov, Podoprikhin, Garipov, Vetrov and Wilson,
 * "Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018).
 * <p>
 * With θ_t the parameters after optimiser step t = 1, 2, … and n the number of updates of the average so far:
 * <pre>
 *   step t updates the average  iff  t &gt; startStep      (the first startStep steps are ignored)
 *   n = 0:  avg = θ_t                                    (the first update copies, torch: n_averaged == 0)
 *   EMA:    avg = d·avg + (1 − d)·θ_t
 *   SWA:    avg = avg + (θ_t − avg) / (n + 1)
 *   n ← n + 1
 * </pre>
 * The start step counts <b>optimiser steps</b> (not epochs, not micro-batches), so {@code startStep = 0} averages
 * from the first step on; SWA's usual "average the last part of training" is {@code startStep} = the steps of the
 * first part. Immutable and comparable by value.
 */
public final class AveragingRule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The two averages. */
    public enum Mode {
        /** Exponential moving average with decay d. */
        EMA,
        /** Equal average of every step from the start step on (stochastic weight averaging). */
        SWA
    }

    private final Mode mode;
    private final double decay;
    private final long startStep;

    private AveragingRule(Mode mode, double decay, long startStep) {
        this.mode = mode;
        this.decay = decay;
        this.startStep = startStep;
    }

    /**
     * @param mode EMA or SWA
     * @param decay EMA's decay d, in [0, 1); must be 0 for SWA, which has none
     * @param startStep optimiser steps ignored before the first update, &gt;= 0
     * @throws InvalidHyperparameterException naming {@code mode}, {@code decay} or {@code startStep}
     */
    public static AveragingRule of(Mode mode, double decay, long startStep) {
        if (mode == null) {
            throw new InvalidHyperparameterException("mode", "mode must be EMA or SWA, got null");
        }
        if (mode == Mode.EMA) {
            Check.unitInterval("decay", decay);
        } else if (decay != 0) {
            throw new InvalidHyperparameterException("decay", "decay must be 0 for SWA (an equal average has no decay), got "
                    + decay);
        }
        if (startStep < 0) {
            throw new InvalidHyperparameterException("startStep", "startStep must be >= 0, got " + startStep);
        }
        return new AveragingRule(mode, decay, startStep);
    }

    /** EMA with decay d from the first step on. */
    public static AveragingRule ema(double decay) {
        return of(Mode.EMA, decay, 0);
    }

    /** EMA with decay d, ignoring the first {@code startStep} optimiser steps. */
    public static AveragingRule ema(double decay, long startStep) {
        return of(Mode.EMA, decay, startStep);
    }

    /** SWA from the first step on. */
    public static AveragingRule swa() {
        return of(Mode.SWA, 0, 0);
    }

    /** SWA ignoring the first {@code startStep} optimiser steps. */
    public static AveragingRule swa(long startStep) {
        return of(Mode.SWA, 0, startStep);
    }

    public Mode mode() {
        return mode;
    }

    /** EMA's decay d (0 for SWA). */
    public double decay() {
        return decay;
    }

    /** Optimiser steps ignored before the first update. */
    public long startStep() {
        return startStep;
    }

    /**
     * Whether the parameters after optimiser step {@code step} (1-based: the first step is 1) update the average.
     */
    public boolean averages(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1 (the first optimiser step is 1), got " + step);
        }
        return step > startStep;
    }

    /**
     * One update of {@code average[from..to)} from {@code parameters[from..to)}, with torch's arithmetic (see the
     * class comment).
     *
     * @param averagedSoFar n, the updates before this one; 0 copies the parameters
     */
    public void update(double[] average, double[] parameters, int from, int to, long averagedSoFar) {
        if (averagedSoFar < 0) {
            throw new IllegalArgumentException("averagedSoFar must be >= 0, got " + averagedSoFar);
        }
        if (averagedSoFar == 0) {
            System.arraycopy(parameters, from, average, from, to - from);
        } else if (mode == Mode.EMA) {
            final double d = decay;
            final double c = 1.0 - decay;
            for (int i = from; i < to; i++) {
                average[i] = d * average[i] + c * parameters[i];
            }
        } else {
            final double count = averagedSoFar + 1.0;
            for (int i = from; i < to; i++) {
                average[i] += (parameters[i] - average[i]) / count;
            }
        }
    }

    /**
     * The weight of the old average in {@code avg = keep·avg + take·θ}, the two-coefficient form of the update
     * for adapters that run it as a scale and an axpy (BLAS): 0 for the first update, d for EMA (the same
     * formula as {@link #update}), n/(n + 1) for SWA (equal to SWA's {@code avg + (θ − avg)/(n + 1)} up to
     * rounding).
     */
    public double keepWeight(long averagedSoFar) {
        if (averagedSoFar == 0) {
            return 0.0;
        }
        return mode == Mode.EMA ? decay : averagedSoFar / (averagedSoFar + 1.0);
    }

    /** The weight of the parameters in {@code avg = keep·avg + take·θ}: 1, 1 − d (EMA) or 1/(n + 1) (SWA). */
    public double takeWeight(long averagedSoFar) {
        if (averagedSoFar == 0) {
            return 1.0;
        }
        return mode == Mode.EMA ? 1.0 - decay : 1.0 / (averagedSoFar + 1.0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AveragingRule r && r.mode == mode && Double.compare(r.decay, decay) == 0 && r.startStep == startStep;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, decay, startStep);
    }

    /** E.g. {@code EMA(decay=0.999, startStep=0)} or {@code SWA(startStep=100)}. */
    @Override
    public String toString() {
        return mode == Mode.EMA ? "EMA(decay=" + decay + ", startStep=" + startStep + ")" : "SWA(startStep=" + startStep + ")";
    }
}
