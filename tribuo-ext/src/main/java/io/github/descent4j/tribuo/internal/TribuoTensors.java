package io.github.descent4j.tribuo.internal;

import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.Tensors;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * Row-by-row, zero-copy access to the four tensor types Tribuo's SGD models produce
 * ({@link DenseVector}, {@link SparseVector}, {@link DenseMatrix}, {@link DenseSparseMatrix}).
 * <p>
 * Tribuo keeps the backing arrays protected and offers only per-element lambdas, which cost a megamorphic
 * call per element. The optimisers need fused loops over raw arrays, so the fields are read once per row
 * through method handles. A sparse row is its {@code values} plus its element {@code indices}; a dense
 * row has {@code indices == null}.
 */
public final class TribuoTensors {
    private static final MethodHandle DENSE_VECTOR_ELEMENTS;
    private static final MethodHandle DENSE_MATRIX_VALUES;
    private static final MethodHandle SPARSE_VECTOR_INDICES;
    private static final MethodHandle SPARSE_VECTOR_VALUES;
    private static final MethodHandle SPARSE_VECTOR_WRAP;
    private static final MethodHandle DENSE_SPARSE_MATRIX_WRAP;
    private static final MethodHandle DENSE_VECTOR_WRAP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DENSE_VECTOR_ELEMENTS = MethodHandles.privateLookupIn(DenseVector.class, lookup)
                    .findGetter(DenseVector.class, "elements", double[].class);
            DENSE_MATRIX_VALUES = MethodHandles.privateLookupIn(DenseMatrix.class, lookup)
                    .findGetter(DenseMatrix.class, "values", double[][].class);
            MethodHandles.Lookup sparse = MethodHandles.privateLookupIn(SparseVector.class, lookup);
            SPARSE_VECTOR_INDICES = sparse.findGetter(SparseVector.class, "indices", int[].class);
            SPARSE_VECTOR_VALUES = sparse.findGetter(SparseVector.class, "values", double[].class);
            SPARSE_VECTOR_WRAP = sparse.findConstructor(SparseVector.class,
                    MethodType.methodType(void.class, int.class, int[].class, double[].class));
            DENSE_VECTOR_WRAP = MethodHandles.privateLookupIn(DenseVector.class, lookup)
                    .findConstructor(DenseVector.class, MethodType.methodType(void.class, double[].class));
            DENSE_SPARSE_MATRIX_WRAP = MethodHandles.privateLookupIn(DenseSparseMatrix.class, lookup)
                    .findConstructor(DenseSparseMatrix.class, MethodType.methodType(void.class, SparseVector[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "descent4j needs read access to the backing arrays of Tribuo 4.3 tensors; "
                            + "is org.tribuo.math.la open to this module?", e));
        }
    }

    private TribuoTensors() {}

    /** Receives one row of a tensor. */
    @FunctionalInterface
    public interface RowVisitor {
        /**
         * @param row the row number (0 for vectors)
         * @param values the row's values (live)
         * @param indices element index of each value for sparse rows, {@code null} for dense rows
         * @param count number of values in the row
         */
        void row(int row, double[] values, int[] indices, int count);
    }

    public static double[] elements(DenseVector v) {
        try {
            return (double[]) DENSE_VECTOR_ELEMENTS.invokeExact(v);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static double[][] rows(DenseMatrix m) {
        try {
            return (double[][]) DENSE_MATRIX_VALUES.invokeExact(m);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int[] indices(SparseVector v) {
        try {
            return (int[]) SPARSE_VECTOR_INDICES.invokeExact(v);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static double[] values(SparseVector v) {
        try {
            return (double[]) SPARSE_VECTOR_VALUES.invokeExact(v);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * A SparseVector over {@code indices} and {@code values} themselves, not copies, without the sort that
     * {@code SparseVector.createSparseVector} performs (one object per entry).
     *
     * @param indices strictly increasing, each in {@code [0, size)}; the caller guarantees it
     */
    public static SparseVector wrapSparse(int size, int[] indices, double[] values) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices has " + indices.length + " entries but values has " + values.length);
        }
        try {
            return (SparseVector) SPARSE_VECTOR_WRAP.invokeExact(size, indices, values);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A DenseVector over {@code elements} itself, not a copy ({@code createDenseVector} copies). */
    public static DenseVector wrapDense(double[] elements) {
        try {
            return (DenseVector) DENSE_VECTOR_WRAP.invokeExact(elements);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * A DenseSparseMatrix over {@code rows} itself (not a copy), without the per-row checks of its public
     * constructors.
     *
     * @param rows at least one, all of the same size; the caller guarantees it
     */
    public static DenseSparseMatrix wrapRows(SparseVector[] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a DenseSparseMatrix needs at least one row");
        }
        try {
            return (DenseSparseMatrix) DENSE_SPARSE_MATRIX_WRAP.invokeExact(rows);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code target += update} over the update's stored entries: what {@code LinearParameters.update} does
     * through Tribuo's per-entry iterator, as plain loops over the rows.
     */
    public static void addInPlace(DenseMatrix target, Tensor update) {
        double[][] rows = rows(target);
        requireSameShape(0, target, update);
        if (update instanceof DenseMatrix dense) {
            double[][] u = rows(dense);
            for (int r = 0; r < rows.length; r++) {
                double[] w = rows[r];
                double[] v = u[r];
                for (int i = 0; i < w.length; i++) {
                    w[i] += v[i];
                }
            }
            return;
        }
        forEachRow(update, (row, values, indices, count) -> {
            double[] w = rows[row];
            if (indices == null) {
                for (int i = 0; i < count; i++) {
                    w[i] += values[i];
                }
            } else {
                for (int i = 0; i < count; i++) {
                    w[indices[i]] += values[i];
                }
            }
        });
    }

    /** Visits every stored row of {@code t} (dense rows in full, sparse rows by their active values). */
    public static void forEachRow(Tensor t, RowVisitor visitor) {
        if (t instanceof DenseMatrix) {
            double[][] rows = rows((DenseMatrix) t);
            for (int i = 0; i < rows.length; i++) {
                visitor.row(i, rows[i], null, rows[i].length);
            }
        } else if (t instanceof DenseSparseMatrix) {
            DenseSparseMatrix m = (DenseSparseMatrix) t;
            int n = m.getDimension1Size();
            for (int i = 0; i < n; i++) {
                SparseVector row = m.getRow(i);
                double[] values = values(row);
                if (values.length > 0) {
                    visitor.row(i, values, indices(row), values.length);
                }
            }
        } else if (t instanceof DenseVector) {
            double[] e = elements((DenseVector) t);
            visitor.row(0, e, null, e.length);
        } else if (t instanceof SparseVector) {
            SparseVector v = (SparseVector) t;
            double[] values = values(v);
            visitor.row(0, values, indices(v), values.length);
        } else {
            throw new IllegalArgumentException("Unsupported tensor type " + t.getClass().getName()
                    + "; descent4j optimisers handle DenseVector, SparseVector, DenseMatrix and DenseSparseMatrix");
        }
    }

    /**
     * The dense backing row {@code row} of a dense tensor (state or parameters): the matrix row, or the
     * vector's elements for row 0.
     */
    public static double[] denseRow(Tensor dense, int row) {
        if (dense instanceof DenseMatrix) {
            return rows((DenseMatrix) dense)[row];
        } else if (dense instanceof DenseVector) {
            return elements((DenseVector) dense);
        }
        throw new IllegalArgumentException("Expected a dense tensor, got " + dense.getClass().getName());
    }

    /** Throws {@link NonFiniteGradientException} if {@code t} holds NaN or ±∞, naming tensor {@code index}. */
    public static void requireFinite(int index, Tensor t) {
        forEachRow(t, (row, values, indices, count) -> {
            if (!Tensors.allFinite(values, 0, count)) {
                int k = Tensors.firstNonFinite(values, 0, count);
                int column = indices == null ? k : indices[k];
                String at = t.getShape().length == 1 ? "[" + column + "]" : "[" + row + ", " + column + "]";
                throw new NonFiniteGradientException(index, at, values[k], describe(t));
            }
        });
    }

    /** Σ x² over the stored values of {@code t}. */
    public static double squaredNorm(Tensor t) {
        double[] sum = new double[1];
        forEachRow(t, (row, values, indices, count) -> sum[0] += Tensors.squaredNorm(values, 0, count));
        return sum[0];
    }

    /** Type and shape, e.g. {@code DenseSparseMatrix[3, 785]}. */
    static String describe(Tensor t) {
        return t.getClass().getSimpleName() + Arrays.toString(t.getShape());
    }

    /**
     * Validates one step's gradients against the parameters: one tensor per parameter tensor, each of the
     * same shape and holding only finite values. Shared by every optimiser and decorator, so all of them
     * reject bad input before touching any state.
     */
    public static void requireValidGradients(Tensor[] params, Tensor[] gradients) {
        requireSameShapes(params, gradients);
        for (int t = 0; t < gradients.length; t++) {
            requireFinite(t, gradients[t]);
        }
    }

    /** Throws unless there is one gradient per parameter tensor, each of the parameter's shape. */
    public static void requireSameShapes(Tensor[] params, Tensor[] gradients) {
        if (gradients.length != params.length) {
            throw new IllegalArgumentException("expected " + params.length + " gradient tensors, got " + gradients.length);
        }
        for (int t = 0; t < gradients.length; t++) {
            requireSameShape(t, params[t], gradients[t]);
        }
    }

    /** Requires {@code gradient} to have the shape of {@code parameter}. */
    static void requireSameShape(int index, Tensor parameter, Tensor gradient) {
        if (!Arrays.equals(parameter.getShape(), gradient.getShape())) {
            throw new IllegalArgumentException("gradient tensor " + index + " has shape " + Arrays.toString(gradient.getShape())
                    + " but the parameter it updates has shape " + Arrays.toString(parameter.getShape()));
        }
    }
}
