package io.github.descent4j.tribuo.train.loop;

import com.oracle.labs.mlrg.olcut.util.Pair;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import org.tribuo.math.LinearParameters;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

/**
 * The weighted mean gradient {@code Σ_i w_i g_i / Σ_i w_i} of a minibatch of a linear model, with
 * {@code g_i = r_i ⊗ x̃_i} the objective's (negative) loss gradient for example i, stored in the
 * run's {@link WeightLayout}, accumulated straight into one matrix instead of one matrix per example. Dense batches
 * accumulate into a new DenseMatrix of W's shape. Sparse batches (feature-major: {@link FeatureMajorLinearParameters})
 * accumulate into a {@link FeatureMajorScratch} and leave as a DenseSparseMatrix with one stored row per feature
 * active in the batch.
 *
 * @param <U> the objective's target type
 */
final class GradientAccumulator<U> {
    private final SGDObjective<U> objective;
    /** Turns the objective's reported value into the loss (see {@link TrainerHooks#objectiveReportsNegatedLoss}). */
    private final double lossSign;
    private final PreparedExamples<?> data;
    private final LinearParameters parameters;
    private final WeightLayout layout;
    private final int outputs;
    private final int columns;
    private final FeatureMajorScratch scratch;
    private final BatchGradientStatistics statistics;
    private BatchStatistics lastStatistics;
    /** How batches of more than {@link BatchChunks#CHUNK} examples are summed. */
    private final BatchChunks chunks;
    /** addOuter's per-output scratch, reused. */
    private final double[] scaled;

    GradientAccumulator(SGDObjective<U> objective, double lossSign, PreparedExamples<?> data,
                        LinearParameters parameters, WeightLayout layout, int outputs, int columns, BatchChunks chunks) {
        this.chunks = chunks;
        this.objective = objective;
        this.lossSign = lossSign;
        this.data = data;
        this.parameters = parameters;
        this.layout = layout;
        this.outputs = outputs;
        this.columns = columns;
        this.scratch = new FeatureMajorScratch(columns, outputs);
        this.scaled = new double[outputs];
        this.statistics = new BatchGradientStatistics(layout, outputs, columns);
    }

    /**
     * Puts the weighted mean gradient over {@code order[start, end)} into {@code out[0]} and returns the
     * weighted mean loss. With {@code test}, also computes the batch test's statistics at the same parameters
     * ({@link #lastStatistics}). A batch of more than {@link BatchChunks#CHUNK} examples is summed chunk by chunk
     * (see {@link BatchChunks}), so its result does not depend on the number of threads.
     */
    double meanGradient(int[] order, int start, int end, double weightSum, Tensor[] out, boolean test) {
        // a dense gradient for dense batches, and always in Tribuo's layout (chosen for all-dense data)
        boolean dense = layout == WeightLayout.OUTPUT_MAJOR;
        for (int k = start; k < end && !dense; k++) {
            dense = data.features(order[k]) instanceof DenseVector;
        }
        DenseMatrix weights = parameters.getWeightMatrix();
        DenseMatrix denseGradient = dense ? new DenseMatrix(weights.getDimension1Size(), weights.getDimension2Size()) : null;
        double[][] rows = dense ? TribuoTensors.rows(denseGradient) : null;
        int n = end - start;
        double[][] residuals = test ? new double[n][] : null;
        SGDVector[] xs = test ? new SGDVector[n] : null;
        double loss = n <= BatchChunks.CHUNK
                ? accumulate(order, start, end, weightSum, dense, rows, scratch, scaled, residuals, xs, start)
                : chunks.sum(this, order, start, end, weightSum, dense, rows, scratch, residuals, xs);
        if (test) {
            // the test's examples are those of positive weight, in batch order
            int m = 0;
            double firstWeight = -1;
            boolean uniform = true;
            for (int k = start; k < end; k++) {
                double w = data.weight(order[k]);
                if (w == 0) {
                    continue;
                }
                if (firstWeight < 0) {
                    firstWeight = w;
                } else if (w != firstWeight) {
                    uniform = false;
                }
                residuals[m] = residuals[k - start];
                xs[m] = xs[k - start];
                m++;
            }
            // before the scratch is drained: with equal weights its rows are the test's mean gradient
            lastStatistics = statistics.compute(m, residuals, xs, uniform, dense ? rows : null, scratch);
        }
        out[0] = dense ? denseGradient : scratch.drain();
        return loss / weightSum;
    }

    /**
     * Adds the weighted gradients of {@code order[from, to)} (each scaled by {@code w / weightSum}) into
     * {@code rows} (dense) or {@code sparse}, stores each example's residual and features at {@code k − base}
     * when {@code residuals} is given, and returns {@code Σ w·ℓ} over the range. Safe to run concurrently on
     * disjoint ranges with separate targets and {@code scaled} buffers: it only reads W and the data.
     */
    @SuppressWarnings("unchecked")
    double accumulate(int[] order, int from, int to, double weightSum, boolean dense, double[][] rows,
                      FeatureMajorScratch sparse, double[] scaled, double[][] residuals, SGDVector[] xs, int base) {
        double loss = 0;
        for (int k = from; k < to; k++) {
            int i = order[k];
            double w = data.weight(i);
            if (w == 0) {
                continue;
            }
            SGDVector x = data.features(i);
            DenseVector scores = layout.scores(parameters, x);
            Pair<Double, SGDVector> lossAndGradient = objective.lossAndGradient((U) data.target(i), scores);
            loss += w * lossSign * lossAndGradient.getA();
            double scale = w / weightSum;
            double[] r = denseResidual(lossAndGradient.getB());
            if (residuals != null) {
                residuals[k - base] = r;
                xs[k - base] = x;
            }
            if (dense) {
                layout.addOuter(rows, r, scale, x, scaled);
            } else {
                SparseVector sx = (SparseVector) x;
                int[] xi = TribuoTensors.indices(sx);
                double[] xv = TribuoTensors.values(sx);
                for (int q = 0; q < xi.length; q++) {
                    double[] column = sparse.column(xi[q]);
                    double c = scale * xv[q];
                    for (int o = 0; o < outputs; o++) {
                        column[o] += c * r[o];
                    }
                }
            }
        }
        return loss;
    }

    /** The statistics of the last {@link #meanGradient} call with {@code test} set. */
    BatchStatistics lastStatistics() {
        return lastStatistics;
    }

    /** The objective's gradient with respect to the scores as a dense array of outputs. */
    private double[] denseResidual(SGDVector r) {
        if (r instanceof DenseVector) {
            return TribuoTensors.elements((DenseVector) r);
        }
        double[] dense = new double[outputs];
        SparseVector sr = (SparseVector) r;
        int[] ri = TribuoTensors.indices(sr);
        double[] rv = TribuoTensors.values(sr);
        for (int q = 0; q < ri.length; q++) {
            dense[ri[q]] = rv[q];
        }
        return dense;
    }
}
