package io.github.descent4j.dl4j.batch;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

import java.util.SplittableRandom;

/**
 * An in-memory dataset read as an endless stream of shuffled passes: {@link #next(int)} returns the next
 * {@code b} example indices, continuing into a freshly shuffled pass when the current one runs out, so every
 * step gets exactly {@code b} distinct-within-a-pass examples whatever the source iterator's batch size.
 */
final class ShuffledExamples {
    private final DataSet data;
    private final int size;
    private final SplittableRandom random;
    private final int[] order;
    private int position;
    private long drawn;

    ShuffledExamples(DataSet data, long seed) {
        this.data = data;
        this.size = data.numExamples();
        this.random = new SplittableRandom(seed);
        this.order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        shuffle();
    }

    int size() {
        return size;
    }

    /** Examples drawn so far; a pass ends at every multiple of {@link #size()}. */
    long drawn() {
        return drawn;
    }

    /** The next {@code b} indices ({@code 1 <= b <= size}). */
    int[] next(int b) {
        int[] picked = new int[b];
        int filled = 0;
        while (filled < b) {
            if (position == size) {
                shuffle();
            }
            int n = Math.min(b - filled, size - position);
            System.arraycopy(order, position, picked, filled, n);
            position += n;
            filled += n;
        }
        drawn += b;
        return picked;
    }

    /** The examples {@code indices[from..to)} as a new DataSet (features, labels and masks). */
    DataSet gather(int[] indices, int from, int to) {
        int[] rows = java.util.Arrays.copyOfRange(indices, from, to);
        return new DataSet(rows(data.getFeatures(), rows), rows(data.getLabels(), rows),
                rows(data.getFeaturesMaskArray(), rows), rows(data.getLabelsMaskArray(), rows));
    }

    /** Rows {@code [from, to)} of {@code batch} as views (no copy). */
    static DataSet slice(DataSet batch, int from, int to) {
        return new DataSet(range(batch.getFeatures(), from, to), range(batch.getLabels(), from, to),
                range(batch.getFeaturesMaskArray(), from, to), range(batch.getLabelsMaskArray(), from, to));
    }

    private static INDArray range(INDArray array, int from, int to) {
        if (array == null) {
            return null;
        }
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int k = 1; k < index.length; k++) {
            index[k] = NDArrayIndex.all();
        }
        return array.get(index);
    }

    private static INDArray rows(INDArray array, int[] rows) {
        if (array == null) {
            return null;
        }
        if (array.rank() == 2) {
            return Nd4j.pullRows(array, 1, rows);
        }
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = new SpecifiedIndex(rows);
        for (int k = 1; k < index.length; k++) {
            index[k] = NDArrayIndex.all();
        }
        return array.get(index);
    }

    private void shuffle() {
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        position = 0;
    }
}
