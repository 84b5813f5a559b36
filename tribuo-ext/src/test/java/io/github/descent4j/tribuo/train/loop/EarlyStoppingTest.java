package io.github.descent4j.tribuo.train.loop;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.stopping.EarlyStopping;
import io.github.descent4j.tribuo.stopping.EarlyStopping.Metric;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.train.LinearMultiLabelTrainer;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.multilabel.MultiLabel;
import org.tribuo.multilabel.MultiLabelFactory;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Early stopping in descent4j's loop: the decision rule, the kept weights, provenance and refusals. */
class EarlyStoppingTest {

    private static final int FEATURES = 30;

    private static String[] names() {
        String[] names = new String[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            names[j] = String.format("f%02d", j);
        }
        return names;
    }

    /** n examples whose label is the sign of x₀ plus strong noise: with n &lt; features, a linear model overfits. */
    static MutableDataset<Label> noisyClasses(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("noisy-" + seed, factory), factory);
        for (int i = 0; i < n; i++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = rng.nextGaussian();
            }
            data.add(new ArrayExample<>(new Label(x[0] + 0.5 * rng.nextGaussian() > 0 ? "pos" : "neg"), names(), x));
        }
        return data;
    }

    static MutableDataset<Regressor> noisyRegression(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("noisy-reg-" + seed, factory), factory);
        for (int i = 0; i < n; i++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = rng.nextGaussian();
            }
            data.add(new ArrayExample<>(new Regressor("y", x[0] + rng.nextGaussian()), names(), x));
        }
        return data;
    }

    private static double[][] weights(Model<?> model) {
        DenseMatrix m = (DenseMatrix) (model instanceof LinearSGDModel c ? c.getWeightsCopy()
                : ((org.tribuo.regression.sgd.linear.LinearSGDModel) model).getWeightsCopy());
        double[][] out = new double[m.getDimension1Size()][m.getDimension2Size()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }

    private static Object run(Model<?> model, String key) {
        Provenance p = model.getProvenance().getInstanceProvenance().getMap().get(key);
        assertThat(p).as(key + " in the run provenance").isNotNull();
        return ((PrimitiveProvenance<?>) p).getValue();
    }

    private static LinearClassificationTrainer classifier(int epochs) {
        return new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.01), epochs, -1, 4, false, -1, 11L);
    }

    /** Records what listeners see at each epoch end. */
    private static final class EpochLog<T extends org.tribuo.Output<T>> implements TrainingListener<T> {
        final List<Double> values = new ArrayList<>();
        final List<Integer> bestEpochs = new ArrayList<>();

        @Override
        public void onEpochEnd(TrainingProgress<T> progress) {
            values.add(progress.lastValidationMetric());
            bestEpochs.add(progress.bestEpoch());
        }
    }

    @Test
    void patienceAndMinDeltaSemantics() {
        EarlyStoppingState loss = new EarlyStoppingState(false, 2, 0.0);
        double[] values = {1.0, 0.9, 0.95, 0.89, 0.91, 0.92};
        boolean[] improved = {true, true, false, true, false, false};
        for (int e = 0; e < values.length; e++) {
            assertThat(loss.exhausted()).as("before epoch %d", e).isFalse();
            assertThat(loss.record(e, values[e])).as("epoch %d improves", e).isEqualTo(improved[e]);
        }
        assertThat(loss.exhausted()).isTrue();
        assertThat(loss.bestEpoch()).isEqualTo(3);
        assertThat(loss.best()).isEqualTo(0.89);

        // minDelta 0.02: 0.89 is not below 0.9 − 0.02, so epoch 3 does not count and patience runs out there.
        EarlyStoppingState delta = new EarlyStoppingState(false, 2, 0.02);
        for (int e = 0; e < 4; e++) {
            delta.record(e, values[e]);
        }
        assertThat(delta.bestEpoch()).isEqualTo(1);
        assertThat(delta.exhausted()).isTrue();

        // accuracy: higher is better, an equal value is no improvement, patience 1 stops at the first miss
        EarlyStoppingState accuracy = new EarlyStoppingState(true, 1, 0.0);
        assertThat(accuracy.record(0, 0.5)).isTrue();
        assertThat(accuracy.record(1, 0.6)).isTrue();
        assertThat(accuracy.exhausted()).isFalse();
        assertThat(accuracy.record(2, 0.6)).isFalse();
        assertThat(accuracy.exhausted()).isTrue();
        assertThat(accuracy.bestEpoch()).isEqualTo(1);

        // NaN never improves on a number; a number improves on NaN
        EarlyStoppingState nan = new EarlyStoppingState(false, 3, 0.0);
        assertThat(nan.record(0, Double.NaN)).isTrue();
        assertThat(nan.record(1, 5.0)).isTrue();
        assertThat(nan.record(2, Double.NaN)).isFalse();
        assertThat(nan.bestEpoch()).isEqualTo(1);
    }

    @Test
    void stopsEarlyOnAnOverfittingDatasetAndKeepsTheBestEpochsWeights() {
        MutableDataset<Label> train = noisyClasses(20, 1);
        MutableDataset<Label> validation = noisyClasses(300, 2);
        int patience = 4;
        LinearClassificationTrainer trainer = classifier(200);
        trainer.setEarlyStopping(new EarlyStopping(validation, Metric.LOSS, patience, 0.0));
        EpochLog<Label> log = new EpochLog<>();
        trainer.addListener(log);
        LinearSGDModel stopped = trainer.train(train);

        int best = (Integer) run(stopped, LinearTrainingLoop.EARLY_STOPPING_BEST_EPOCH);
        int stop = (Integer) run(stopped, LinearTrainingLoop.EARLY_STOPPING_STOP_EPOCH);
        assertThat((Boolean) run(stopped, LinearTrainingLoop.EARLY_STOPPING_STOPPED_EARLY)).isTrue();
        assertThat(stop).isEqualTo(best + patience).isLessThan(199);
        assertThat(best).isGreaterThan(0);
        assertThat(log.values).hasSize(stop + 1);
        assertThat(log.bestEpochs.get(stop)).isEqualTo(best);
        System.out.printf("early stopping: best epoch %d, stopped at %d, validation loss %.4f -> %.4f%n", best, stop,
                log.values.get(best), log.values.get(stop));

        // The kept weights are exactly those of the same run cut at the best epoch.
        LinearSGDModel cut = classifier(best + 1).train(train);
        double[][] kept = weights(stopped);
        double[][] expected = weights(cut);
        for (int i = 0; i < kept.length; i++) {
            assertThat(kept[i]).containsExactly(expected[i]);
        }
        // ... and not those training reached when it stopped (the restore matters)
        assertThat(weights(classifier(stop + 1).train(train))[0]).isNotEqualTo(kept[0]);

        // 'loss' is the real cross-entropy (LogMulticlass reports log p(y)): −mean log p(y) of the kept model.
        double crossEntropy = 0;
        for (Example<Label> e : validation) {
            Prediction<Label> p = stopped.predict(e);
            crossEntropy -= Math.log(p.getOutputScores().get(e.getOutput().getLabel()).getScore());
        }
        crossEntropy /= validation.size();
        double bestValue = (Double) run(stopped, LinearTrainingLoop.EARLY_STOPPING_BEST_VALUE);
        assertThat(bestValue).isPositive().isCloseTo(crossEntropy, within(1e-9));
        assertThat(log.values.get(best)).isEqualTo(bestValue);
    }

    @Test
    void accuracyMetricAndRegressionLossStopAndRecordTheirSettings() {
        LinearClassificationTrainer byAccuracy = classifier(150);
        byAccuracy.setEarlyStopping(new EarlyStopping(noisyClasses(200, 4), Metric.ACCURACY, 3, 0.01));
        LinearSGDModel model = byAccuracy.train(noisyClasses(20, 3));
        assertThat((Boolean) run(model, LinearTrainingLoop.EARLY_STOPPING_STOPPED_EARLY)).isTrue();
        double accuracy = (Double) run(model, LinearTrainingLoop.EARLY_STOPPING_BEST_VALUE);
        assertThat(accuracy).isBetween(0.5, 1.0);
        var recorded = model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("earlyStopping");
        assertThat(recorded.toString()).contains("ACCURACY").contains("patience").contains("minDelta");
        assertThat(model.getProvenance().getInstanceProvenance().getMap()).containsKey(LinearTrainingLoop.EARLY_STOPPING_VALIDATION_DATA);

        LinearRegressionTrainer regression = new LinearRegressionTrainer(new SquaredLoss(), new Adam(0.05), 300, -1, 4,
                false, -1, 5L);
        regression.setEarlyStopping(new EarlyStopping(noisyRegression(200, 6), Metric.LOSS, 5, 0.0));
        Model<Regressor> reg = regression.train(noisyRegression(20, 7));
        int best = (Integer) run(reg, LinearTrainingLoop.EARLY_STOPPING_BEST_EPOCH);
        assertThat((Integer) run(reg, LinearTrainingLoop.EARLY_STOPPING_STOP_EPOCH)).isEqualTo(best + 5).isLessThan(299);
        double[][] kept = weights(reg);
        double[][] cut = weights(new LinearRegressionTrainer(new SquaredLoss(), new Adam(0.05), best + 1, -1, 4, false, -1, 5L)
                .train(noisyRegression(20, 7)));
        assertThat(kept[0]).containsExactly(cut[0]);
    }

    /** Labels a (x₀ + noise &gt; 0) and b (x₁ + noise &gt; 0), each possibly absent. */
    static MutableDataset<MultiLabel> noisyMultiLabels(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        MultiLabelFactory factory = new MultiLabelFactory();
        MutableDataset<MultiLabel> data = new MutableDataset<>(new SimpleDataSourceProvenance("noisy-ml-" + seed, factory), factory);
        for (int i = 0; i < n; i++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = rng.nextGaussian();
            }
            Set<Label> labels = new HashSet<>();
            if (x[0] + 0.5 * rng.nextGaussian() > 0) {
                labels.add(new Label("a"));
            }
            if (x[1] + 0.5 * rng.nextGaussian() > 0) {
                labels.add(new Label("b"));
            }
            data.add(new ArrayExample<>(new MultiLabel(labels), names(), x));
        }
        return data;
    }

    @Test
    void multiLabelLossStopsAndKeepsTheBestEpoch() {
        MutableDataset<MultiLabel> train = noisyMultiLabels(20, 8);
        LinearMultiLabelTrainer trainer = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new Adam(0.01), 200, -1, 4,
                false, -1, 9L);
        trainer.setEarlyStopping(new EarlyStopping(noisyMultiLabels(200, 10), Metric.LOSS, 3, 0.0));
        Model<MultiLabel> model = trainer.train(train);
        int best = (Integer) run(model, LinearTrainingLoop.EARLY_STOPPING_BEST_EPOCH);
        assertThat((Boolean) run(model, LinearTrainingLoop.EARLY_STOPPING_STOPPED_EARLY)).isTrue();
        assertThat((Integer) run(model, LinearTrainingLoop.EARLY_STOPPING_STOP_EPOCH)).isEqualTo(best + 3);
        assertThat((Double) run(model, LinearTrainingLoop.EARLY_STOPPING_BEST_VALUE)).isPositive();
        Model<MultiLabel> cut = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new Adam(0.01), best + 1, -1, 4, false,
                -1, 9L).train(train);
        DenseMatrix kept = (DenseMatrix) ((org.tribuo.multilabel.sgd.linear.LinearSGDModel) model).getWeightsCopy();
        DenseMatrix expected = (DenseMatrix) ((org.tribuo.multilabel.sgd.linear.LinearSGDModel) cut).getWeightsCopy();
        assertThat(kept).isEqualTo(expected);
    }

    @Test
    void withoutImprovementRunningOutEveryEpochIsTrainedAndTheBestIsStillKept() {
        MutableDataset<Label> train = noisyClasses(20, 1);
        LinearClassificationTrainer trainer = classifier(3);
        trainer.setEarlyStopping(new EarlyStopping(noisyClasses(100, 2), Metric.LOSS, 50, 0.0));
        LinearSGDModel model = trainer.train(train);
        assertThat((Boolean) run(model, LinearTrainingLoop.EARLY_STOPPING_STOPPED_EARLY)).isFalse();
        assertThat((Integer) run(model, LinearTrainingLoop.EARLY_STOPPING_STOP_EPOCH)).isEqualTo(2);
        int best = (Integer) run(model, LinearTrainingLoop.EARLY_STOPPING_BEST_EPOCH);
        assertThat(weights(model)[0]).containsExactly(weights(classifier(best + 1).train(train))[0]);
    }

    @Test
    void badSettingsAreRefusedNamingTheParameter() {
        MutableDataset<Label> validation = noisyClasses(10, 2);
        assertThatThrownBy(() -> new EarlyStopping(validation, Metric.LOSS, 0, 0.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("patience");
        for (double minDelta : new double[]{-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new EarlyStopping(validation, Metric.LOSS, 3, minDelta))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("minDelta");
        }
        assertThatThrownBy(() -> new EarlyStopping((MutableDataset<Label>) null, Metric.LOSS, 3, 0.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("validationData");
        assertThatThrownBy(() -> new EarlyStopping(validation, null, 3, 0.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("metric");

        EarlyStopping accuracy = new EarlyStopping(noisyRegression(10, 2), Metric.ACCURACY, 3, 0.0);
        LinearRegressionTrainer regression = new LinearRegressionTrainer(new SquaredLoss(), new Adam(0.05), 3, 4, 5L);
        assertThatThrownBy(() -> regression.setEarlyStopping(accuracy))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("metric")
                .hasMessageContaining("classification only");
        LinearMultiLabelTrainer multiLabel = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new Adam(0.05), 3, 4, 5L);
        assertThatThrownBy(() -> multiLabel.setEarlyStopping(accuracy)).isInstanceOf(InvalidHyperparameterException.class);

        // validation outputs of another type, and labels the training data does not know
        LinearClassificationTrainer trainer = classifier(3);
        trainer.setEarlyStopping(new EarlyStopping(noisyRegression(10, 2), Metric.LOSS, 3, 0.0));
        assertThatThrownBy(() -> trainer.train(noisyClasses(20, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validation data")
                .hasMessageContaining(RegressionFactory.class.getName());
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> unknown = new MutableDataset<>(new SimpleDataSourceProvenance("unknown", factory), factory);
        unknown.add(new ArrayExample<>(new Label("other"), names(), new double[FEATURES]));
        trainer.setEarlyStopping(new EarlyStopping(unknown, Metric.LOSS, 3, 0.0));
        assertThatThrownBy(() -> trainer.train(noisyClasses(20, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validation data")
                .hasMessageContaining("other");
    }

    @Test
    void runProvenanceOfARunWithoutEarlyStoppingHasNoEarlyStoppingEntries() {
        Map<String, ? extends Provenance> run = classifier(2).train(noisyClasses(20, 1)).getProvenance().getInstanceProvenance().getMap();
        assertThat(run.keySet()).noneMatch(k -> k.startsWith("early-stopping"));
    }
}
