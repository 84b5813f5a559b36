package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.SparseVector;

import java.util.Arrays;

/**
 * A reusable feature-major accumulator for sparse batches: one contiguous array of outputs per feature
 * ({@code [feature][output]}), allocated on first use, with the features touched since the last
 * {@link #drain} or {@link #clear} marked. Accumulating a sparse example's outer product {@code x̃ ⊗ r}
 * this way touches a few contiguous rows, one per active feature.
 */
final class FeatureMajorScratch {
    private final int columns;
    private final int outputs;
    private double[][] values;
    private boolean[] touched;
    /** The touched features, in the order first touched, and how many. */
    private int[] touchedList = new int[8];
    private int touchedCount;

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
        if (!touched[j]) {
            touched[j] = true;
            if (touchedCount == touchedList.length) {
                touchedList = Arrays.copyOf(touchedList, Math.min(columns, 2 * touchedCount + 8));
            }
            touchedList[touchedCount++] = j;
        }
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

    /**
     * Moves the touched rows into a DenseSparseMatrix {@code [columns, outputs]} (feature-major, see
     * {@link io.github.descent4j.tribuo.train.FeatureMajorLinearParameters}) and starts them afresh: a touched
     * feature's row is stored in full (all outputs), every other row is empty.
     */
    DenseSparseMatrix drain() {
        SparseVector empty = TribuoTensors.wrapSparse(outputs, new int[0], new double[0]);
        SparseVector[] rows = new SparseVector[columns];
        // empty rows hold nothing that could be modified, so one instance serves them all
        Arrays.fill(rows, empty);
        if (touchedCount > 0) {
            int[] all = new int[outputs];
            for (int o = 0; o < outputs; o++) {
                all[o] = o;
            }
            for (int t = 0; t < touchedCount; t++) {
                int j = touchedList[t];
                touched[j] = false;
                // the accumulator itself leaves with the gradient (whose owner may modify it); a fresh one replaces it
                rows[j] = TribuoTensors.wrapSparse(outputs, t == touchedCount - 1 ? all : all.clone(), values[j]);
                values[j] = null;
            }
            touchedCount = 0;
        }
        return TribuoTensors.wrapRows(rows);
    }

    /** Adds every touched row into {@code target} (feature by feature, in the order first touched) and clears this. */
    void addInto(FeatureMajorScratch target) {
        for (int t = 0; t < touchedCount; t++) {
            int j = touchedList[t];
            double[] from = values[j];
            double[] to = target.column(j);
            for (int o = 0; o < to.length; o++) {
                to[o] += from[o];
            }
            touched[j] = false;
            Arrays.fill(from, 0.0);
        }
        touchedCount = 0;
    }

    /** Re-zeroes the touched columns and unmarks them. */
    void clear() {
        for (int t = 0; t < touchedCount; t++) {
            int j = touchedList[t];
            touched[j] = false;
            Arrays.fill(values[j], 0.0);
        }
        touchedCount = 0;
    }
}
