package io.github.descent4j.tribuo.spd;

import io.github.descent4j.core.Tensors;
import io.github.descent4j.core.spd.ProjectionTarget;
import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.core.spd.SelectiveProjectionStep;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;

/**
 * {@link ProjectionTarget} over one step of Tribuo tensors (dense and sparse), for
 * {@link SelectiveProjectionStep}: θ (the parameters, unchanged during the step), θ₀, Tribuo's negated gradient
 * G = −g, and the base optimiser's update U (θ̃ = θ + U), which {@link #shrinkTowardAnchor} replaces by U′ with
 * θ + U′ = θ̃ − s (θ̃ − θ₀).
 * <p>
 * Sparse gradients and updates stay cheap: c and, where U is sparse, ‖θ̃ − θ₀‖² − ‖θ − θ₀‖² cost only the stored
 * entries; ‖θ − θ₀‖² (the whole tensor) is computed only for tensors where c &lt; 0, the only ones
 * {@link SelectiveProjectionStep#finish} reads it for (elsewhere it is left NaN).
 */
final class TensorProjectionTarget implements ProjectionTarget {
    private final Tensor[] params;
    private final Tensor[] anchor;
    private final Tensor[] negatedGradient;
    /** ‖θ − θ₀‖² per tensor, kept for the sparse shortcut of ‖θ̃ − θ₀‖². */
    private final double[] currentSquaredDistance;
    private Tensor[] updates;

    TensorProjectionTarget(Tensor[] params, Tensor[] anchor, Tensor[] negatedGradient) {
        this.params = params;
        this.anchor = anchor;
        this.negatedGradient = negatedGradient;
        this.currentSquaredDistance = new double[params.length];
    }

    /** The base optimiser's update U, once it has stepped; the projected tensors replace its entries. */
    void proposed(Tensor[] baseUpdates) {
        this.updates = baseUpdates.clone();
    }

    /** The updates to apply: the base's, with every projected tensor replaced. */
    Tensor[] updates() {
        return updates;
    }

    @Override
    public int tensorCount() {
        return params.length;
    }

    /** c as ⟨G, θ − θ₀⟩ over the stored entries of G = −g, which equals −⟨g, θ − θ₀⟩. */
    @Override
    public void conditionSums(int t, double[] out) {
        Tensor param = params[t];
        Tensor a = anchor[t];
        double[] sum = new double[1];
        TribuoTensors.forEachRow(negatedGradient[t], (row, values, indices, count) -> {
            double[] p = TribuoTensors.denseRow(param, row);
            double[] z = TribuoTensors.denseRow(a, row);
            double s = 0;
            for (int k = 0; k < count; k++) {
                int j = indices == null ? k : indices[k];
                s += values[k] * (p[j] - z[j]);
            }
            sum[0] += s;
        });
        out[0] = sum[0];
        out[1] = currentSquaredDistance[t] = SelectiveProjection.applies(sum[0])
                ? squaredDistance(param, a, isDense(negatedGradient[t])) : Double.NaN;
    }

    /**
     * ‖θ − θ₀‖², summed as the projection of a dense (per row, one running sum) or sparse
     * ({@link Tensors#squaredDistance}) update sums it. The base optimisers step in place, so the update is as
     * dense as the gradient.
     */
    private static double squaredDistance(Tensor param, Tensor anchor, boolean dense) {
        double[] total = new double[1];
        TribuoTensors.forEachRow(param, (row, p, none, count) -> {
            double[] a = TribuoTensors.denseRow(anchor, row);
            if (dense) {
                double current = 0;
                for (int j = 0; j < count; j++) {
                    double before = p[j] - a[j];
                    current += before * before;
                }
                total[0] += current;
            } else {
                total[0] += Tensors.squaredDistance(p, a, count);
            }
        });
        return total[0];
    }

    /** ‖θ + U − θ₀‖²; for a sparse U, ‖θ − θ₀‖² plus the change on U's stored entries. */
    @Override
    public double proposedSquaredDistance(int t) {
        Tensor param = params[t];
        Tensor a = anchor[t];
        double[] next = new double[1];
        if (isDense(updates[t])) {
            TribuoTensors.forEachRow(updates[t], (row, u, none, count) -> {
                double[] p = TribuoTensors.denseRow(param, row);
                double[] z = TribuoTensors.denseRow(a, row);
                double sum = 0;
                for (int j = 0; j < count; j++) {
                    double after = (p[j] - z[j]) + u[j];
                    sum += after * after;
                }
                next[0] += sum;
            });
        } else {
            next[0] = currentSquaredDistance[t];
            TribuoTensors.forEachRow(updates[t], (row, u, indices, count) -> {
                double[] p = TribuoTensors.denseRow(param, row);
                double[] z = TribuoTensors.denseRow(a, row);
                double change = 0;
                for (int k = 0; k < count; k++) {
                    int j = indices == null ? k : indices[k];
                    double before = p[j] - z[j];
                    double after = before + u[k];
                    change += after * after - before * before;
                }
                next[0] += change;
            });
        }
        return next[0];
    }

    /** U′ = (1 − s) U − s (θ − θ₀) over every coordinate of the tensor (a sparse U becomes dense). */
    @Override
    public void shrinkTowardAnchor(int t, double shrink) {
        Tensor update = updates[t];
        Tensor param = params[t];
        Tensor a = anchor[t];
        Tensor dense = isDense(update) ? update : emptyLike(param);
        if (dense != update) {
            TribuoTensors.forEachRow(update, (row, u, indices, count) -> {
                double[] d = TribuoTensors.denseRow(dense, row);
                for (int k = 0; k < count; k++) {
                    d[indices == null ? k : indices[k]] += u[k];
                }
            });
        }
        TribuoTensors.forEachRow(dense, (row, d, none, count) -> {
            double[] p = TribuoTensors.denseRow(param, row);
            double[] z = TribuoTensors.denseRow(a, row);
            for (int j = 0; j < count; j++) {
                d[j] = (1 - shrink) * d[j] - shrink * (p[j] - z[j]);
            }
        });
        updates[t] = dense;
    }

    private static boolean isDense(Tensor t) {
        return t instanceof DenseMatrix || t instanceof DenseVector;
    }

    private static Tensor emptyLike(Tensor param) {
        int[] shape = param.getShape();
        return shape.length == 1 ? new DenseVector(shape[0]) : new DenseMatrix(shape[0], shape[1]);
    }
}
