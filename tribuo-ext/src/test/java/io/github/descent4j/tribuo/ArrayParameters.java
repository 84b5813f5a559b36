package io.github.descent4j.tribuo;

import org.tribuo.math.Parameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.protos.ParametersProto;

import java.util.ArrayList;
import java.util.List;

/**
 * Test {@link Parameters} holding dense tensors built from flat row-major arrays: a one-dimensional shape
 * gives a DenseVector, a two-dimensional one a DenseMatrix.
 */
public final class ArrayParameters implements Parameters {
    private static final long serialVersionUID = 1L;

    private Tensor[] tensors;

    public ArrayParameters(int[][] shapes, double[][] values) {
        tensors = new Tensor[shapes.length];
        for (int t = 0; t < shapes.length; t++) {
            tensors[t] = dense(shapes[t], values[t]);
        }
    }

    public static Tensor dense(int[] shape, double[] values) {
        if (shape.length == 1) {
            return DenseVector.createDenseVector(values);
        }
        double[][] rows = new double[shape[0]][shape[1]];
        for (int i = 0; i < shape[0]; i++) {
            System.arraycopy(values, i * shape[1], rows[i], 0, shape[1]);
        }
        return DenseMatrix.createDenseMatrix(rows);
    }

    /** The same values as a sparse tensor in which every element is stored (explicitly active). */
    public static Tensor sparseWithAllActive(int[] shape, double[] values) {
        if (shape.length == 1) {
            int[] idx = new int[shape[0]];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            return SparseVector.createSparseVector(shape[0], idx, values.clone());
        }
        List<SparseVector> rows = new ArrayList<>();
        int[] idx = new int[shape[1]];
        for (int j = 0; j < idx.length; j++) {
            idx[j] = j;
        }
        for (int i = 0; i < shape[0]; i++) {
            double[] row = new double[shape[1]];
            System.arraycopy(values, i * shape[1], row, 0, shape[1]);
            rows.add(SparseVector.createSparseVector(shape[1], idx.clone(), row));
        }
        return new DenseSparseMatrix(rows);
    }

    /** Flat row-major copy of a dense tensor. */
    public static double[] flat(Tensor t) {
        if (t instanceof DenseVector) {
            return ((DenseVector) t).toArray();
        }
        DenseMatrix m = (DenseMatrix) t;
        double[] out = new double[m.getDimension1Size() * m.getDimension2Size()];
        for (int i = 0; i < m.getDimension1Size(); i++) {
            for (int j = 0; j < m.getDimension2Size(); j++) {
                out[i * m.getDimension2Size() + j] = m.get(i, j);
            }
        }
        return out;
    }

    @Override
    public Tensor[] getEmptyCopy() {
        Tensor[] out = new Tensor[tensors.length];
        for (int t = 0; t < tensors.length; t++) {
            int[] shape = tensors[t].getShape();
            out[t] = shape.length == 1 ? new DenseVector(shape[0]) : new DenseMatrix(shape[0], shape[1]);
        }
        return out;
    }

    @Override
    public Tensor[] get() {
        return tensors;
    }

    @Override
    public void set(Tensor[] newWeights) {
        tensors = newWeights;
    }

    @Override
    public void update(Tensor[] gradients) {
        for (int t = 0; t < tensors.length; t++) {
            tensors[t].intersectAndAddInPlace(gradients[t]);
        }
    }

    @Override
    public Tensor[] merge(Tensor[][] gradients, int size) {
        throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public ParametersProto serialize() {
        throw new UnsupportedOperationException("not needed by these tests");
    }
}
