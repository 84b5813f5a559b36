package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Output;
import org.tribuo.math.LinearParameters;

import java.util.ArrayList;
import java.util.List;

/**
 * The counters of one training run and the {@link TrainingProgress} getters listeners read them through;
 * {@link TrainingRun} advances them.
 */
abstract class RunProgress<T extends Output<T>> implements TrainingProgress<T> {
    /** The live weights, in {@link #layout}. */
    final LinearParameters parameters;
    final WeightLayout layout;
    /** {@link #parameters()}: the weights in Tribuo's layout, built on demand; null once the weights change. */
    private LinearParameters tribuoLayout;
    final ImmutableFeatureMap featureMap;
    final ImmutableOutputInfo<T> outputInfo;
    long plannedSteps;

    long step;
    int epoch;
    long examplesSeen;
    int lastBatchSize;
    double lastBatchLoss = Double.NaN;
    double lastPerturbedLoss = Double.NaN;
    double epochLossSum;
    double epochWeightSum;
    boolean stopRequested;
    /** The scheduled batch size of every step taken (adaptive runs only). */
    final List<Integer> trajectory = new ArrayList<>();
    /** Statistics of the last batch test (null before the first, and once the schedule reached b_max). */
    BatchStatistics lastStatistics;
    double lastTestStatistic = Double.NaN;
    /** Early stopping's decision state, or null without early stopping. */
    EarlyStoppingState stopping;
    boolean stoppedEarly;

    RunProgress(WeightLayout layout, LinearParameters parameters, ImmutableFeatureMap featureMap, ImmutableOutputInfo<T> outputInfo) {
        this.layout = layout;
        this.parameters = parameters;
        this.featureMap = featureMap;
        this.outputInfo = outputInfo;
    }

    /** Marks the weights as changed (after a step, or when the best epoch's weights are put back). */
    void weightsChanged() {
        tribuoLayout = null;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public long examplesSeen() {
        return examplesSeen;
    }

    @Override
    public int lastBatchSize() {
        return lastBatchSize;
    }

    @Override
    public double lastBatchLoss() {
        return lastBatchLoss;
    }

    @Override
    public double lastBatchPerturbedLoss() {
        return lastPerturbedLoss;
    }

    @Override
    public double epochLoss() {
        return epochWeightSum == 0 ? Double.NaN : epochLossSum / epochWeightSum;
    }

    @Override
    public long plannedSteps() {
        return plannedSteps;
    }

    @Override
    public LinearParameters parameters() {
        if (tribuoLayout == null) {
            tribuoLayout = layout.toTribuoLayout(parameters);
        }
        return tribuoLayout;
    }

    @Override
    public ImmutableFeatureMap featureMap() {
        return featureMap;
    }

    @Override
    public ImmutableOutputInfo<T> outputInfo() {
        return outputInfo;
    }

    @Override
    public double lastBatchTestStatistic() {
        return lastTestStatistic;
    }

    @Override
    public BatchStatistics lastBatchStatistics() {
        return lastStatistics;
    }

    @Override
    public List<Integer> batchSizeTrajectory() {
        return List.copyOf(trajectory);
    }

    @Override
    public void requestStop() {
        stopRequested = true;
    }

    @Override
    public double lastValidationMetric() {
        return stopping == null ? Double.NaN : stopping.last();
    }

    @Override
    public double bestValidationMetric() {
        return stopping == null ? Double.NaN : stopping.best();
    }

    @Override
    public int bestEpoch() {
        return stopping == null ? -1 : stopping.bestEpoch();
    }

    @Override
    public boolean stoppedEarly() {
        return stoppedEarly;
    }
}
