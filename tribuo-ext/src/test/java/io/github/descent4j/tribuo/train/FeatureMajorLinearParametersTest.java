package io.github.descent4j.tribuo.train;

import com.oracle.labs.mlrg.olcut.util.Pair;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.junit.jupiter.api.Test;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The feature-major weights against Tribuo's own LinearParameters holding the transpose. */
class FeatureMajorLinearParametersTest {
    private static final int FEATURES = 6;
    private static final int OUTPUTS = 4;

    private static FeatureMajorLinearParameters random(SplittableRandom rng) {
        FeatureMajorLinearParameters p = new FeatureMajorLinearParameters(FEATURES, OUTPUTS);
        for (double[] row : TribuoTensors.rows(p.getWeightMatrix())) {
            for (int o = 0; o < row.length; o++) {
                row[o] = rng.nextDouble(-2, 2);
            }
        }
        return p;
    }

    private static double[][] values(Tensor t, int rows, int columns) {
        double[][] out = new double[rows][columns];
        TribuoTensors.forEachRow(t, (row, v, indices, count) -> {
            for (int i = 0; i < count; i++) {
                out[row][indices == null ? i : indices[i]] = v[i];
            }
        });
        return out;
    }

    private static double[][] transposed(double[][] m) {
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }

    @Test
    void shapeIsFeaturesPlusBiasByOutputsAndTheTribuoLayoutIsItsTranspose() {
        FeatureMajorLinearParameters p = random(new SplittableRandom(1));
        assertThat(p.getWeightMatrix().getShape()).containsExactly(FEATURES + 1, OUTPUTS);
        LinearParameters tribuo = p.toTribuoLayout();
        assertThat(tribuo).isNotInstanceOf(FeatureMajorLinearParameters.class);
        assertThat(tribuo.getWeightMatrix().getShape()).containsExactly(OUTPUTS, FEATURES + 1);
        for (int o = 0; o < OUTPUTS; o++) {
            for (int j = 0; j <= FEATURES; j++) {
                assertThat(tribuo.getWeightMatrix().get(o, j)).isEqualTo(p.getWeightMatrix().get(j, o));
            }
        }
        FeatureMajorLinearParameters back = new FeatureMajorLinearParameters(FEATURES, OUTPUTS);
        back.setFromTribuoLayout(tribuo.getWeightMatrix());
        // exact comparisons: DenseMatrix.equals has a tolerance
        assertThat(TribuoTensors.rows(back.getWeightMatrix())).isEqualTo(TribuoTensors.rows(p.getWeightMatrix()));
        FeatureMajorLinearParameters copy = p.copy();
        assertThat(TribuoTensors.rows(copy.getWeightMatrix())).isEqualTo(TribuoTensors.rows(p.getWeightMatrix()));
        assertThat(copy.getWeightMatrix()).isNotSameAs(p.getWeightMatrix());
    }

    @Test
    void scoresEqualTribuosBitForBitForDenseAndSparseExamples() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 50; trial++) {
            FeatureMajorLinearParameters p = random(rng);
            LinearParameters tribuo = p.toTribuoLayout();
            double[] x = new double[FEATURES + 1];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = rng.nextInt(3) == 0 ? 0.0 : rng.nextDouble(-3, 3);
            }
            x[FEATURES] = 1.0;   // the bias feature, as Tribuo appends it
            DenseVector dense = DenseVector.createDenseVector(x);
            SparseVector sparse = SparseVector.createSparseVector(x.length, indicesOfNonZeros(x), nonZeros(x));
            for (SGDVector v : new SGDVector[]{dense, sparse}) {
                assertThat(p.predict(v).toArray()).as("trial %d, %s", trial, v.getClass().getSimpleName())
                        .containsExactly(tribuo.predict(v).toArray());
            }
        }
    }

    @Test
    void gradientsAreTheTransposeOfTribuosAndSparseOnesStoreOnlyActiveFeatures() {
        SplittableRandom rng = new SplittableRandom(3);
        FeatureMajorLinearParameters p = random(rng);
        LinearParameters tribuo = p.toTribuoLayout();
        double[] r = {0.5, -1.25, 2.0, 0.0};
        double[] x = {0.0, 1.5, 0.0, -2.0, 0.0, 0.25, 1.0};
        Pair<Double, SGDVector> score = new Pair<>(0.0, DenseVector.createDenseVector(r));
        SparseVector sparse = SparseVector.createSparseVector(x.length, indicesOfNonZeros(x), nonZeros(x));
        for (SGDVector v : new SGDVector[]{DenseVector.createDenseVector(x), sparse}) {
            Tensor ours = p.gradients(score, v)[0];
            Tensor theirs = tribuo.gradients(score, v)[0];
            assertThat(ours.getShape()).containsExactly(FEATURES + 1, OUTPUTS);
            assertThat(values(ours, FEATURES + 1, OUTPUTS)).isEqualTo(transposed(values(theirs, OUTPUTS, FEATURES + 1)));
        }
        int[] stored = new int[1];
        TribuoTensors.forEachRow(p.gradients(score, sparse)[0], (row, v, indices, count) -> {
            assertThat(x[row]).as("row %d is an active feature", row).isNotZero();
            assertThat(count).isEqualTo(OUTPUTS);
            stored[0]++;
        });
        assertThat(stored[0]).isEqualTo(4);
    }

    @Test
    void badSizesAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> new FeatureMajorLinearParameters(3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outputs");
        assertThatThrownBy(() -> new FeatureMajorLinearParameters(-1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features");
        FeatureMajorLinearParameters p = new FeatureMajorLinearParameters(2, 3);
        assertThatThrownBy(() -> p.setFromTribuoLayout(new DenseMatrix(3, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[3, 3]");
    }

    private static int[] indicesOfNonZeros(double[] x) {
        return java.util.stream.IntStream.range(0, x.length).filter(j -> x[j] != 0).toArray();
    }

    private static double[] nonZeros(double[] x) {
        return java.util.Arrays.stream(x).filter(v -> v != 0).toArray();
    }
}
