package io.github.descent4j.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A small in-memory classification dataset: dense features, integer labels in [0, classes) and class
 * names. Framework-free; the Tribuo and DL4J modules convert it to their own dataset types.
 *
 * @param features one row per example
 * @param labels class index per example
 * @param classNames name of each class index
 */
public record LabelledData(double[][] features, int[] labels, List<String> classNames) {

    public LabelledData {
        if (features.length != labels.length) {
            throw new IllegalArgumentException("features has " + features.length + " rows but labels has " + labels.length);
        }
        for (int label : labels) {
            if (label < 0 || label >= classNames.size()) {
                throw new IllegalArgumentException("label " + label + " is outside [0, " + classNames.size() + ")");
            }
        }
        classNames = List.copyOf(classNames);
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** Number of features per example. */
    public int dimension() {
        return features.length == 0 ? 0 : features[0].length;
    }

    /** Number of classes. */
    public int classCount() {
        return classNames.size();
    }

    /** Examples per class. */
    public int[] classCounts() {
        int[] counts = new int[classCount()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The examples at {@code rows}, in that order. */
    public LabelledData select(int[] rows) {
        double[][] f = new double[rows.length][];
        int[] l = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = features[rows[i]].clone();
            l[i] = labels[rows[i]];
        }
        return new LabelledData(f, l, classNames);
    }

    /**
     * A seeded, stratified split: in each class, the first {@code trainFraction} of a shuffled order goes
     * to the training part.
     *
     * @return {train, test}
     */
    public LabelledData[] split(double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be in (0, 1), got " + trainFraction);
        }
        Random rng = new Random(seed);
        int[] order = shuffled(size(), rng);
        int[] seen = new int[classCount()];
        int[] counts = classCounts();
        int[] train = new int[size()];
        int[] test = new int[size()];
        int nTrain = 0;
        int nTest = 0;
        for (int i : order) {
            int c = labels[i];
            if (seen[c]++ < Math.round(trainFraction * counts[c])) {
                train[nTrain++] = i;
            } else {
                test[nTest++] = i;
            }
        }
        return new LabelledData[]{select(Arrays.copyOf(train, nTrain)), select(Arrays.copyOf(test, nTest))};
    }

    /**
     * Standardises every feature to zero mean and unit variance using this dataset's statistics, applied
     * to both this and {@code other} (pass the test part so it is scaled like the training part).
     * Constant features are left centred.
     *
     * @return {this scaled, other scaled}
     */
    public LabelledData[] standardise(LabelledData other) {
        int d = dimension();
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / size();
            }
        }
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / size();
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = sd[j] > 0 ? Math.sqrt(sd[j]) : 1.0;
        }
        return new LabelledData[]{scaled(this, mean, sd), scaled(other, mean, sd)};
    }

    private static LabelledData scaled(LabelledData data, double[] mean, double[] sd) {
        double[][] f = new double[data.size()][];
        for (int i = 0; i < f.length; i++) {
            f[i] = new double[mean.length];
            for (int j = 0; j < mean.length; j++) {
                f[i][j] = (data.features[i][j] - mean[j]) / sd[j];
            }
        }
        return new LabelledData(f, data.labels.clone(), data.classNames);
    }

    static int[] shuffled(int n, Random rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
