package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.Tensors;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;

/**
 * The adaptive batch-size test's statistics (Lau, Liu, Kolar 2024) of a linear model's per-example gradients
 * {@code g_i = r_i ⊗ x̃_i}, unweighted, in closed form at about the cost of the step:
 * {@code ‖g_i‖² = ‖r_i‖² ‖x̃_i‖²}, {@code ⟨g_i, ḡ⟩ = r_iᵀ Ḡ x̃_i} with {@code Ḡ = (1/m) Σ_i r_i x̃_iᵀ}, and
 * {@code ‖ḡ‖² = ‖Ḡ‖_F²}. The residuals are the objective's negative score gradients; the sign cancels in every
 * statistic.
 */
final class BatchGradientStatistics {
    private final int outputs;
    private final int columns;
    /** Accumulates Ḡ for sparse batches with unequal weights; cleared after each use. */
    private final FeatureMajorScratch testScratch;

    BatchGradientStatistics(int outputs, int columns) {
        this.outputs = outputs;
        this.columns = columns;
        this.testScratch = new FeatureMajorScratch(columns, outputs);
    }

    /**
     * The statistics of the first {@code m} (positive-weight) examples. With equal weights the step's
     * accumulated weighted mean is {@code Ḡ} and is reused (dense: {@code stepRows}; sparse: the step's
     * feature-major scratch, before it is drained); otherwise {@code Ḡ} is accumulated separately.
     *
     * @param stepRows the dense step's accumulated gradient rows, or null for a sparse batch
     * @param stepScratch the sparse step's accumulator (read only)
     */
    BatchStatistics compute(int m, double[][] residuals, SGDVector[] xs, boolean uniform, double[][] stepRows,
                            FeatureMajorScratch stepScratch) {
        double[][] rowMajor = null;
        FeatureMajorScratch featureMajor = null;
        if (uniform) {
            if (stepRows != null) {
                rowMajor = stepRows;
            } else {
                featureMajor = stepScratch;
            }
        } else if (stepRows != null) {
            rowMajor = new double[outputs][columns];
            for (int i = 0; i < m; i++) {
                for (int o = 0; o < outputs; o++) {
                    GradientAccumulator.addScaled(rowMajor[o], residuals[i][o] / m, xs[i]);
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                SparseVector sx = (SparseVector) xs[i];
                int[] xi = TribuoTensors.indices(sx);
                double[] xv = TribuoTensors.values(sx);
                for (int q = 0; q < xi.length; q++) {
                    double[] column = testScratch.column(xi[q]);
                    double c = xv[q] / m;
                    for (int o = 0; o < outputs; o++) {
                        column[o] += c * residuals[i][o];
                    }
                }
            }
            featureMajor = testScratch;
        }
        double meanNorm = 0;
        if (rowMajor != null) {
            for (double[] row : rowMajor) {
                for (double v : row) {
                    meanNorm += v * v;
                }
            }
        } else {
            for (int j = 0; j < columns; j++) {
                if (featureMajor.isTouched(j)) {
                    for (double v : featureMajor.columns()[j]) {
                        meanNorm += v * v;
                    }
                }
            }
        }
        double[] norms = new double[m];
        double[] inner = new double[m];
        for (int i = 0; i < m; i++) {
            double[] r = residuals[i];
            SGDVector x = xs[i];
            double rr = 0;
            for (double v : r) {
                rr += v * v;
            }
            norms[i] = rr * squaredNorm(x);
            inner[i] = rowMajor != null ? dotRowMajor(rowMajor, r, x)
                    : dotFeatureMajor(featureMajor.columns(), r, (SparseVector) x);
        }
        testScratch.clear();
        return BatchStatistics.ofSufficientStatistics(outputs * columns, meanNorm, norms, inner);
    }

    private static double squaredNorm(SGDVector x) {
        double[] v = x instanceof DenseVector ? TribuoTensors.elements((DenseVector) x) : TribuoTensors.values((SparseVector) x);
        double s = 0;
        for (double e : v) {
            s += e * e;
        }
        return s;
    }

    /** {@code rᵀ G x} with G row-major {@code [output][feature]}. */
    private static double dotRowMajor(double[][] g, double[] r, SGDVector x) {
        double sum = 0;
        for (int o = 0; o < r.length; o++) {
            if (r[o] == 0) {
                continue;
            }
            double gx;
            if (x instanceof DenseVector) {
                gx = Tensors.dot(g[o], TribuoTensors.elements((DenseVector) x), x.size());
            } else {
                int[] xi = TribuoTensors.indices((SparseVector) x);
                double[] xv = TribuoTensors.values((SparseVector) x);
                gx = 0;
                for (int q = 0; q < xi.length; q++) {
                    gx += g[o][xi[q]] * xv[q];
                }
            }
            sum += r[o] * gx;
        }
        return sum;
    }

    /** {@code rᵀ G x} with G feature-major {@code [feature][output]} (null columns are zero). */
    private static double dotFeatureMajor(double[][] g, double[] r, SparseVector x) {
        int[] xi = TribuoTensors.indices(x);
        double[] xv = TribuoTensors.values(x);
        double sum = 0;
        for (int q = 0; q < xi.length; q++) {
            double[] column = g[xi[q]];
            if (column == null) {
                continue;
            }
            double cr = 0;
            for (int o = 0; o < r.length; o++) {
                cr += column[o] * r[o];
            }
            sum += xv[q] * cr;
        }
        return sum;
    }
}
