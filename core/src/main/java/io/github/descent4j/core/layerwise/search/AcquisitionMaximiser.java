package io.github.descent4j.core.layerwise.search;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/**
 * Maximises {@link ExpectedImprovement} over the unit cube: scores many uniform random candidates plus
 * Gaussian perturbations (σ = 0.05) of the best observed inputs, then refines the few best candidates by a
 * compass search whose step halves from 0.05 down to 10⁻⁴. Cheap next to one trial of a real objective.
 */
final class AcquisitionMaximiser {

    private static final int RANDOM_CANDIDATES = 1000;
    private static final int LOCAL_CANDIDATES = 200;
    private static final int REFINED = 3;

    private AcquisitionMaximiser() {}

    /** The point of the unit cube with (approximately) the largest expected improvement over the incumbent. */
    static double[] maximise(GaussianProcess gp, double[][] inputs, double[] targets, Random random) {
        int d = inputs[0].length;
        double incumbent = Arrays.stream(targets).min().orElseThrow();
        Integer[] order = new Integer[targets.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> targets[i]));
        int n = RANDOM_CANDIDATES + LOCAL_CANDIDATES;
        double[][] candidates = new double[n][d];
        double[] scores = new double[n];
        for (int c = 0; c < n; c++) {
            if (c < RANDOM_CANDIDATES) {
                for (int j = 0; j < d; j++) {
                    candidates[c][j] = random.nextDouble();
                }
            } else {
                double[] centre = inputs[order[(c - RANDOM_CANDIDATES) % Math.min(5, order.length)]];
                for (int j = 0; j < d; j++) {
                    candidates[c][j] = clamp(centre[j] + 0.05 * random.nextGaussian());
                }
            }
            scores[c] = score(gp, candidates[c], incumbent);
        }
        Integer[] ranked = new Integer[n];
        for (int i = 0; i < n; i++) {
            ranked[i] = i;
        }
        Arrays.sort(ranked, Comparator.comparingDouble(i -> -scores[i]));
        double[] best = candidates[ranked[0]];
        double bestScore = scores[ranked[0]];
        for (int r = 0; r < REFINED; r++) {
            double[] x = candidates[ranked[r]].clone();
            double s = scores[ranked[r]];
            for (double step = 0.05; step >= 1e-4; ) {
                boolean improved = false;
                for (int j = 0; j < d; j++) {
                    for (int sign = -1; sign <= 1; sign += 2) {
                        double[] trial = x.clone();
                        trial[j] = clamp(trial[j] + sign * step);
                        double ts = score(gp, trial, incumbent);
                        if (ts > s) {
                            x = trial;
                            s = ts;
                            improved = true;
                        }
                    }
                }
                if (!improved) {
                    step /= 2;
                }
            }
            if (s > bestScore) {
                best = x;
                bestScore = s;
            }
        }
        return best.clone();
    }

    private static double score(GaussianProcess gp, double[] x, double incumbent) {
        GaussianProcess.Prediction p = gp.predict(x);
        return ExpectedImprovement.of(p.mean(), p.standardDeviation(), incumbent);
    }

    private static double clamp(double v) {
        return Math.min(Math.max(v, 0), 1);
    }
}
