package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.TestData;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.optim.Signum;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.datasets.LabelledData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The descent4j training loop: mean-gradient and weight semantics, listeners, provenance, configuration. */
class LinearTrainingLoopTest {

    private static final String[] FEATURES = {"a", "b"};
    /** Four examples over features a, b (IDs in name order) and classes x, y, z. */
    private static final double[][] X = {{1.0, 2.0}, {-1.0, 0.5}, {0.5, -2.0}, {2.0, 1.0}};
    private static final String[] Y = {"x", "y", "z", "x"};
    private static final double[] W = {1.0, 3.0, 0.5, 2.0};

    private static MutableDataset<Label> dataset(double[][] x, String[] y, double[] w) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("tiny", factory), factory);
        for (int i = 0; i < x.length; i++) {
            Example<Label> e = new ArrayExample<>(new Label(y[i]), FEATURES, x[i]);
            e.setWeight((float) w[i]);
            data.add(e);
        }
        return data;
    }

    /**
     * One plain SGD step (rate lr) from W = 0 on the given rows: the softmax is uniform, so the mean negative
     * gradient is Σ_i w_i (e_{y_i} − 1/C) [x_i, 1]ᵀ / Σ_i w_i.
     */
    private static double[][] handStepFromZero(int[] rows, double lr) {
        String[] classes = {"x", "y", "z"};
        double[][] expected = new double[3][3];
        double weightSum = 0;
        for (int i : rows) {
            weightSum += W[i];
        }
        for (int i : rows) {
            double[] xb = {X[i][0], X[i][1], 1.0};
            for (int c = 0; c < 3; c++) {
                double r = (classes[c].equals(Y[i]) ? 1.0 : 0.0) - 1.0 / 3;
                for (int j = 0; j < 3; j++) {
                    expected[c][j] += lr * W[i] * r * xb[j] / weightSum;
                }
            }
        }
        return expected;
    }

    private static double[][] weights(LinearSGDModel model) {
        DenseMatrix m = (DenseMatrix) model.getWeightsCopy();
        double[][] out = new double[m.getDimension1Size()][m.getDimension2Size()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }

    private static void assertMatrixClose(double[][] actual, double[][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertThat(actual[i][j]).as("[%d][%d]", i, j).isCloseTo(expected[i][j], within(1e-12));
            }
        }
    }

    @Test
    void fullBatchStepIsTheWeightedMeanGradient() {
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(0.5), 1, 1L);
        LinearSGDModel model = trainer.train(dataset(X, Y, W));
        assertMatrixClose(weights(model), handStepFromZero(new int[]{0, 1, 2, 3}, 0.5));
    }

    @Test
    void minibatchStepIsTheWeightedMeanOverTheBatchOnly() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.5), 1, -1, 2, false, 1, 1L);
        trainer.setShuffle(false);
        LinearSGDModel model = trainer.train(dataset(X, Y, W));
        assertMatrixClose(weights(model), handStepFromZero(new int[]{0, 1}, 0.5));
    }

    @Test
    void lastPartialMinibatchIsItsOwnMean() {
        // 4 examples, batch 3: the second step uses example 3 alone, after the first step on 0..2.
        var twoSteps = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.5), 1, -1, 3, false, -1, 1L);
        twoSteps.setShuffle(false);
        var listener = new StepCounter();
        twoSteps.addListener(listener);
        twoSteps.train(dataset(X, Y, W));
        assertThat(listener.steps).isEqualTo(2);
        assertThat(listener.batchSizes).containsExactly(3, 1);
    }

    @Test
    void scalingEveryWeightChangesNothingAndAZeroWeightDropsTheExample() {
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(0.3), 5, 1L);
        double[][] base = weights(trainer.train(dataset(X, Y, W)));
        double[] scaled = W.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 4;
        }
        assertMatrixClose(weights(trainer.train(dataset(X, Y, scaled))), base);

        double[] zeroLast = W.clone();
        zeroLast[3] = 0;
        double[][] withZero = weights(trainer.train(dataset(X, Y, zeroLast)));
        double[][] dropped = weights(trainer.train(dataset(new double[][]{X[0], X[1], X[2]}, new String[]{"x", "y", "z"},
                new double[]{W[0], W[1], W[2]})));
        assertMatrixClose(withZero, dropped);
        assertThat(withZero[0][0]).isNotCloseTo(base[0][0], within(1e-6));
    }

    @Test
    void weightTwoEqualsADuplicatedExample() {
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(0.3), 4, 1L);
        double[][] weighted = weights(trainer.train(dataset(X, Y, new double[]{2, 1, 1, 1})));
        double[][] duplicated = weights(trainer.train(dataset(new double[][]{X[0], X[0], X[1], X[2], X[3]},
                new String[]{"x", "x", "y", "z", "x"}, new double[]{1, 1, 1, 1, 1})));
        assertMatrixClose(weighted, duplicated);
    }

    @Test
    void sparseDataGivesTheSameModelAsDenseData() {
        LabelledData[] split = TestData.digits();
        var dense = TribuoDatasets.classification(split[0], "dense", false);
        var sparse = TribuoDatasets.classification(split[0], "sparse", true);
        var test = TribuoDatasets.classification(split[1], "test", false);
        // Plain SGD has no state, so the sparse run's laziness cannot make it differ from the dense run.
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.5), 2, -1, 64, false, -1, 7L);
        LinearSGDModel fromDense = trainer.train(dense);
        trainer.setInvocationCount(0);
        LinearSGDModel fromSparse = trainer.train(sparse);
        // The feature maps differ (always-zero pixels never appear in the sparse data), so compare predictions.
        for (Example<Label> example : test) {
            var a = fromDense.predict(example).getOutputScores();
            var b = fromSparse.predict(example).getOutputScores();
            for (String label : a.keySet()) {
                assertThat(b.get(label).getScore()).isCloseTo(a.get(label).getScore(), within(1e-9));
            }
        }
    }

    @Test
    void minibatchTrainingReachesGoodAccuracyOnDigits() {
        LabelledData[] split = TestData.digits();
        var train = TribuoDatasets.classification(split[0], "train", true);
        var test = TribuoDatasets.classification(split[1], "test", true);
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.01), 10, 32, 3L);
        LinearSGDModel model = trainer.train(train);
        var evaluation = new org.tribuo.classification.evaluation.LabelEvaluator().evaluate(model, test);
        assertThat(evaluation.accuracy()).isGreaterThan(0.93);
    }

    /** Counts callbacks and stops at a chosen step. */
    private static final class StepCounter implements TrainingListener<Label> {
        int starts, steps, epochs, ends;
        long stopAt = -1;
        final List<Integer> batchSizes = new ArrayList<>();
        final List<Long> epochEndSteps = new ArrayList<>();

        @Override
        public void onStart(TrainingProgress<Label> p) {
            starts++;
            assertThat(p.step()).isZero();
        }

        @Override
        public void onStep(TrainingProgress<Label> p) {
            steps++;
            assertThat(p.step()).isEqualTo(steps);
            batchSizes.add(p.lastBatchSize());
            if (p.step() == stopAt) {
                p.requestStop();
            }
        }

        @Override
        public void onEpochEnd(TrainingProgress<Label> p) {
            epochs++;
            epochEndSteps.add(p.step());
        }

        @Override
        public void onEnd(TrainingProgress<Label> p) {
            ends++;
        }
    }

    private static MutableDataset<Label> ten() {
        double[][] x = new double[10][];
        String[] y = new String[10];
        double[] w = new double[10];
        for (int i = 0; i < 10; i++) {
            x[i] = new double[]{i, 10 - i};
            y[i] = i % 2 == 0 ? "x" : "y";
            w[i] = 1;
        }
        return dataset(x, y, w);
    }

    @Test
    void listenersAreCalledAfterEveryStepAndEpoch() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new SignSGD(0.1), 2, 3, 1L);
        var counter = new StepCounter();
        trainer.addListener(counter);
        trainer.train(ten());
        assertThat(counter.starts).isEqualTo(1);
        assertThat(counter.steps).isEqualTo(8);
        assertThat(counter.epochs).isEqualTo(2);
        assertThat(counter.epochEndSteps).containsExactly(4L, 8L);
        assertThat(counter.ends).isEqualTo(1);
        assertThat(counter.batchSizes).containsExactly(3, 3, 3, 1, 3, 3, 3, 1);
    }

    @Test
    void maxStepsAndRequestStopEndTrainingEarly() {
        var capped = new LinearClassificationTrainer(new LogMulticlass(), new SignSGD(0.1), 5, -1, 3, false, 5, 1L);
        var counter = new StepCounter();
        capped.addListener(counter);
        capped.train(ten());
        assertThat(counter.steps).isEqualTo(5);
        assertThat(counter.epochs).isEqualTo(2);
        assertThat(counter.ends).isEqualTo(1);

        var stopped = new LinearClassificationTrainer(new LogMulticlass(), new SignSGD(0.1), 5, 3, 1L);
        var stopper = new StepCounter();
        stopper.stopAt = 3;
        stopped.addListener(stopper);
        stopped.train(ten());
        assertThat(stopper.steps).isEqualTo(3);
        assertThat(stopper.ends).isEqualTo(1);
    }

    @Test
    void sameSeedSameModelAndInvocationCountsAdvanceTheShuffle() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.05), 3, 2, 11L);
        double[][] first = weights(trainer.train(ten()));
        double[][] second = weights(trainer.train(ten()));
        assertThat(trainer.getInvocationCount()).isEqualTo(2);
        assertThat(second[0][0]).isNotEqualTo(first[0][0]);
        trainer.setInvocationCount(0);
        assertThat(weights(trainer.train(ten()))).isDeepEqualTo(first);
        var again = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.05), 3, 2, 11L);
        assertThat(weights(again.train(ten()))).isDeepEqualTo(first);
    }

    @Test
    void provenanceRecordsTheLoopSettings() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Signum(0.01, 0.9), 3, -1, 4, false, 7, 5L);
        LinearSGDModel model = trainer.train(ten());
        Map<String, Provenance> trainerProvenance = model.getProvenance().getTrainerProvenance().getConfiguredParameters();
        assertThat(trainerProvenance.get("maxSteps").toString()).contains("7");
        assertThat(trainerProvenance.get("fullBatch").toString()).contains("false");
        assertThat(trainerProvenance.get("minibatchSize").toString()).contains("4");
        assertThat(trainerProvenance.get("optimiser").toString()).contains("Signum").contains("beta");
        assertThat(model.getProvenance().getTrainerProvenance().getClassName()).isEqualTo(LinearClassificationTrainer.class.getName());
    }

    @Test
    void configurationRoundTripsAndTrains(@TempDir Path dir) throws Exception {
        Helpers.testConfigurableRoundtrip(new LinearClassificationTrainer(new LogMulticlass(), new Lion(1e-3, 0.9, 0.99, 0.1),
                3, 10, 32, true, 50, 9L));
        Path file = dir.resolve("trainer.xml");
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                  <component name="adam" type="io.github.descent4j.tribuo.optim.Adam"><property name="learningRate" value="0.05"/></component>
                  <component name="trainer" type="io.github.descent4j.tribuo.train.LinearClassificationTrainer">
                    <property name="optimiser" value="adam"/>
                    <property name="epochs" value="4"/>
                    <property name="fullBatch" value="true"/>
                    <property name="maxSteps" value="3"/>
                  </component>
                </config>
                """);
        var trainer = (LinearClassificationTrainer) new ConfigurationManager(file.toString()).lookup("trainer");
        assertThat(trainer.isFullBatch()).isTrue();
        var counter = new StepCounter();
        trainer.addListener(counter);
        trainer.train(ten());
        assertThat(counter.steps).isEqualTo(3);
        assertThat(counter.batchSizes).containsOnly(10);
    }

    @Test
    void invalidSettingsAreRejectedNamingTheSetting(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 0, 8, 1L))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("epochs");
        assertThatThrownBy(() -> new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 1, 0, 1L))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("minibatchSize");
        assertThatThrownBy(() -> new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 1, -1, 8, false, 0, 1L))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("maxSteps");
        Path file = dir.resolve("bad.xml");
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                  <component name="trainer" type="io.github.descent4j.tribuo.train.LinearClassificationTrainer">
                    <property name="maxSteps" value="-7"/>
                  </component>
                </config>
                """);
        assertThatThrownBy(() -> new ConfigurationManager(file.toString()).lookup("trainer"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("maxSteps");
    }

    @Test
    void negativeExampleWeightIsRejected() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 1, 2, 1L);
        assertThatThrownBy(() -> trainer.train(dataset(X, Y, new double[]{1, -1, 1, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("example 1").hasMessageContaining("weight");
    }
}
