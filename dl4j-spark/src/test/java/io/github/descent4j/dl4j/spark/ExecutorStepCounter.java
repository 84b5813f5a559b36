package io.github.descent4j.dl4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, on the executors, optimiser steps and backward passes. SAM runs a second forward and backward pass inside
 * each step, which every listener sees, so under SAM backward passes = 2 × steps.
 * <p>
 * The counts are static, i.e. per JVM: in {@code local[2]} the executors run in the test's JVM, so every copy Spark
 * deserialises on them adds to the same counters. (A Spark {@code LongAccumulator} counts correctly under parameter
 * averaging, but not under gradient sharing, whose one training thread per node outlives the task that deserialised
 * the listener; it reported 2 of 320 steps, so it is not used.)
 */
final class ExecutorStepCounter extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final AtomicLong STEPS = new AtomicLong();
    private static final AtomicLong BACKWARD_PASSES = new AtomicLong();

    static void reset() {
        STEPS.set(0);
        BACKWARD_PASSES.set(0);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        STEPS.incrementAndGet();
    }

    @Override
    public void onBackwardPass(Model model) {
        BACKWARD_PASSES.incrementAndGet();
    }

    static long steps() {
        return STEPS.get();
    }

    static long backwardPasses() {
        return BACKWARD_PASSES.get();
    }
}
