package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Task-aware accuracy of a classifier whose head covers several tasks' classes: on the examples of a task,
 * the prediction is the argmax over that task's output columns only. This is the usual measure of what a
 * network still knows of an old task after fine-tuning on a new one (the shared head's bias toward the new
 * classes is left out); the search scores both tasks this way. An example whose outputs include NaN (a
 * diverged network) counts as wrong.
 */
public final class TaskAccuracy implements ToDoubleFunction<MultiLayerNetwork> {
    private final DataSet data;
    private final int[] classes;
    private final int[] labels;

    private TaskAccuracy(DataSet data, int[] classes) {
        this.data = data;
        this.classes = classes.clone();
        this.labels = data.getLabels().argMax(1).toIntVector();
    }

    /**
     * @param data    one-hot labelled examples; every label must be one of {@code classes}
     * @param classes the task's output columns, distinct, in [0, number of columns)
     * @throws InvalidHyperparameterException naming {@code data} or {@code classes}
     */
    public static TaskAccuracy of(DataSet data, int... classes) {
        if (data == null || data.numExamples() == 0) {
            throw new InvalidHyperparameterException("data", "the task's data is missing or has no examples");
        }
        if (classes == null || classes.length == 0) {
            throw new InvalidHyperparameterException("classes", "a task needs at least one class");
        }
        long columns = data.getLabels().size(1);
        boolean[] seen = new boolean[(int) columns];
        for (int c : classes) {
            if (c < 0 || c >= columns) {
                throw new InvalidHyperparameterException("classes", "class " + c + " is not an output column; allowed 0.."
                        + (columns - 1));
            }
            if (seen[c]) {
                throw new InvalidHyperparameterException("classes", "class " + c + " is listed twice in "
                        + Arrays.toString(classes));
            }
            seen[c] = true;
        }
        TaskAccuracy accuracy = new TaskAccuracy(data, classes);
        for (int label : accuracy.labels) {
            if (!seen[label]) {
                throw new InvalidHyperparameterException("data", "the data holds an example of class " + label
                        + ", which is not one of the task's classes " + Arrays.toString(classes));
            }
        }
        return accuracy;
    }

    @Override
    public double applyAsDouble(MultiLayerNetwork net) {
        INDArray out = net.output(data.getFeatures());
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int predicted = -1;  // no prediction when an output is NaN: a diverged network scores 0, not a class share
            double top = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes.length; k++) {
                double v = out.getDouble(i, classes[k]);
                if (Double.isNaN(v)) {
                    predicted = -1;
                    break;
                }
                if (predicted < 0 || v > top) {
                    top = v;
                    predicted = classes[k];
                }
            }
            correct += predicted == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }

    public int examples() {
        return labels.length;
    }
}
