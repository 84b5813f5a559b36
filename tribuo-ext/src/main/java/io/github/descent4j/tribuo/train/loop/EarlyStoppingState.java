package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.tribuo.stopping.EarlyStopping;

/**
 * The decision of {@link EarlyStopping} over a run's per-epoch validation values: whether an epoch improved on the
 * best so far by more than {@code minDelta}, and whether {@code patience} epochs have passed without improvement.
 */
final class EarlyStoppingState {
    private final boolean higherIsBetter;
    private final int patience;
    private final double minDelta;

    private int bestEpoch = -1;
    private double best = Double.NaN;
    private double last = Double.NaN;
    private int epochsWithoutImprovement;

    EarlyStoppingState(boolean higherIsBetter, int patience, double minDelta) {
        this.higherIsBetter = higherIsBetter;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    EarlyStoppingState(EarlyStopping settings) {
        this(settings.higherIsBetter(), settings.getPatience(), settings.getMinDelta());
    }

    /**
     * Records the value measured at the end of {@code epoch}.
     *
     * @return whether it is the new best (the first epoch always is; NaN never improves on a number)
     */
    boolean record(int epoch, double value) {
        last = value;
        boolean improved = bestEpoch < 0
                || (higherIsBetter ? value > best + minDelta : value < best - minDelta)
                || (Double.isNaN(best) && !Double.isNaN(value));
        if (improved) {
            best = value;
            bestEpoch = epoch;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
        }
        return improved;
    }

    /** Whether {@code patience} consecutive epochs passed without improvement. */
    boolean exhausted() {
        return epochsWithoutImprovement >= patience;
    }

    /** The epoch of the best value, -1 before the first. */
    int bestEpoch() {
        return bestEpoch;
    }

    /** The best value, NaN before the first. */
    double best() {
        return best;
    }

    /** The latest value, NaN before the first. */
    double last() {
        return last;
    }

    /** Consecutive epochs without improvement so far. */
    int epochsWithoutImprovement() {
        return epochsWithoutImprovement;
    }
}
