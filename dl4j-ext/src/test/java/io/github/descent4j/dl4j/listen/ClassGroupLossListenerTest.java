package io.github.descent4j.dl4j.listen;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassGroupLossListenerTest {

    /** One-hot labels with the given class of each example, and two features per example. */
    private static DataSet data(int classes, int... labels) {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            oneHot.putScalar(i, labels[i], 1.0);
        }
        return new DataSet(Nd4j.rand(DataType.FLOAT, labels.length, 2), oneHot);
    }

    @Test
    void aGroupWithoutAnyClassIsRefusedNamingTheLargestGroupCountThatLeavesNoneEmpty() {
        // Counts [8, 1, 1]: class 0 holds 80% > 1/3, so G = 3 gives the reference's groups [[0], [], [1, 2]].
        DataSet d = data(3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2);
        assertThatThrownBy(() -> new ClassGroupLossListener("x", d, 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("groups = 3 leaves frequency group(s) [1] without any class")
                .hasMessageEndingWith("the largest groups that leaves none empty is 2");
        // More groups than classes leaves the rarest groups empty.
        assertThatThrownBy(() -> new ClassGroupLossListener("x", d, 5, 1)).hasMessageContaining("group(s) [1, 2, 3]")
                .hasMessageEndingWith("is 2");
        ClassGroupLossListener two = new ClassGroupLossListener("x", d, 2, 1);
        assertThat(two.groups().groups()).isDeepEqualTo(new int[][]{{0}, {1, 2}});
        assertThatThrownBy(() -> new ClassGroupLossListener("x", d, 0, 1)).hasMessageContaining("groups must be >= 1");
    }

    @Test
    void aGroupWithClassesButNoEvaluatedExampleIsStillRefused() {
        DataSet frequencies = data(3, 0, 0, 1, 1, 2, 2);
        DataSet onlyClass0 = data(3, 0, 0);
        assertThatThrownBy(() -> new ClassGroupLossListener("x", onlyClass0, frequencies.getLabels(), 3, 1))
                .hasMessageContaining("group 1 has no examples in the evaluated data");
    }
}
