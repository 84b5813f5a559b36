package io.github.descent4j.tribuo.train.loop;

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
    private final WeightLayout layout;
    private final int outputs;
    private final int columns;
    /** Accumulates Ḡ for sparse batches with unequal weights; cleared after each use. */
    private final FeatureMajorScratch testScratch;

    BatchGradientStatistics(WeightLayout layout, int outputs, int columns) {
        this.layout = layout;
        this.outputs = outputs;
        this.columns = columns;
        this.testScratch = new FeatureMajorScratch(columns, outputs);
    }

    /**
     * The statistics of the first {@code m} (positive-weight) examples. With equal weights the step's
     * accumulated weighted mean is {@code Ḡ} and is reused (dense: {@code stepRows}; sparse: the step's
     * feature-major scratch, before it is drained); otherwise {@code Ḡ} is accumulated separately, in the run's
     * layout (dense) or feature-major (sparse).
     *
     * @param stepRows the dense step's accumulated gradient rows, or null for a sparse batch
     * @param stepScratch the sparse step's accumulator (read only)
     */
    BatchStatistics compute(int m, double[][] residuals, SGDVector[] xs, boolean uniform, double[][] stepRows,
                            FeatureMajorScratch stepScratch) {
        double[][] mean;
        FeatureMajorScratch sparseMean = null;
        if (uniform) {
            if (stepRows != null) {
                mean = stepRows;
            } else {
                sparseMean = stepScratch;
                mean = stepScratch.columns();
            }
        } else if (stepRows != null) {
            mean = layout == WeightLayout.FEATURE_MAJOR ? new double[columns][outputs] : new double[outputs][columns];
            double[] scratch = new double[outputs];
            for (int i = 0; i < m; i++) {
                layout.addOuter(mean, residuals[i], 1.0 / m, xs[i], scratch);
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
            sparseMean = testScratch;
            mean = testScratch.columns();
        }
        double meanNorm = 0;
        for (int j = 0; mean != null && j < mean.length; j++) {
            if (sparseMean == null || sparseMean.isTouched(j)) {
                for (double v : mean[j]) {
                    meanNorm += v * v;
                }
            }
        }
        double[] norms = new double[m];
        double[] inner = new double[m];
        for (int i = 0; i < m; i++) {
            double[] r = residuals[i];
            double rr = 0;
            for (double v : r) {
                rr += v * v;
            }
            norms[i] = rr * squaredNorm(xs[i]);
            inner[i] = sparseMean != null ? WeightLayout.FEATURE_MAJOR.innerProduct(mean, r, xs[i])
                    : layout.innerProduct(mean, r, xs[i]);
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
}
