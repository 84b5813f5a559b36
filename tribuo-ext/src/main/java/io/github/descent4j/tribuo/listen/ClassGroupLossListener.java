package io.github.descent4j.tribuo.listen;

import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.core.imbalance.ClassFrequencyGroups;
import io.github.descent4j.core.training.LossTrajectory;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Records, every {@code everySteps} optimiser steps, the mean loss of each class-frequency group on a given
 * dataset: the diagnostic of Kunstner et al. (2024), "Heavy-tailed class imbalance and why Adam outperforms
 * gradient descent on language models", where gradient descent leaves the rare groups' loss near its
 * initial value while Adam and sign descent do not.
 * <p>
 * Classes are grouped by {@link ClassFrequencyGroups} using the class counts of a frequency source (by
 * default the evaluated data itself; pass the training set to evaluate held-out data under the training
 * frequencies). A G for which that grouping leaves a group without any class (a class holding more than
 * 1/G of the examples) is refused, naming the largest G that leaves none empty. Recorded: step 0 (the
 * initial parameters), every multiple of {@code everySteps}, and the final step. The overall loss is the unweighted mean over all evaluated examples; a group's loss is the
 * unweighted mean over its examples. A non-finite loss (the model diverged) is recorded as {@code +∞}.
 * Each training run starts a new {@link #trajectory()}.
 */
public final class ClassGroupLossListener implements TrainingListener<Label> {
    private final String name;
    private final Dataset<Label> data;
    private final Dataset<Label> frequencySource;
    private final int groupCount;
    private final int everySteps;

    private LossTrajectory trajectory;
    private ClassFrequencyGroups groups;
    private PreparedExamples<Label> prepared;
    private int[] exampleGroup;
    private int[] groupSizes;

    /**
     * Groups by the class frequencies of {@code data} itself.
     *
     * @param name label of the recorded trajectory, e.g. the optimiser
     * @param data the examples whose loss is recorded
     * @param groups number of frequency groups, >= 1
     * @param everySteps record every this many steps, >= 1
     */
    public ClassGroupLossListener(String name, Dataset<Label> data, int groups, int everySteps) {
        this(name, data, data, groups, everySteps);
    }

    /**
     * @param name label of the recorded trajectory
     * @param data the examples whose loss is recorded
     * @param frequencySource the examples whose class counts define the groups (usually the training set)
     * @param groups number of frequency groups, >= 1
     * @param everySteps record every this many steps, >= 1
     */
    public ClassGroupLossListener(String name, Dataset<Label> data, Dataset<Label> frequencySource, int groups, int everySteps) {
        this.name = Objects.requireNonNull(name, "name");
        this.data = Objects.requireNonNull(data, "data");
        this.frequencySource = Objects.requireNonNull(frequencySource, "frequencySource");
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
        if (everySteps < 1) {
            throw new IllegalArgumentException("everySteps must be >= 1, got " + everySteps);
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("data must not be empty");
        }
        this.groupCount = groups;
        this.everySteps = everySteps;
        this.trajectory = new LossTrajectory(name);
    }

    /** The trajectory of the current (or last) training run. */
    public LossTrajectory trajectory() {
        return trajectory;
    }

    /** The frequency groups of the current (or last) run, indexed by the training output ids. */
    public ClassFrequencyGroups groups() {
        if (groups == null) {
            throw new IllegalStateException("no training run has started yet");
        }
        return groups;
    }

    @Override
    public void onStart(TrainingProgress<Label> progress) {
        ImmutableOutputInfo<Label> outputInfo = progress.outputInfo();
        int classes = outputInfo.size();
        int[] counts = new int[classes];
        for (var example : frequencySource) {
            counts[classId(outputInfo, example.getOutput())]++;
        }
        groups = ClassFrequencyGroups.of(counts, groupCount);
        int[] empty = groups.emptyGroups();
        if (empty.length > 0) {
            // The grouping follows the reference, which returns empty groups; a loss per group needs a class in each.
            throw new IllegalArgumentException("groups = " + groupCount + " leaves frequency group(s) " + Arrays.toString(empty)
                    + " without any class for these class counts (a class holds more than 1/" + groupCount
                    + " of the examples, or there are fewer classes than groups: Kunstner et al.'s split_classes_by_frequency"
                    + " then returns empty groups), so their loss is undefined; the largest groups that leaves none empty is "
                    + ClassFrequencyGroups.largestWithoutEmptyGroup(counts));
        }
        prepared = progress.prepare(data);
        List<Label> outputs = prepared.outputs();
        exampleGroup = new int[outputs.size()];
        groupSizes = new int[groupCount];
        for (int i = 0; i < exampleGroup.length; i++) {
            exampleGroup[i] = groups.groupOf(classId(outputInfo, outputs.get(i)));
            groupSizes[exampleGroup[i]]++;
        }
        for (int g = 0; g < groupCount; g++) {
            if (groupSizes[g] == 0) {
                throw new IllegalArgumentException("frequency group " + g + " has no examples in the evaluated data, so its loss is undefined;"
                        + " evaluate data that covers every group or use fewer groups");
            }
        }
        trajectory = new LossTrajectory(name);
        record(progress);
    }

    @Override
    public void onStep(TrainingProgress<Label> progress) {
        if (progress.step() % everySteps == 0) {
            record(progress);
        }
    }

    @Override
    public void onEnd(TrainingProgress<Label> progress) {
        if (trajectory.isEmpty() || trajectory.last().step() != progress.step()) {
            record(progress);
        }
    }

    private static int classId(ImmutableOutputInfo<Label> outputInfo, Label label) {
        int id = outputInfo.getID(label);
        if (id < 0) {
            throw new IllegalArgumentException("label '" + label.getLabel() + "' is unknown to the training data");
        }
        return id;
    }

    private void record(TrainingProgress<Label> progress) {
        double[] losses = progress.exampleLosses(prepared);
        double[] groupSums = new double[groupCount];
        double total = 0;
        for (int i = 0; i < losses.length; i++) {
            groupSums[exampleGroup[i]] += losses[i];
            total += losses[i];
        }
        double[] groupLosses = new double[groupCount];
        for (int g = 0; g < groupCount; g++) {
            groupLosses[g] = finiteOrInfinity(groupSums[g] / groupSizes[g]);
        }
        trajectory.record(progress.step(), finiteOrInfinity(total / losses.length), groupLosses);
    }

    private static double finiteOrInfinity(double loss) {
        return Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
    }
}
