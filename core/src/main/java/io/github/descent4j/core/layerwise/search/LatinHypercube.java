package io.github.descent4j.core.layerwise.search;

import java.util.Random;

/**
 * A seeded Latin-hypercube design in the unit cube: each dimension is cut into n equal strata, every stratum
 * holds exactly one of the n points, and the strata are paired across dimensions by independent random
 * permutations; within its stratum a point is placed uniformly.
 */
final class LatinHypercube {

    private LatinHypercube() {}

    static double[][] sample(int n, int dimension, Random random) {
        double[][] points = new double[n][dimension];
        for (int j = 0; j < dimension; j++) {
            int[] strata = new int[n];
            for (int i = 0; i < n; i++) {
                strata[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int k = random.nextInt(i + 1);
                int tmp = strata[i];
                strata[i] = strata[k];
                strata[k] = tmp;
            }
            for (int i = 0; i < n; i++) {
                points[i][j] = (strata[i] + random.nextDouble()) / n;
            }
        }
        return points;
    }
}
