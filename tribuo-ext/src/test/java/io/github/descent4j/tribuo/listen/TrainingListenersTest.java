package io.github.descent4j.tribuo.listen;

import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.train.LinearMultiLabelTrainer;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;
import io.github.descent4j.datasets.HeavyTailedSynthetic;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.core.training.LossTrajectory;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.multilabel.MultiLabel;
import org.tribuo.multilabel.MultiLabelFactory;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The loss-recording listeners and the regression and multi-label trainers. */
class TrainingListenersTest {

    private static MutableDataset<Label> synthetic(int m) {
        LabelledData data = HeavyTailedSynthetic.generate(m, 3);
        return TribuoDatasets.classification(data, "synthetic", false);
    }

    @Test
    void groupLossListenerRecordsStepZeroEveryNStepsAndTheEnd() {
        var data = synthetic(4);
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 23, 1L);
        var listener = new ClassGroupLossListener("Adam", data, 4, 5);
        trainer.addListener(listener);
        LinearSGDModel model = trainer.train(data);
        LossTrajectory t = listener.trajectory();
        assertThat(t.points()).extracting(LossTrajectory.Point::step).containsExactly(0L, 5L, 10L, 15L, 20L, 23L);
        assertThat(t.groupCount()).isEqualTo(4);
        // Step 0: W = 0, so every example's loss is log C.
        int classes = data.getOutputInfo().size();
        assertThat(t.first().loss()).isCloseTo(Math.log(classes), within(1e-12));
        for (double g : t.first().groupLosses()) {
            assertThat(g).isCloseTo(Math.log(classes), within(1e-12));
        }
        // The final point is the model's mean log loss, computed independently from its predictions.
        double sum = 0;
        for (Prediction<Label> p : model.predict(data)) {
            sum -= Math.log(p.getOutputScores().get(p.getExample().getOutput().getLabel()).getScore());
        }
        assertThat(t.finalLoss()).isCloseTo(sum / data.size(), within(1e-9));
        assertThatRun(t).decreasesLossBy(1.5);
    }

    @Test
    void groupsFollowTheTrainingFrequencies() {
        var data = synthetic(4);
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new SignSGD(0.01), 2, 1L);
        var listener = new ClassGroupLossListener("SignSGD", data, 4, 1);
        trainer.addListener(listener);
        trainer.train(data);
        // Synthetic m = 4: level i has 2^i classes of 2^(4−i) examples, so the 4 equal-mass groups are the levels.
        int[][] groups = listener.groups().groups();
        assertThat(groups).hasNumberOfRows(4);
        assertThat(groups[0]).hasSize(1);
        assertThat(groups[1]).hasSize(2);
        assertThat(groups[2]).hasSize(4);
        assertThat(groups[3]).hasSize(8);
        var info = data.getOutputIDInfo();
        assertThat(info.getOutput(groups[0][0]).getLabel()).isEqualTo("c0");
    }

    @Test
    void gradientDescentLeavesRareClassesBehindWhileAdamDoesNot() {
        var data = synthetic(6);
        var sgd = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(0.1), 60, 1L);
        var sgdLoss = new ClassGroupLossListener("SGD", data, 6, 10);
        sgd.addListener(sgdLoss);
        sgd.train(data);
        var adam = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 60, 1L);
        var adamLoss = new ClassGroupLossListener("Adam", data, 6, 10);
        adam.addListener(adamLoss);
        adam.train(data);
        assertThatRun(sgdLoss.trajectory()).ordersGroupsByFrequency();
        assertThatRun(adamLoss.trajectory()).hasRarestGroupLossBelow(sgdLoss.trajectory(), 0.5)
                .hasFinalLossBelow(sgdLoss.trajectory());
    }

    @Test
    void listenerRejectsBadSettingsAndUnevaluableGroups() {
        var data = synthetic(3);
        assertThatThrownBy(() -> new ClassGroupLossListener("x", data, 0, 1)).hasMessageContaining("groups");
        assertThatThrownBy(() -> new ClassGroupLossListener("x", data, 2, 0)).hasMessageContaining("everySteps");
        // Evaluate only the most frequent class: the rare groups have no examples, so their loss is undefined.
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> onlyC0 = new MutableDataset<>(new SimpleDataSourceProvenance("c0", factory), factory);
        for (Example<Label> e : data) {
            if (e.getOutput().getLabel().equals("c0")) {
                onlyC0.add(e);
            }
        }
        var trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 2, 1L);
        trainer.addListener(new ClassGroupLossListener("x", onlyC0, data, 3, 1));
        assertThatThrownBy(() -> trainer.train(data)).hasMessageContaining("group 1 has no examples");
    }

    @Test
    void aGroupCountThatLeavesAGroupWithoutAnyClassIsRefusedNamingTheLargestThatWorks() {
        var data = synthetic(3);
        int classes = data.getOutputInfo().size();
        // More groups than classes: the reference's grouping leaves the rarest groups empty.
        var tooMany = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 2, 1L);
        tooMany.addListener(new ClassGroupLossListener("x", data, classes + 1, 1));
        Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(() -> tooMany.train(data));
        assertThat(refusal).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("groups = " + (classes + 1) + " leaves frequency group(s) [")
                .hasMessageContaining("without any class").hasMessageContaining("split_classes_by_frequency");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("the largest groups that leaves none empty is (\\d+)$")
                .matcher(refusal.getMessage());
        assertThat(m.find()).as(refusal.getMessage()).isTrue();
        int largest = Integer.parseInt(m.group(1));
        assertThat(largest).isBetween(1, classes);
        // The named G works and records one loss per group; one more is refused again.
        var works = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 2, 1L);
        var listener = new ClassGroupLossListener("x", data, largest, 1);
        works.addListener(listener);
        works.train(data);
        assertThat(listener.trajectory().groupCount()).isEqualTo(largest);
        assertThat(listener.groups().emptyGroups()).isEmpty();
        var oneMore = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.01), 2, 1L);
        oneMore.addListener(new ClassGroupLossListener("x", data, largest + 1, 1));
        assertThatThrownBy(() -> oneMore.train(data)).hasMessageContaining("without any class")
                .hasMessageEndingWith("is " + largest);
    }

    @Test
    void regressionTrainerFitsALinearFunctionAndRecordsPositiveSquaredLoss() {
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("line", factory), factory);
        Random rng = new Random(5);
        for (int i = 0; i < 200; i++) {
            double a = rng.nextDouble(), b = rng.nextDouble();
            data.add(new ArrayExample<>(new Regressor("y", 3 * a - 2 * b + 1), new String[]{"a", "b"}, new double[]{a, b}));
        }
        var trainer = new LinearRegressionTrainer(new SquaredLoss(), new Adam(0.05), 60, 16, 2L);
        var curve = new LossCurveListener<Regressor>("Adam", data, 10);
        trainer.addListener(curve);
        var model = trainer.train(data);
        assertThat(curve.trajectory().first().loss()).isGreaterThan(0.5);
        assertThatRun(curve.trajectory()).hasFinalLossBelow(1e-3);
        double predicted = model.predict(new ArrayExample<>(new Regressor("y", Double.NaN), new String[]{"a", "b"}, new double[]{0.5, 0.5}))
                .getOutput().getValues()[0];
        assertThat(predicted).isCloseTo(1.5, within(0.05));
    }

    @Test
    void multiLabelTrainerLearnsIndependentLabels() {
        MultiLabelFactory factory = new MultiLabelFactory();
        MutableDataset<MultiLabel> data = new MutableDataset<>(new SimpleDataSourceProvenance("ml", factory), factory);
        Random rng = new Random(6);
        for (int i = 0; i < 300; i++) {
            double a = rng.nextDouble() * 2 - 1, b = rng.nextDouble() * 2 - 1;
            Set<Label> labels = new java.util.HashSet<>();
            if (a > 0) {
                labels.add(new Label("A"));
            }
            if (b > 0) {
                labels.add(new Label("B"));
            }
            if (labels.isEmpty()) {
                labels.add(new Label("none"));
            }
            data.add(new ArrayExample<>(new MultiLabel(labels), new String[]{"a", "b"}, new double[]{a, b}));
        }
        var trainer = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new SignSGD(0.01, 0.9), 30, 10, 4L);
        var curve = new LossCurveListener<MultiLabel>("SignSGD", data, 20);
        trainer.addListener(curve);
        var model = trainer.train(data);
        assertThatRun(curve.trajectory()).decreasesLossBy(2);
        var prediction = model.predict(new ArrayExample<>(new MultiLabel(Set.of(new Label("A"))), new String[]{"a", "b"}, new double[]{0.8, -0.8}));
        assertThat(prediction.getOutput().getNameSet()).contains("A").doesNotContain("B");
    }
}
