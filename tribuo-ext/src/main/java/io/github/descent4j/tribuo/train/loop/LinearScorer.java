package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.Tensors;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;

/**
 * The scores W·x of a linear model during training, read from W's raw rows: the same values as
 * {@code LinearParameters.predict}, several times faster (Tribuo's dense product goes through bounds-checked
 * getters with one running sum, and its sparse product walks W by columns). For many sparse examples a
 * feature-major copy of W ({@link #transposedWeights}) is read instead, because walking the rows of W for each
 * example misses the cache once per output.
 */
final class LinearScorer {
    private final LinearParameters parameters;
    private final int outputs;
    private final int columns;

    LinearScorer(LinearParameters parameters, int outputs, int columns) {
        this.parameters = parameters;
        this.outputs = outputs;
        this.columns = columns;
    }

    /** A feature-major copy of W costs outputs × columns; it pays off once the examples touch enough entries. */
    boolean worthTransposing(long activeEntries) {
        return activeEntries * 8 >= columns;
    }

    /** W transposed: {@code [feature][output]}. */
    double[][] transposedWeights() {
        double[][] w = TribuoTensors.rows(parameters.getWeightMatrix());
        double[][] t = new double[columns][outputs];
        for (int o = 0; o < outputs; o++) {
            double[] row = w[o];
            for (int j = 0; j < columns; j++) {
                t[j][o] = row[j];
            }
        }
        return t;
    }

    /** W·x from W transposed ({@link #transposedWeights}). */
    static DenseVector sparseScores(double[][] transposed, SparseVector x) {
        int[] xi = TribuoTensors.indices(x);
        double[] xv = TribuoTensors.values(x);
        double[] out = new double[transposed[0].length];
        for (int q = 0; q < xi.length; q++) {
            double[] column = transposed[xi[q]];
            double v = xv[q];
            for (int o = 0; o < out.length; o++) {
                out[o] += v * column[o];
            }
        }
        return DenseVector.createDenseVector(out);
    }

    /** W·x over the raw rows of W. */
    DenseVector scores(SGDVector x) {
        double[][] w = TribuoTensors.rows(parameters.getWeightMatrix());
        double[] out = new double[w.length];
        if (x instanceof DenseVector) {
            double[] xe = TribuoTensors.elements((DenseVector) x);
            for (int o = 0; o < w.length; o++) {
                out[o] = Tensors.dot(w[o], xe, xe.length);
            }
        } else {
            SparseVector sx = (SparseVector) x;
            int[] xi = TribuoTensors.indices(sx);
            double[] xv = TribuoTensors.values(sx);
            for (int o = 0; o < w.length; o++) {
                double[] row = w[o];
                double sum = 0;
                for (int q = 0; q < xi.length; q++) {
                    sum += row[xi[q]] * xv[q];
                }
                out[o] = sum;
            }
        }
        return DenseVector.createDenseVector(out);
    }

    /** W·x, from {@code transposed} when it is given and x is sparse, else from W's rows. */
    DenseVector scores(double[][] transposed, SGDVector x) {
        return transposed != null && x instanceof SparseVector sx ? sparseScores(transposed, sx) : scores(x);
    }
}
