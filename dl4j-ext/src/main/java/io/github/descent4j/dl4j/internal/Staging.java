package io.github.descent4j.dl4j.internal;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import io.github.descent4j.core.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Moves chunks of a contiguous, off-heap ND4J array to and from small heap {@code double[]} buffers, so the
 * core's {@code double[]} kernels run on data that ND4J holds as float (the default) or double.
 * <p>
 * Why chunks: a chunk of {@link UpdateRuleGradientUpdater#CHUNK} values of the gradient and of each state
 * buffer stays in the L1/L2 cache between being widened, updated by the rule and narrowed again, so the
 * only main-memory traffic is the float data itself, as in a native kernel. The copies between the
 * direct buffer and the heap are bulk copies ({@code memcpy}); the widening and narrowing loops are
 * vectorised by C2.
 * <p>
 * Not thread-safe: each instance shares its scratch array with its owner's other stagings.
 */
public abstract class Staging {
    /** Element {@code from + i} of the array into {@code dst[i]}, for {@code i < length}. */
    public abstract void read(long from, double[] dst, int length);

    /** {@code src[i]} into element {@code from + i}, for {@code i < length}. */
    public abstract void write(long from, double[] src, int length);

    /**
     * A staging over {@code array}'s memory, or null when the array is not a dense run of float or
     * double values the JDK can address through one NIO buffer (callers then copy to a double array).
     *
     * @param floatScratch reused for float arrays; at least as long as any chunk
     */
    public static Staging of(INDArray array, float[] floatScratch) {
        if (array == null || array.isEmpty() || array.elementWiseStride() != 1) {
            return null;
        }
        long length = array.length();
        switch (array.dataType()) {
            case FLOAT: {
                // The NIO view spans the whole allocation, positioned at this array's first element.
                FloatBuffer buffer = array.data().asNioFloat();
                if ((long) buffer.position() + length > buffer.capacity()) {
                    return null;
                }
                return new FloatStaging(buffer, buffer.position(), floatScratch);
            }
            case DOUBLE: {
                DoubleBuffer buffer = array.data().asNioDouble();
                if ((long) buffer.position() + length > buffer.capacity()) {
                    return null;
                }
                return new DoubleStaging(buffer, buffer.position());
            }
            default:
                return null;
        }
    }

    /**
     * Whether the array holds floats, which {@link #readFloats} and {@link #writeFloats} move as they are, so
     * a kernel can widen them where it uses them instead of through a {@code double[]} copy.
     */
    public boolean holdsFloats() {
        return false;
    }

    /** Element {@code from + i} into {@code dst[i]}, for {@code i < length}; only when {@link #holdsFloats()}. */
    public void readFloats(long from, float[] dst, int length) {
        throw new UnsupportedOperationException("not a float array");
    }

    /** {@code src[i]} into element {@code from + i}, for {@code i < length}; only when {@link #holdsFloats()}. */
    public void writeFloats(long from, float[] src, int length) {
        throw new UnsupportedOperationException("not a float array");
    }

    /**
     * The same memory staged through another scratch array, for a second thread working on a disjoint
     * range at the same time; null when this staging cannot be shared (a heap copy).
     */
    public Staging forLane(float[] floatScratch) {
        return null;
    }

    /** Σ x² over the first {@code length} elements, staged through {@code scratch}. */
    public double squaredNorm(long length, double[] scratch) {
        double sum = 0;
        for (long from = 0; from < length; from += scratch.length) {
            int n = (int) Math.min(scratch.length, length - from);
             read(from, scratch, n);
            sum += Tensors.squaredNorm(scratch, 0, n);
        }
        return sum;
    }

    /** Multiplies the first {@code length} elements by {@code factor} in place, staged through {@code scratch}. */
    public void multiply(long length, double factor, double[] scratch) {
        for (long from = 0; from < length; from += scratch.length) {
            int n = (int) Math.min(scratch.length, length - from);
             read(from, scratch, n);
            for (int i = 0; i < n; i++) {
                scratch[i] *= factor;
            }
             write(from, scratch, n);
        }
    }

    /** Index of the first NaN or infinity among the first {@code length} elements, or -1. */
    public long firstNonFinite(long length, double[] scratch) {
        for (long from = 0; from < length; from += scratch.length) {
            int n = (int) Math.min(scratch.length, length - from);
             read(from, scratch, n);
            int at = Tensors.firstNonFinite(scratch, 0, n);
            if (at >= 0) {
                return from + at;
            }
        }
        return -1;
    }

    private static final class FloatStaging extends Staging {
        private final FloatBuffer buffer;
        private final int base;
        private final float[] scratch;

        FloatStaging(FloatBuffer buffer, int base, float[] scratch) {
            this.buffer = buffer;
            this.base = base;
            this.scratch = scratch;
        }

        @Override
        public Staging forLane(float[] floatScratch) {
            return new FloatStaging(buffer.duplicate(), base, floatScratch);
        }

        @Override
        public boolean holdsFloats() {
            return true;
        }

        @Override
        public void readFloats(long from, float[] dst, int length) {
            buffer.get(base + (int) from, dst, 0, length);
        }

        @Override
        public void writeFloats(long from, float[] src, int length) {
            buffer.put(base + (int) from, src, 0, length);
        }

        @Override
        public void read(long from, double[] dst, int length) {
            final float[] f = scratch;
            buffer.get(base + (int) from, f, 0, length);
            for (int i = 0; i < length; i++) {
                dst[i] = f[i];
            }
        }

        @Override
        public void write(long from, double[] src, int length) {
            final float[] f = scratch;
            for (int i = 0; i < length; i++) {
                f[i] = (float) src[i];
            }
            buffer.put(base + (int) from, f, 0, length);
        }
    }

    private static final class DoubleStaging extends Staging {
        private final DoubleBuffer buffer;
        private final int base;

        DoubleStaging(DoubleBuffer buffer, int base) {
            this.buffer = buffer;
            this.base = base;
        }

        @Override
        public Staging forLane(float[] floatScratch) {
            return new DoubleStaging(buffer.duplicate(), base);
        }

        @Override
        public void read(long from, double[] dst, int length) {
            buffer.get(base + (int) from, dst, 0, length);
        }

        @Override
        public void write(long from, double[] src, int length) {
            buffer.put(base + (int) from, src, 0, length);
        }
    }
}
