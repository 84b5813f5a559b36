package io.github.descent4j.tribuo.train.loop;

import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.SparseVector;

import java.util.Arrays;

/**
 * A reusable feature-major accumulator for sparse batches: one contiguous array of outputs per feature
 * ({@code [feature][output]}), allocated on first use, with the features touched since the last
 * {@link #drain} or {@link #clear} marked. Accumulating a sparse example's outer product {@code r ⊗ x}
 * this way touches one cache line per active feature instead of one per output.
 */
final class FeatureMajorScratch {
    private final int columns;
    private final int outputs;
    private double[][] values;
    private boolean[] touched;

    FeatureMajorScratch(int columns, int outputs) {
        this.columns = columns;
        this.outputs = outputs;
    }

    /** The accumulator of feature {@code j}, allocated on first use and marked as touched. */
    double[] column(int j) {
        if (values == null) {
            values = new double[columns][];
            touched = new boolean[columns];
        }
        if (values[j] == null) {
            values[j] = new double[outputs];
        }
        touched[j] = true;
        return values[j];
    }

    /** The columns by feature (null entries are zero), or null before the first {@link #column} call. */
    double[][] columns() {
        return values;
    }

    /** Whether feature {@code j} was touched since the last drain or clear. */
    boolean isTouched(int j) {
        return touched != null && touched[j];
    }

    /** Moves the touched columns into a DenseSparseMatrix ({@code outputs × columns}) and re-zeroes them. */
    DenseSparseMatrix drain() {
        int count = 0;
        if (touched != null) {
            for (boolean t : touched) {
                count += t ? 1 : 0;
            }
        }
        int[] cols = new int[count];
        double[][] rows = new double[outputs][count];
        for (int j = 0, c = 0; c < count; j++) {
            if (touched[j]) {
                touched[j] = false;
                double[] column = values[j];
                for (int o = 0; o < outputs; o++) {
                    rows[o][c] = column[o];
                }
                Arrays.fill(column, 0.0);
                cols[c++] = j;
            }
        }
        SparseVector[] sparseRows = new SparseVector[outputs];
        for (int o = 0; o < outputs; o++) {
            sparseRows[o] = SparseVector.createSparseVector(columns, cols.clone(), rows[o]);
        }
        // The List constructor keeps the (fresh, unshared) rows; createFromSparseVectors would copy each of them again.
        return new DenseSparseMatrix(Arrays.asList(sparseRows));
    }

    /** Re-zeroes the touched columns and unmarks them. */
    void clear() {
        if (touched == null) {
            return;
        }
        for (int j = 0; j < columns; j++) {
            if (touched[j]) {
                touched[j] = false;
                Arrays.fill(values[j], 0.0);
            }
        }
    }
}
