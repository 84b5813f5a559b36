package io.github.descent4j.tribuo.listen;

import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import io.github.descent4j.core.batch.BatchStatistics;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Output;
import org.tribuo.math.LinearParameters;

import java.util.List;

/**
 * A read-only view of a running descent4j training loop, handed to every {@link TrainingListener}.
 *
 * @param <T> the output type of the trainer
 */
public interface TrainingProgress<T extends Output<T>> {

    /** Optimiser steps taken so far (0 in {@link TrainingListener#onStart}). */
    long step();

    /** The current epoch, counting from 0; in {@link TrainingListener#onEpochEnd} the epoch that ended. */
    int epoch();

    /** Training examples consumed by the steps so far. */
    long examplesSeen();

    /** Examples in the last minibatch (0 before the first step). */
    int lastBatchSize();

    /**
     * Weighted mean loss {@code Σ w_i ℓ_i / Σ w_i} of the last minibatch, measured at the parameters the
     * step started from (NaN before the first step).
     */
    double lastBatchLoss();

    /**
     * With sharpness-aware training ({@link SharpnessAwareTraining}), the weighted mean loss of the last minibatch at
     * the perturbed point θ + ε where the step's gradient was taken; {@code lastBatchPerturbedLoss() −
     * lastBatchLoss()} is SAM's sharpness estimate. NaN without sharpness-aware training and before the
     * first step.
     */
    double lastBatchPerturbedLoss();

    /** Weighted mean loss of the minibatches of the current epoch so far (NaN before its first step). */
    double epochLoss();

    /**
     * The number of steps training will take if no listener stops it: {@code epochs × ⌈n / batch⌉}, capped
     * by the trainer's {@code maxSteps}. With adaptive batch sizes, {@code batch} is the initial batch size
     * {@code b0}, so this is an upper bound (the batch only grows).
     */
    long plannedSteps();

    /**
     * The model's current parameters in Tribuo's layout ({@code [outputs, features + 1]}, bias last, as the trained
     * model will have them). descent4j's linear trainers train a feature-major copy
     * ({@link io.github.descent4j.tribuo.train.FeatureMajorLinearParameters}); this is its transpose, built on the
     * first call after each step and shared until the next, so modifying it does not change training.
     */
    LinearParameters parameters();

    /** The feature map of the training data. */
    ImmutableFeatureMap featureMap();

    /** The output domain of the training data. */
    ImmutableOutputInfo<T> outputInfo();

    /**
     * Converts {@code data} with the training feature map and output domain, once, so that
     * {@link #exampleLosses} can evaluate it cheaply at every checkpoint. Features unknown to the training
     * data are dropped, as at prediction time.
     *
     * @throws IllegalArgumentException if an example's output is unknown to the training data
     */
    PreparedExamples<T> prepare(Dataset<T> data);

    /** The unweighted loss of every prepared example at the current parameters, in dataset order. */
    double[] exampleLosses(PreparedExamples<T> examples);

    /**
     * The batch size the next step will use (the last batch of an epoch may be shorter): fixed for
     * fixed minibatches; with adaptive batch sizes, the size set by the last batch test (b0 before the
     * first step), capped by the dataset size.
     */
    int currentBatchSize();

    /**
     * The statistic T of the last adaptive batch test, measured at the parameters its step started from on
     * the step's own batch; NaN for fixed batches and before the first test. Once the batch size reached
     * {@code b_max} the test stops running and this keeps its last value.
     */
    double lastBatchTestStatistic();

    /**
     * The batch statistics (unweighted per-example gradients of the positive-weight examples of the last
     * batch, at the parameters the step started from) behind {@link #lastBatchTestStatistic()}; null for fixed
     * batches, before the first test and on steps taken at {@code b_max}, where no test runs.
     */
    BatchStatistics lastBatchStatistics();

    /**
     * With adaptive batch sizes, the scheduled batch size of every step so far (non-decreasing; the batch
     * actually used may be shorter at the end of an epoch, see {@link #lastBatchSize()}); empty for fixed
     * batches. The same list is recorded in the model's run provenance under {@code "batch-size-trajectory"}.
     */
    List<Integer> batchSizeTrajectory();

    /** Asks the loop to stop after the current step; the model is still built from the parameters reached. */
    void requestStop();

    /**
     * With early stopping ({@link io.github.descent4j.tribuo.stopping.EarlyStopping}), the validation metric at the
     * end of the latest epoch (in {@link TrainingListener#onEpochEnd}, of the epoch that ended); NaN without early
     * stopping and before the first epoch ended.
     */
    default double lastValidationMetric() {
        return Double.NaN;
    }

    /** With early stopping, the best validation metric so far; NaN without early stopping and before the first epoch ended. */
    default double bestValidationMetric() {
        return Double.NaN;
    }

    /**
     * With early stopping, the epoch (from 0) whose end parameters the model will get, the best so far; -1 without
     * early stopping and before the first epoch ended.
     */
    default int bestEpoch() {
        return -1;
    }

    /** Whether early stopping ended training: {@code patience} epochs passed without improvement. */
    default boolean stoppedEarly() {
        return false;
    }
}
