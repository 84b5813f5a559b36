package io.github.descent4j.datasets;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Makes a (usually balanced) dataset long-tailed by the usual exponential protocol: class k keeps about
 * n_max · ρ^(−k/(K−1)) examples, so class 0 keeps the most and class K−1 about ρ times fewer. Long-tailed
 * versions of balanced sets are the image-classification counterpart of the heavy-tailed class imbalance
 * studied by Kunstner et al. (2024), "Heavy-tailed class imbalance and why Adam outperforms gradient
 * descent on language models".
 */
public final class LongTail {
    private LongTail() {}

    /**
     * The number of examples each class keeps: min(n_k, max(1, ⌊n_max · ρ^(−k/(K−1))⌋)) for class
     * k = 0..K−1, where n_max is the largest count. The power is {@link StrictMath#pow} so the counts are
     * the same on every JVM. A class with n_k = 0 keeps 0.
     *
     * @param counts n_k per class index; K = counts.length ≥ 2, each ≥ 0
     * @param rho imbalance ratio ρ, finite and ≥ 1 (ρ = 1 keeps every class at min(n_k, n_max))
     */
    public static int[] targetCounts(int[] counts, double rho) {
        if (counts == null || counts.length < 2) {
            throw new IllegalArgumentException("counts must hold K >= 2 classes, got " + (counts == null ? 0 : counts.length));
        }
        if (!(rho >= 1) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be a finite number >= 1, got " + rho);
        }
        int max = 0;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 0) {
                throw new IllegalArgumentException("counts[" + k + "] must be >= 0, got " + counts[k]);
            }
            max = Math.max(max, counts[k]);
        }
        int last = counts.length - 1;
        int[] target = new int[counts.length];
        for (int k = 0; k < counts.length; k++) {
            double wanted = max * StrictMath.pow(rho, -(double) k / last);
            // Keep at least one example so that no class disappears from the long-tailed set.
            target[k] = (int) Math.min(counts[k], Math.max(1, Math.floor(wanted)));
        }
        return target;
    }

    /**
     * The long-tailed subset of {@code balanced}: class k keeps {@link #targetCounts}(counts, ρ)[k] of its
     * examples, chosen uniformly without replacement. Classes are sampled in index order from one
     * {@code new SplittableRandom(seed)}, so a seed fixes the subset. Kept rows stay in their original
     * relative order; class names are unchanged.
     *
     * @param balanced the dataset, with K ≥ 2 classes
     * @param rho imbalance ratio ρ, finite and ≥ 1
     * @param seed seed of the sampler
     */
    public static LabelledData subsample(LabelledData balanced, double rho, long seed) {
        if (balanced.classCount() < 2) {
            throw new IllegalArgumentException("balanced must have K >= 2 classes, got " + balanced.classCount());
        }
        int[] counts = balanced.classCounts();
        int[] target = targetCounts(counts, rho);
        int[][] rowsOf = rowsByClass(balanced.labels(), counts);
        boolean[] keep = new boolean[balanced.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < rowsOf.length; k++) {
            int[] rows = rowsOf[k];
            // Partial Fisher–Yates: the first target[k] slots become a uniform sample without replacement.
            for (int i = 0; i < target[k]; i++) {
                int j = i + rng.nextInt(rows.length - i);
                int t = rows[i];
                rows[i] = rows[j];
                rows[j] = t;
                keep[rows[i]] = true;
            }
        }
        int[] kept = new int[Arrays.stream(target).sum()];
        int next = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                kept[next++] = i;
            }
        }
        return balanced.select(kept);
    }

    private static int[][] rowsByClass(int[] labels, int[] counts) {
        int[][] rowsOf = new int[counts.length][];
        for (int k = 0; k < counts.length; k++) {
            rowsOf[k] = new int[counts[k]];
        }
        int[] filled = new int[counts.length];
        for (int i = 0; i < labels.length; i++) {
            rowsOf[labels[i]][filled[labels[i]]++] = i;
        }
        return rowsOf;
    }
}
