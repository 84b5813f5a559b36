package io.github.descent4j.dl4j.internal;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-thread chunk buffers for the training listeners, which stage the network's flattened arrays through
 * {@link Staging} without allocating per step.
 */
public final class ChunkScratch {
    private static final ThreadLocal<ChunkScratch> LOCAL = ThreadLocal.withInitial(ChunkScratch::new);

    public final double[] first = new double[UpdateRuleGradientUpdater.CHUNK];
    public final double[] second = new double[UpdateRuleGradientUpdater.CHUNK];
    /** Shared by every staging of the current thread: stagings are used one at a time. */
    final float[] floats = new float[UpdateRuleGradientUpdater.CHUNK];

    public static ChunkScratch get() {
        return LOCAL.get();
    }

    /**
     * A staging over {@code array} through this thread's float buffer.
     *
     * @throws UnsupportedOperationException for arrays that are not contiguous FLOAT or DOUBLE
     */
    public Staging staging(INDArray array, String user) {
        Staging s = Staging.of(array, floats);
        if (s == null) {
            throw new UnsupportedOperationException(user + " needs contiguous FLOAT or DOUBLE parameter and gradient arrays, got "
                    + array.dataType() + " with element stride " + array.elementWiseStride());
        }
        return s;
    }
}
