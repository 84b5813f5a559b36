package io.github.descent4j.core.layerwise.search;

import java.util.Random;

/**
 * Fits the {@link GaussianProcess} hyperparameters by maximising the log marginal likelihood over the
 * log-hyperparameters: a few random starts in a box (plus one fixed, sensible start), each refined by a
 * compass (coordinate pattern) search that halves its step when no coordinate move improves. Derivative-free
 * and small, which is enough for the handful of hyperparameters of a search in a few dimensions.
 * <p>
 * Box (inputs in the unit cube, standardised targets): σ² ∈ [0.05, 20], ℓᵢ ∈ [0.01, 10],
 * σₙ² ∈ [10⁻⁶, 0.1]. The noise floor 10⁻⁶ is the jitter.
 */
final class HyperparameterFit {

    static final double MIN_NOISE = 1e-6;
    private static final double[] LOG_SIGNAL = {Math.log(0.05), Math.log(20)};
    private static final double[] LOG_LENGTH = {Math.log(0.01), Math.log(10)};
    private static final double[] LOG_NOISE = {Math.log(MIN_NOISE), Math.log(0.1)};
    private static final double MIN_STEP = 0.05;

    private final int restarts;

    HyperparameterFit(int restarts) {
        this.restarts = restarts;
    }

    GaussianProcess fit(double[][] inputs, double[] targets, Random random) {
        int d = inputs[0].length;
        GaussianProcess best = refine(inputs, targets, defaultStart(d));
        for (int r = 0; r < restarts; r++) {
            double[] start = new double[d + 2];
            for (int i = 0; i < start.length; i++) {
                double[] range = range(i, d);
                start[i] = range[0] + random.nextDouble() * (range[1] - range[0]);
            }
            GaussianProcess candidate = refine(inputs, targets, start);
            if (best == null || (candidate != null
                    && candidate.logMarginalLikelihood() > best.logMarginalLikelihood())) {
                best = candidate;
            }
        }
        if (best == null) {
            throw new ArithmeticException("no hyperparameters gave a positive-definite covariance");
        }
        return best;
    }

    private static double[] defaultStart(int d) {
        double[] v = new double[d + 2];
        v[0] = 0;
        for (int i = 1; i <= d; i++) {
            v[i] = Math.log(0.3);
        }
        v[d + 1] = Math.log(1e-4);
        return v;
    }

    private static double[] range(int index, int d) {
        if (index == 0) {
            return LOG_SIGNAL;
        }
        return index == d + 1 ? LOG_NOISE : LOG_LENGTH;
    }

    /** Compass search from {@code start}; null if no point on the way is positive definite. */
    private static GaussianProcess refine(double[][] inputs, double[] targets, double[] start) {
        int d = inputs[0].length;
        double[] current = start.clone();
        GaussianProcess best = tryFit(inputs, targets, current);
        double step = 1.0;
        while (step >= MIN_STEP) {
            boolean improved = false;
            for (int i = 0; i < current.length; i++) {
                for (int sign = -1; sign <= 1; sign += 2) {
                    double[] range = range(i, d);
                    double[] trial = current.clone();
                    trial[i] = Math.min(Math.max(trial[i] + sign * step, range[0]), range[1]);
                    if (trial[i] == current[i]) {
                        continue;
                    }
                    GaussianProcess gp = tryFit(inputs, targets, trial);
                    if (gp != null && (best == null || gp.logMarginalLikelihood() > best.logMarginalLikelihood())) {
                        best = gp;
                        current = trial;
                        improved = true;
                    }
                }
            }
            if (!improved) {
                step /= 2;
            }
        }
        return best;
    }

    private static GaussianProcess tryFit(double[][] inputs, double[] targets, double[] logValues) {
        try {
            GaussianProcess gp = GaussianProcess.fit(inputs, targets, new GpHyperparameters(logValues));
            return Double.isFinite(gp.logMarginalLikelihood()) ? gp : null;
        } catch (ArithmeticException notPositiveDefinite) {
            return null;
        }
    }
}
