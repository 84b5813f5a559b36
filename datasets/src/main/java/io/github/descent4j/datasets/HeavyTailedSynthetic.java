package io.github.descent4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic heavy-tailed classification problem of Kunstner et al. (2024), "Heavy-tailed class
 * imbalance and why Adam outperforms gradient descent on language models": uninformative uniform features
 * and labels whose class frequencies halve from level to level, a step approximation of Zipf's law. In
 * their experiments a linear softmax model trained on it shows gradient descent stalling on the rare
 * classes while Adam does not.
 * <p>
 * For a size m: level i = 0..m−1 has 2^i classes of 2^(m−i) examples each, so there are
 * n = m · 2^m examples, c = 2^m − 1 classes and d = (m+1) · 2^m features (d &gt; n, so a linear model can
 * interpolate the labels). The most and least frequent classes differ by a factor 2^(m−1).
 */
public final class HeavyTailedSynthetic {
    /** Largest accepted size: m = 10 already takes about 0.9 GB of features (10 240 × 11 264 doubles). */
    public static final int MAX_SIZE = 10;

    private HeavyTailedSynthetic() {}

    /**
     * Generates the problem of size {@code m}.
     * <p>
     * Classes are numbered level by level: class 0 is the single level-0 class (2^m examples), classes 1–2
     * are level 1 (2^(m−1) each), and so on, so a larger class index never means a more frequent class.
     * Examples are listed class by class, class 0 first. Every feature is drawn i.i.d. Uniform[0, 1) by
     * {@code new SplittableRandom(seed).nextDouble()}, row after row in that order, so a seed fixes the
     * data exactly. Class names are {@code c0, c1, ...}.
     *
     * @param m size, in [1, {@value #MAX_SIZE}]
     * @param seed seed of the feature generator
     */
    public static LabelledData generate(int m, long seed) {
        if (m < 1 || m > MAX_SIZE) {
            throw new IllegalArgumentException("m must be in [1, " + MAX_SIZE + "], got " + m);
        }
        int n = m << m;
        int d = (m + 1) << m;
        int classes = (1 << m) - 1;
        int[] labels = new int[n];
        int row = 0;
        int classIndex = 0;
        for (int level = 0; level < m; level++) {
            int perClass = 1 << (m - level);
            for (int c = 0; c < (1 << level); c++, classIndex++) {
                for (int e = 0; e < perClass; e++) {
                    labels[row++] = classIndex;
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] features = new double[n][d];
        for (double[] r : features) {
            for (int j = 0; j < d; j++) {
                r[j] = rng.nextDouble();
            }
        }
        List<String> names = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        return new LabelledData(features, labels, names);
    }
}
