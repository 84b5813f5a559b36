package io.github.descent4j.tribuo.listen;

import io.github.descent4j.core.training.LossTrajectory;
import org.tribuo.Dataset;
import org.tribuo.Output;

import java.util.Objects;

/**
 * Records the mean loss on a given dataset at step 0, every {@code everySteps} optimiser steps and at the
 * final step, for any descent4j linear trainer (classification, regression, multi-label). The loss is the
 * unweighted mean of the trainer's objective over the dataset; a non-finite loss (the model diverged) is
 * recorded as {@code +∞}. Each training run starts a new {@link #trajectory()}.
 * For per-class-frequency-group losses use {@link ClassGroupLossListener}.
 *
 * @param <T> output type
 */
public final class LossCurveListener<T extends Output<T>> implements TrainingListener<T> {
    private final String name;
    private final Dataset<T> data;
    private final int everySteps;
    private LossTrajectory trajectory;
    private PreparedExamples<T> prepared;

    /**
     * @param name label of the trajectory, e.g. the optimiser
     * @param data the examples whose loss is recorded
     * @param everySteps record every this many steps, >= 1
     */
    public LossCurveListener(String name, Dataset<T> data, int everySteps) {
        this.name = Objects.requireNonNull(name, "name");
        this.data = Objects.requireNonNull(data, "data");
        if (everySteps < 1) {
            throw new IllegalArgumentException("everySteps must be >= 1, got " + everySteps);
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("data must not be empty");
        }
        this.everySteps = everySteps;
        this.trajectory = new LossTrajectory(name);
    }

    /** The trajectory of the current (or last) training run. */
    public LossTrajectory trajectory() {
        return trajectory;
    }

    @Override
    public void onStart(TrainingProgress<T> progress) {
        prepared = progress.prepare(data);
        trajectory = new LossTrajectory(name);
        record(progress);
    }

    @Override
    public void onStep(TrainingProgress<T> progress) {
        if (progress.step() % everySteps == 0) {
            record(progress);
        }
    }

    @Override
    public void onEnd(TrainingProgress<T> progress) {
        if (trajectory.isEmpty() || trajectory.last().step() != progress.step()) {
            record(progress);
        }
    }

    private void record(TrainingProgress<T> progress) {
        double sum = 0;
        for (double loss : progress.exampleLosses(prepared)) {
            sum += loss;
        }
        double mean = sum / prepared.size();
        trajectory.record(progress.step(), Double.isFinite(mean) ? mean : Double.POSITIVE_INFINITY);
    }
}
