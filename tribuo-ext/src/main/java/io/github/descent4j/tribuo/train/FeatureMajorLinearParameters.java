package io.github.descent4j.tribuo.train;

import com.oracle.labs.mlrg.olcut.util.Pair;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

import java.util.Arrays;

/**
 * The weights of a linear model as descent4j's linear trainers hold them while training: <b>feature-major</b>,
 * one row per feature and a last row for the bias, {@code [features + 1, outputs]}, the transpose of Tribuo's
 * {@link LinearParameters} layout {@code [outputs, features + 1]}. This is the {@code Parameters} an optimiser's
 * {@code initialise} receives from those trainers, and the shape of every gradient they hand it.
 * <p>
 * Why: the gradient of one sparse example, {@code r ⊗ x̃}, touches the outputs of its few active features. In
 * this layout that is a few contiguous rows (a {@code DenseSparseMatrix} with one stored row per active feature),
 * where Tribuo's layout needs one sparse row per output and one cache line per output and feature. Elementwise and
 * global-norm optimisers give the same result in either layout; optimisers that know where the bias is
 * (descent4j's {@code DecoupledWeightDecay}) and anchors given in Tribuo's layout (descent4j's
 * {@code SelectiveProjectionDecay}) recognise this class. The trained model gets Tribuo's layout
 * ({@link #toTribuoLayout}).
 */
public final class FeatureMajorLinearParameters extends LinearParameters {
    private static final long serialVersionUID = 1L;

    /**
     * Zero weights for {@code features} features (the bias row is added) and {@code outputs} outputs.
     *
     * @throws IllegalArgumentException when either is below 1 (features below 0)
     */
    public FeatureMajorLinearParameters(int features, int outputs) {
        super(new DenseMatrix(checkCount("features + 1", features + 1), checkCount("outputs", outputs)));
    }

    private FeatureMajorLinearParameters(DenseMatrix featureMajor) {
        super(featureMajor);
    }

    private static int checkCount(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
        return value;
    }

    /** The weights in Tribuo's layout, {@code [outputs, features + 1]}, as a new {@link LinearParameters}. */
    public LinearParameters toTribuoLayout() {
        return new LinearParameters(transpose(getWeightMatrix()));
    }

    /** Copies {@code tribuoLayout} ({@code [outputs, features + 1]}) into these weights, transposed. */
    public void setFromTribuoLayout(DenseMatrix tribuoLayout) {
        DenseMatrix w = getWeightMatrix();
        if (tribuoLayout.getDimension1Size() != w.getDimension2Size() || tribuoLayout.getDimension2Size() != w.getDimension1Size()) {
            throw new IllegalArgumentException("expected a [" + w.getDimension2Size() + ", " + w.getDimension1Size()
                    + "] matrix in Tribuo's layout, got [" + tribuoLayout.getDimension1Size() + ", "
                    + tribuoLayout.getDimension2Size() + "]");
        }
        double[][] source = TribuoTensors.rows(tribuoLayout);
        double[][] target = TribuoTensors.rows(w);
        for (int o = 0; o < source.length; o++) {
            for (int j = 0; j < source[o].length; j++) {
                target[j][o] = source[o][j];
            }
        }
    }

    /** {@code m} transposed, as a new DenseMatrix. */
    public static DenseMatrix transpose(DenseMatrix m) {
        double[][] rows = TribuoTensors.rows(m);
        DenseMatrix t = new DenseMatrix(m.getDimension2Size(), m.getDimension1Size());
        double[][] out = TribuoTensors.rows(t);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                out[j][i] = rows[i][j];
            }
        }
        return t;
    }

    /** The scores {@code Wᵀ x̃}, one per output (x̃ carries the bias feature last, as Tribuo builds it). */
    @Override
    public DenseVector predict(SGDVector example) {
        double[][] w = TribuoTensors.rows(getWeightMatrix());
        double[] out = new double[w[0].length];
        if (example instanceof DenseVector dense) {
            double[] x = TribuoTensors.elements(dense);
            for (int j = 0; j < x.length; j++) {
                addScaled(out, x[j], w[j]);
            }
        } else {
            SparseVector sparse = (SparseVector) example;
            int[] xi = TribuoTensors.indices(sparse);
            double[] xv = TribuoTensors.values(sparse);
            for (int q = 0; q < xi.length; q++) {
                addScaled(out, xv[q], w[xi[q]]);
            }
        }
        return TribuoTensors.wrapDense(out);
    }

    private static void addScaled(double[] out, double c, double[] row) {
        for (int o = 0; o < out.length; o++) {
            out[o] += c * row[o];
        }
    }

    /** The gradient {@code x̃ ⊗ r} in this layout: dense rows for dense x̃, one stored row per active feature otherwise. */
    @Override
    public Tensor[] gradients(Pair<Double, SGDVector> score, SGDVector features) {
        double[] r = score.getB() instanceof DenseVector d ? TribuoTensors.elements(d) : score.getB().toArray();
        DenseMatrix w = getWeightMatrix();
        int outputs = w.getDimension2Size();
        if (features instanceof DenseVector dense) {
            double[] x = TribuoTensors.elements(dense);
            DenseMatrix g = new DenseMatrix(x.length, outputs);
            double[][] rows = TribuoTensors.rows(g);
            for (int j = 0; j < x.length; j++) {
                for (int o = 0; o < outputs; o++) {
                    rows[j][o] = r[o] * x[j];
                }
            }
            return new Tensor[]{g};
        }
        SparseVector sparse = (SparseVector) features;
        int[] xi = TribuoTensors.indices(sparse);
        double[] xv = TribuoTensors.values(sparse);
        int[] all = new int[outputs];
        for (int o = 0; o < outputs; o++) {
            all[o] = o;
        }
        SparseVector empty = TribuoTensors.wrapSparse(outputs, new int[0], new double[0]);
        SparseVector[] rows = new SparseVector[w.getDimension1Size()];
        Arrays.fill(rows, empty);   // empty rows hold nothing that could be modified: one instance serves them all
        for (int q = 0; q < xi.length; q++) {
            double[] v = new double[outputs];
            for (int o = 0; o < outputs; o++) {
                v[o] = r[o] * xv[q];
            }
            rows[xi[q]] = TribuoTensors.wrapSparse(outputs, all.clone(), v);
        }
        return new Tensor[]{TribuoTensors.wrapRows(rows)};
    }

    @Override
    public FeatureMajorLinearParameters copy() {
        return new FeatureMajorLinearParameters(getWeightMatrix().copy());
    }
}
