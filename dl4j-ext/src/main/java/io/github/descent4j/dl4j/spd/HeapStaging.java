package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.internal.Staging;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The slow path of {@link SelectiveProjectionDecay}'s steps, for data types and layouts NIO cannot address: a
 * double copy of an array made outside any workspace, written back by {@link #flush}.
 */
final class HeapStaging extends Staging {
    private final INDArray target;
    private final double[] values;

    private HeapStaging(INDArray target) {
        this.target = target;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            char order = target.ordering();
            this.values = target.dup(order).reshape(order, new long[]{target.length()}).castTo(DataType.DOUBLE).toDoubleVector();
        }
    }

    /** A staging of the array's memory, or of a heap copy for data types and layouts NIO cannot address. */
    static Staging stage(INDArray array, float[] floatScratch) {
        Staging direct = Staging.of(array, floatScratch);
        return direct != null ? direct : new HeapStaging(array);
    }

    /** Writes a heap copy back to its array; nothing for a direct staging, which wrote in place. */
    static void flush(Staging staging) {
        if (staging instanceof HeapStaging heap) {
            heap.flush();
        }
    }

    @Override
    public void read(long from, double[] dst, int length) {
        System.arraycopy(values, (int) from, dst, 0, length);
    }

    @Override
    public void write(long from, double[] src, int length) {
        System.arraycopy(src, 0, values, (int) from, length);
    }

    private void flush() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            target.assign(Nd4j.createFromArray(values).reshape(target.ordering(), target.shape()).castTo(target.dataType()));
        }
    }
}
