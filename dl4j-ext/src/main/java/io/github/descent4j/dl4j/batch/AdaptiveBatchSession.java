package io.github.descent4j.dl4j.batch;

import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.dl4j.internal.Staging;
import io.github.descent4j.dl4j.internal.TrainableNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.OptionalDouble;

/**
 * One run's buffers and its steps for {@link AdaptiveBatchTrainer}: while the schedule is testing, the
 * micro-batch gradients of a step, their sum (the step's gradient) and the estimated statistics; afterwards
 * a plain {@code fit}. Package-private for tests.
 */
final class AdaptiveBatchSession {
    private final TrainableNetwork net;
    private final ShuffledExamples examples;
    private final int microBatches;
    private final int dimension;
    private final double[] means;
    private float[] floatScratch;
    private double[] row;
    private INDArray sum;

    AdaptiveBatchSession(TrainableNetwork net, ShuffledExamples examples, int microBatches) {
        this.net = net;
        this.examples = examples;
        this.microBatches = microBatches;
        long d = net.parameterCount();
        if ((long) microBatches * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("microBatches x parameters = " + microBatches + " x " + d
                    + " exceeds the largest Java array; use fewer micro-batches");
        }
        this.dimension = (int) d;
        this.means = new double[microBatches * dimension];
    }

    /** Micro-batch sizes for {@code b} examples: the first {@code b mod m} get {@code ⌈b/m⌉}, the rest {@code ⌊b/m⌋}. */
    static int[] microBatchSizes(int b, int m) {
        int[] sizes = new int[m];
        for (int k = 0; k < m; k++) {
            sizes[k] = b / m + (k < b % m ? 1 : 0);
        }
        return sizes;
    }

    /** One step on the examples {@code indices}; runs the test if the schedule is still testing. */
    AdaptiveBatchStep step(int index, int[] indices, AdaptiveBatchSize schedule) {
        int b = indices.length;
        if (!schedule.isTesting()) {
            net.fit(examples.gather(indices, 0, b));
            return new AdaptiveBatchStep(index, b, examples.drawn(), net.score(), null, OptionalDouble.empty(), b);
        }
        BatchStatistics statistics = microBatchStatistics(indices);
        double score = lastScore;
        int next = schedule.update(statistics);
        net.applyGradient(sum, b, score);
        return new AdaptiveBatchStep(index, b, examples.drawn(), score, statistics, schedule.lastStatistic(), next);
    }

    private double lastScore;

    /**
     * Computes the micro-batch gradients of {@code indices} at the current parameters, leaves their sum
     * in {@link #sum} and the size-weighted mean score in {@link #lastScore}, and returns the estimates.
     */
    BatchStatistics microBatchStatistics(int[] indices) {
        int b = indices.length;
        int[] sizes = microBatchSizes(b, microBatches);
        double score = 0;
        int from = 0;
        DataSet batch = examples.gather(indices, 0, b); // one copy; the micro-batches are views of it
        for (int k = 0; k < microBatches; k++) {
            int to = from + sizes[k];
            net.computeGradient(ShuffledExamples.slice(batch, from, to));
            INDArray view = net.gradientView();
            if (sum == null) {
                sum = Nd4j.createUninitialized(view.dataType(), view.shape(), view.ordering());
            }
            if (k == 0) {
                sum.assign(view);
            } else {
                sum.addi(view);
            }
            copyMean(view, k, sizes[k]);
            score += sizes[k] * net.score();
            from = to;
        }
        lastScore = score / b;
        return BatchStatistics.ofMicroBatchMeans(means, microBatches, dimension, sizes);
    }

    /** The raw micro-batch gradient (a sum over its examples) divided by its size, into row {@code k}. */
    private void copyMean(INDArray view, int k, int size) {
        int offset = k * dimension;
        if (floatScratch == null) {
            floatScratch = new float[dimension];
            row = new double[dimension];
        }
        Staging staging = Staging.of(view, floatScratch);
        double[] values = row;
        if (staging != null) {
            staging.read(0, values, dimension);
        } else {
            values = view.toDoubleVector();
        }
        double scale = 1.0 / size;
        for (int j = 0; j < dimension; j++) {
            means[offset + j] = values[j] * scale;
        }
    }
}
