package io.github.descent4j.dl4j.batch;

import java.util.List;

/**
 * The outcome of {@link AdaptiveBatchTrainer#fit}: every step's record and the batch-size trajectory.
 */
public final class AdaptiveBatchRun {
    private final List<AdaptiveBatchStep> steps;
    private final int[] batchSizes;

    AdaptiveBatchRun(int initialBatchSize, List<AdaptiveBatchStep> steps) {
        this.steps = List.copyOf(steps);
        this.batchSizes = new int[steps.size() + 1];
        batchSizes[0] = initialBatchSize;
        for (int i = 0; i < steps.size(); i++) {
            batchSizes[i + 1] = steps.get(i).nextBatchSize();
        }
    }

    /** Every step, in order. */
    public List<AdaptiveBatchStep> steps() {
        return steps;
    }

    /** Number of optimiser steps taken. */
    public int stepCount() {
        return steps.size();
    }

    /**
     * The batch-size trajectory: b0, then the batch size chosen after each step ({@link #stepCount()} + 1
     * values, non-decreasing, at most b_max).
     */
    public int[] batchSizes() {
        return batchSizes.clone();
    }

    /** Examples processed by all steps. */
    public long examplesSeen() {
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).examplesSeen();
    }

    /** The batch size the next step would use. */
    public int finalBatchSize() {
        return batchSizes[batchSizes.length - 1];
    }

    @Override
    public String toString() {
        return "AdaptiveBatchRun[steps=" + stepCount() + ", examples=" + examplesSeen() + ", batch " + batchSizes[0]
                + " -> " + finalBatchSize() + "]";
    }
}
