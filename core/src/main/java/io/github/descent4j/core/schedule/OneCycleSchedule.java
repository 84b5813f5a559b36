package io.github.descent4j.core.schedule;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

/**
 * The one-cycle policy (Smith and Topin 2019, "Super-Convergence") with the arithmetic of torch's
 * {@code torch.optim.lr_scheduler.OneCycleLR}: the learning rate rises from maxLr/divFactor to maxLr and anneals to
 * maxLr/(divFactor·finalDivFactor), while the momentum (or Adam's β₁) moves the opposite way between maxMomentum
 * and baseMomentum. With t = step − 1 and the phases
 * <pre>
 *   two-phase:   [0, p·T − 1]: lr initial → max,  m max → base;   [p·T − 1, T − 1]: lr max → min,  m base → max
 *   three-phase: [0, p·T − 1]: initial → max;  [p·T − 1, 2p·T − 2]: max → initial;  [2p·T − 2, T − 1]: initial → min
 *                (momentum max → base, base → max, then max)
 *   in the phase [s, e] holding t (the last phase for any later t): x = (t − s) / (e − s),
 *   cos anneal:  end + (start − end) / 2 · (cos(π x) + 1);   linear:  start + (end − start) · x
 * </pre>
 * {@link #factor} is the learning rate divided by maxLr, so the optimiser's learning rate is maxLr (torch's
 * {@code max_lr}); {@link #momentum} is the momentum itself. As torch, the step t = T is extrapolated and later steps
 * are refused. Spec: {@code oneCycle(totalSteps=40, pctStart=0.3, divFactor=25.0, finalDivFactor=10000.0,
 * threePhase=false, linearAnneal=false, baseMomentum=0.85, maxMomentum=0.95)}.
 */
public final class OneCycleSchedule implements LearningRateSchedule {
    /** Spec name. */
    public static final String NAME = "oneCycle";

    private final long totalSteps;
    private final double pctStart;
    private final double divFactor;
    private final double finalDivFactor;
    private final boolean threePhase;
    private final boolean linearAnneal;
    private final double baseMomentum;
    private final double maxMomentum;
    /** Phase ends and (start, end) values of the factor and of the momentum, per phase. */
    private final double[] ends;
    private final double[][] factors;
    private final double[][] momenta;

    /** torch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4, two phases, cos, momentum 0.85–0.95. */
    public OneCycleSchedule(long totalSteps) {
        this(totalSteps, 0.3, 25.0, 1e4, false, false, 0.85, 0.95);
    }

    /**
     * @param totalSteps T, >= 2
     * @param pctStart p, the fraction of the cycle spent rising, in (0, 1), with every phase at least one step long
     * @param divFactor initial rate = maxLr / divFactor, finite and > 0
     * @param finalDivFactor final rate = initial / finalDivFactor, finite and > 0
     * @param threePhase torch's {@code three_phase}
     * @param linearAnneal linear instead of cosine annealing (torch's {@code anneal_strategy='linear'})
     * @param baseMomentum the momentum at the peak learning rate, in [0, 1)
     * @param maxMomentum the momentum at the start and end of the cycle, in [0, 1)
     */
    public OneCycleSchedule(long totalSteps, double pctStart, double divFactor, double finalDivFactor, boolean threePhase,
                            boolean linearAnneal, double baseMomentum, double maxMomentum) {
        if (totalSteps < 2) {
            throw new InvalidHyperparameterException("totalSteps", "totalSteps must be >= 2, got " + totalSteps);
        }
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new InvalidHyperparameterException("pctStart", "pctStart must be in (0, 1), got " + pctStart);
        }
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = Check.positive("divFactor", divFactor);
        this.finalDivFactor = Check.positive("finalDivFactor", finalDivFactor);
        this.threePhase = threePhase;
        this.linearAnneal = linearAnneal;
        this.baseMomentum = Check.unitInterval("baseMomentum", baseMomentum);
        this.maxMomentum = Check.unitInterval("maxMomentum", maxMomentum);
        double initial = 1.0 / divFactor;
        double min = initial / finalDivFactor;
        double rise = pctStart * totalSteps - 1;
        if (threePhase) {
            ends = new double[]{rise, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            factors = new double[][]{{initial, 1.0}, {1.0, initial}, {initial, min}};
            momenta = new double[][]{{maxMomentum, baseMomentum}, {baseMomentum, maxMomentum}, {maxMomentum, maxMomentum}};
        } else {
            ends = new double[]{rise, totalSteps - 1};
            factors = new double[][]{{initial, 1.0}, {1.0, min}};
            momenta = new double[][]{{maxMomentum, baseMomentum}, {baseMomentum, maxMomentum}};
        }
        double start = 0;
        for (double end : ends) {
            if (!(end > start)) {
                throw new InvalidHyperparameterException("pctStart", "pctStart=" + pctStart + " with totalSteps=" + totalSteps
                        + " leaves a phase of the cycle without a step (phase ends " + java.util.Arrays.toString(ends) + ")");
            }
            start = end;
        }
    }

    @Override
    public double factor(long step) {
        return value(step, factors);
    }

    /** The momentum (β₁ for Adam) of 1-based step {@code step}. */
    public double momentum(long step) {
        return value(step, momenta);
    }

    private double value(long step, double[][] values) {
        long t = step - 1;
        if (t < 0 || t > totalSteps) {
            throw new IllegalStateException("one-cycle schedule of totalSteps=" + totalSteps + " asked for step index " + t
                    + "; it covers 0.." + totalSteps + " (as torch's OneCycleLR): train for at most totalSteps steps");
        }
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (t <= ends[i] || i == ends.length - 1) {
                double x = (t - start) / (ends[i] - start);
                return anneal(values[i][0], values[i][1], x);
            }
            start = ends[i];
        }
        throw new AssertionError();
    }

    private double anneal(double from, double to, double x) {
        return linearAnneal ? (to - from) * x + from : to + (from - to) / 2.0 * (Math.cos(Math.PI * x) + 1);
    }

    public long totalSteps() {
        return totalSteps;
    }

    public double pctStart() {
        return pctStart;
    }

    public double divFactor() {
        return divFactor;
    }

    public double finalDivFactor() {
        return finalDivFactor;
    }

    public boolean threePhase() {
        return threePhase;
    }

    public boolean linearAnneal() {
        return linearAnneal;
    }

    public double baseMomentum() {
        return baseMomentum;
    }

    public double maxMomentum() {
        return maxMomentum;
    }

    @Override
    public String spec() {
        return NAME + "(totalSteps=" + totalSteps + ", pctStart=" + pctStart + ", divFactor=" + divFactor + ", finalDivFactor="
                + finalDivFactor + ", threePhase=" + threePhase + ", linearAnneal=" + linearAnneal + ", baseMomentum="
                + baseMomentum + ", maxMomentum=" + maxMomentum + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OneCycleSchedule s && s.spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
