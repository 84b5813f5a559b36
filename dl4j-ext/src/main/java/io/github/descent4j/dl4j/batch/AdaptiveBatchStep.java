package io.github.descent4j.dl4j.batch;

import io.github.descent4j.core.batch.BatchStatistics;

import java.util.OptionalDouble;

/**
 * One optimiser step of an {@link AdaptiveBatchTrainer} run.
 *
 * @param step 0-based step index within the run
 * @param batchSize examples the step used (b)
 * @param examplesSeen examples drawn so far, including this step's
 * @param score the network's score on this step's batch at the pre-step parameters (mean loss plus
 *     regularisation, as DL4J reports it)
 * @param statistics micro-batch estimates of the per-example statistics at the pre-step parameters, or
 *     null when the test no longer ran ({@code b = b_max})
 * @param statistic the test statistic T of the configured test, empty when the test did not run
 * @param nextBatchSize the batch size of the next step
 */
public record AdaptiveBatchStep(int step, int batchSize, long examplesSeen, double score, BatchStatistics statistics,
        OptionalDouble statistic, int nextBatchSize) {

    /** True if the batch-size test ran on this step. */
    public boolean tested() {
        return statistics != null;
    }
}
