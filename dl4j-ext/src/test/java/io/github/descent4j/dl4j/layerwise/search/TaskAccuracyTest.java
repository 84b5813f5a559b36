package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskAccuracyTest {
    private final TwoTaskProblem problem = new TwoTaskProblem(1);

    @Test
    void argmaxIsTakenOverTheTasksColumnsOnly() {
        MultiLayerNetwork net = problem.pretrained;
        DataSet data = problem.newValidation;
        INDArray out = net.output(data.getFeatures());
        int[] labels = data.getLabels().argMax(1).toIntVector();
        int restricted = 0;
        int tenWay = 0;
        for (int i = 0; i < labels.length; i++) {
            int p = out.getDouble(i, 3) > out.getDouble(i, 2) ? 3 : 2;
            restricted += p == labels[i] ? 1 : 0;
            tenWay += out.getRow(i).argMax().getInt(0) == labels[i] ? 1 : 0;
        }
        double accuracy = TaskAccuracy.of(data, 2, 3).applyAsDouble(net);
        assertThat(accuracy).isEqualTo(restricted / (double) labels.length);
        // The pre-trained head never predicts 2 or 3 over all columns; restricted to them it is a real score.
        assertThat(tenWay).isLessThan(restricted);
        assertThat(TaskAccuracy.of(problem.oldValidation, 0, 1).applyAsDouble(net)).isGreaterThanOrEqualTo(0.85);
    }

    @Test
    void aDivergedNetworkScoresZero() {
        MultiLayerNetwork net = problem.pretrained.clone();
        net.params().assign(Double.NaN);
        assertThat(TaskAccuracy.of(problem.oldValidation, 0, 1).applyAsDouble(net)).isZero();
    }

    @Test
    void refusesClassesThatAreNotColumnsRepeatedOrMissingFromTheTask() {
        assertThatThrownBy(() -> TaskAccuracy.of(problem.newValidation, 2, 4))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("class 4 is not an output column");
        assertThatThrownBy(() -> TaskAccuracy.of(problem.newValidation, 2, 2)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> TaskAccuracy.of(problem.newValidation, 2))
                .hasMessageContaining("example of class 3, which is not one of the task's classes [2]");
        assertThatThrownBy(() -> TaskAccuracy.of(problem.newValidation)).hasMessageContaining("at least one class");
    }
}
