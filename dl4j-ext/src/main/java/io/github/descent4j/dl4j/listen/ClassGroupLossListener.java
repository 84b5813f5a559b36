package io.github.descent4j.dl4j.listen;

import io.github.descent4j.core.imbalance.ClassFrequencyGroups;
import io.github.descent4j.core.training.LossTrajectory;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Records, every {@code everyIterations} iterations, the mean loss of each class-frequency group on a given
 * dataset for a DL4J classifier: the diagnostic of Kunstner et al. (2024), "Heavy-tailed class imbalance and
 * why Adam outperforms gradient descent on language models". The DL4J counterpart of descent4j's Tribuo
 * {@code ClassGroupLossListener}; add it with {@code net.addListeners(...)}.
 * <p>
 * Classes are the columns of the one-hot labels and are grouped by {@link ClassFrequencyGroups} using the
 * class counts of a frequency source (by default the evaluated data; pass the training labels to evaluate
 * held-out data under the training frequencies); a G for which that grouping leaves a group without any class
 * (a class holding more than 1/G of the examples) is refused, naming the largest G that leaves none empty.
 * The loss of an example is the network's own per-example score ({@code scoreExamples} without regularization terms, i.e. its output layer's loss function); the
 * overall loss is the mean over all examples, a group's loss the mean over its examples. A non-finite loss
 * is recorded as {@code +∞}. The first record is taken at the first iteration callback (DL4J has no
 * "before training" callback), then at every multiple of {@code everyIterations}; call
 * {@link #record(Model, long)} to add a point yourself, e.g. before {@code fit}.
 * <p>
 * {@link Serializable} (Java and Kryo) with value {@code equals}: the evaluated data, the grouping, the interval and
 * the trajectory recorded so far. Under Spark each executor's copy records its own worker's trajectory, which is
 * discarded with the task: record on the driver's network between {@code fit} calls instead.
 */
public final class ClassGroupLossListener extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DataSet data;
    private final int[] exampleGroup;
    private final int[] groupSizes;
    private final ClassFrequencyGroups groups;
    private final int everyIterations;
    private final LossTrajectory trajectory;

    /**
     * Groups by the class frequencies of {@code data} itself.
     *
     * @param name label of the recorded trajectory, e.g. the updater
     * @param data features and one-hot labels of the examples whose loss is recorded
     * @param groups number of frequency groups, >= 1
     * @param everyIterations record every this many iterations, >= 1
     */
    public ClassGroupLossListener(String name, DataSet data, int groups, int everyIterations) {
        this(name, data, data.getLabels(), groups, everyIterations);
    }

    /**
     * @param name label of the recorded trajectory
     * @param data features and one-hot labels of the examples whose loss is recorded
     * @param frequencyLabels one-hot labels whose class counts define the groups (usually the training labels)
     * @param groups number of frequency groups, >= 1
     * @param everyIterations record every this many iterations, >= 1
     */
    public ClassGroupLossListener(String name, DataSet data, INDArray frequencyLabels, int groups, int everyIterations) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (everyIterations < 1) {
            throw new IllegalArgumentException("everyIterations must be >= 1, got " + everyIterations);
        }
        if (data.numExamples() == 0) {
            throw new IllegalArgumentException("data must not be empty");
        }
        int classes = (int) data.getLabels().size(1);
        if (frequencyLabels.size(1) != classes) {
            throw new IllegalArgumentException("frequencyLabels has " + frequencyLabels.size(1) + " classes but data has " + classes);
        }
        this.data = data;
        this.everyIterations = everyIterations;
        int[] counts = classCounts(frequencyLabels, classes);
        this.groups = ClassFrequencyGroups.of(counts, groups);
        int[] empty = this.groups.emptyGroups();
        if (empty.length > 0) {
            // The grouping follows the reference, which returns empty groups; a loss per group needs a class in each.
            throw new IllegalArgumentException("groups = " + groups + " leaves frequency group(s) " + Arrays.toString(empty)
                    + " without any class for these class counts (a class holds more than 1/" + groups
                    + " of the examples, or there are fewer classes than groups: Kunstner et al.'s split_classes_by_frequency"
                    + " then returns empty groups), so their loss is undefined; the largest groups that leaves none empty is "
                    + ClassFrequencyGroups.largestWithoutEmptyGroup(counts));
        }
        int[] labels = argmax(data.getLabels());
        this.exampleGroup = new int[labels.length];
        this.groupSizes = new int[groups];
        for (int i = 0; i < labels.length; i++) {
            exampleGroup[i] = this.groups.groupOf(labels[i]);
            groupSizes[exampleGroup[i]]++;
        }
        for (int g = 0; g < groups; g++) {
            if (groupSizes[g] == 0) {
                throw new IllegalArgumentException("frequency group " + g + " has no examples in the evaluated data, so its loss is undefined;"
                        + " evaluate data that covers every group or use fewer groups");
            }
        }
        this.trajectory = new LossTrajectory(name);
    }

    private static int[] argmax(INDArray oneHot) {
        return oneHot.argMax(1).toIntVector();
    }

    private static int[] classCounts(INDArray oneHot, int classes) {
        int[] counts = new int[classes];
        for (int label : argmax(oneHot)) {
            counts[label]++;
        }
        return counts;
    }

    /** The recorded trajectory. */
    public LossTrajectory trajectory() {
        return trajectory;
    }

    /** The frequency groups, indexed by label column. */
    public ClassFrequencyGroups groups() {
        return groups;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        // DL4J reports the iteration that just finished, counting from 0: after it, iteration + 1 steps are done.
        long steps = iteration + 1L;
        if (trajectory.isEmpty() || steps % everyIterations == 0) {
            record(model, steps);
        }
    }

    /**
     * Records the loss of every group at the model's current parameters, labelled {@code step}; a step not
     * after the last recorded one is ignored.
     *
     * @throws IllegalArgumentException if the model is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public void record(Model model, long step) {
        if (!trajectory.isEmpty() && trajectory.last().step() >= step) {
            return; // already recorded at this step (e.g. the first callback after a manual record)
        }
        INDArray scores;
        if (model instanceof MultiLayerNetwork net) {
            scores = net.scoreExamples(data, false);
        } else if (model instanceof ComputationGraph graph) {
            scores = graph.scoreExamples(data, false);
        } else {
            throw new IllegalArgumentException("ClassGroupLossListener supports MultiLayerNetwork and ComputationGraph, got "
                    + model.getClass().getName());
        }
        double[] losses = scores.toDoubleVector();
        double[] sums = new double[groupSizes.length];
        double total = 0;
        for (int i = 0; i < losses.length; i++) {
            sums[exampleGroup[i]] += losses[i];
            total += losses[i];
        }
        double[] groupLosses = new double[sums.length];
        for (int g = 0; g < sums.length; g++) {
            groupLosses[g] = finiteOrInfinity(sums[g] / groupSizes[g]);
        }
        trajectory.record(step, finiteOrInfinity(total / losses.length), groupLosses);
    }

    private static double finiteOrInfinity(double loss) {
        return Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassGroupLossListener l && everyIterations == l.everyIterations
                && Arrays.equals(exampleGroup, l.exampleGroup) && Arrays.equals(groupSizes, l.groupSizes)
                && Arrays.deepEquals(groups.groups(), l.groups.groups()) && data.equals(l.data)
                && trajectory.equals(l.trajectory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(everyIterations, Arrays.hashCode(exampleGroup), Arrays.deepHashCode(groups.groups()), trajectory);
    }

    @Override
    public String toString() {
        return "ClassGroupLossListener[" + data.numExamples() + " examples, " + groups + ", every " + everyIterations
                + " iterations, " + trajectory + "]";
    }
}
