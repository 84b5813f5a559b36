package io.github.descent4j.datasets;

import java.util.List;

/**
 * A classification dataset with sparse features: row i has the non-zero values {@code values[i][j]} at
 * feature indices {@code indices[i][j]}. Framework-free, like {@link LabelledData}; used for bag-of-words
 * inputs such as {@link NextWordDataset}, where dense rows would be mostly zeros.
 * <p>
 * The constructor checks that each row's indices are strictly increasing and in [0, dimension), that each
 * row has as many values as indices and all of them finite, and that labels are in [0, classCount). The
 * row arrays are not copied (they can be large); do not modify them afterwards.
 *
 * @param dimension number of features, ≥ 0
 * @param indices per row, the feature indices of its non-zero entries
 * @param values per row, the values at those indices
 * @param labels class index per row
 * @param classNames name of each class index
 * @param featureNames name of each feature index; exactly {@code dimension} names
 */
public record SparseLabelledData(int dimension, int[][] indices, double[][] values, int[] labels,
                                 List<String> classNames, List<String> featureNames) {

    public SparseLabelledData {
        if (dimension < 0) {
            throw new IllegalArgumentException("dimension must be >= 0, got " + dimension);
        }
        if (indices.length != labels.length || values.length != labels.length) {
            throw new IllegalArgumentException("indices, values and labels must have one entry per row, got "
                    + indices.length + ", " + values.length + " and " + labels.length);
        }
        if (featureNames.size() != dimension) {
            throw new IllegalArgumentException("featureNames must have dimension = " + dimension + " names, got " + featureNames.size());
        }
        for (int i = 0; i < labels.length; i++) {
            checkRow(i, indices[i], values[i], dimension);
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("labels[" + i + "] must be in [0, " + (classNames.size() - 1) + "], got " + labels[i]);
            }
        }
        classNames = List.copyOf(classNames);
        featureNames = List.copyOf(featureNames);
    }

    private static void checkRow(int i, int[] idx, double[] val, int dimension) {
        if (idx == null || val == null) {
            throw new IllegalArgumentException("row " + i + ": indices and values must not be null");
        }
        if (idx.length != val.length) {
            throw new IllegalArgumentException("row " + i + ": " + idx.length + " indices but " + val.length + " values");
        }
        for (int j = 0; j < idx.length; j++) {
            if (idx[j] < 0 || idx[j] >= dimension) {
                throw new IllegalArgumentException("row " + i + ": index must be in [0, " + (dimension - 1) + "], got " + idx[j]);
            }
            if (j > 0 && idx[j] <= idx[j - 1]) {
                throw new IllegalArgumentException("row " + i + ": indices must be strictly increasing, got "
                        + idx[j - 1] + " then " + idx[j]);
            }
            if (!Double.isFinite(val[j])) {
                throw new IllegalArgumentException("row " + i + ": values must be finite, got " + val[j] + " at index " + idx[j]);
            }
        }
    }

    /** Number of examples (rows). */
    public int size() {
        return labels.length;
    }

    /** Number of classes. */
    public int classCount() {
        return classNames.size();
    }

    /** Examples per class index. */
    public int[] classCounts() {
        int[] counts = new int[classCount()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The rows at {@code rows} (each in [0, size())), in that order, as copies. */
    public SparseLabelledData select(int[] rows) {
        int[][] idx = new int[rows.length][];
        double[][] val = new double[rows.length][];
        int[] lab = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            int i = rows[r];
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("rows[" + r + "] must be in [0, " + (size() - 1) + "], got " + i);
            }
            idx[r] = indices[i].clone();
            val[r] = values[i].clone();
            lab[r] = labels[i];
        }
        return new SparseLabelledData(dimension, idx, val, lab, classNames, featureNames);
    }

    /** The first {@code n} rows, n in [0, size()], as copies. */
    public SparseLabelledData head(int n) {
        if (n < 0 || n > size()) {
            throw new IllegalArgumentException("n must be in [0, " + size() + "], got " + n);
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return select(rows);
    }
}
