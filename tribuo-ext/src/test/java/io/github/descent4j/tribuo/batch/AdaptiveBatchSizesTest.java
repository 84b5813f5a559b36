package io.github.descent4j.tribuo.batch;

import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.train.LinearMultiLabelTrainer;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;
import io.github.descent4j.tribuo.train.loop.TrainingSettings;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.core.batch.BatchTestKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.multilabel.MultiLabel;
import org.tribuo.multilabel.MultiLabelFactory;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Adaptive batch sizes in the Tribuo training loop. */
class AdaptiveBatchSizesTest {

    /** Random 3-class data over 6 features; sparse: each example has 2-3 of them; weighted: unequal weights, one 0. */
    private static MutableDataset<Label> classification(int n, boolean sparse, boolean weighted, long seed) {
        Random r = new Random(seed);
        var data = new MutableDataset<Label>(new SimpleDataSourceProvenance("adaptive", new LabelFactory()), new LabelFactory());
        String[] classes = {"a", "b", "c"};
        for (int i = 0; i < n; i++) {
            ArrayExample<Label> e = new ArrayExample<>(new Label(classes[r.nextInt(3)]));
            for (int j = 0; j < 6; j++) {
                if (!sparse || r.nextInt(3) == 0 || j == i % 6) {
                    e.add("f" + j, r.nextGaussian() + 0.3 * j);
                }
            }
            if (weighted) {
                e.setWeight(i == 5 ? 0.0f : (float) (0.25 + r.nextDouble() * 2));
            }
            data.add(e);
        }
        return data;
    }

    private static final double THETA = 1.0;

    /** Rows g_i = r_i ⊗ x̃_i, built explicitly, for the positive-weight examples order[from, to) at W. */
    private static double[][] explicitRows(PreparedExamples<Label> prepared, DenseMatrix w, int from, int to) {
        List<double[]> rows = new ArrayList<>();
        LogMulticlass objective = new LogMulticlass();
        for (int i = from; i < to; i++) {
            if (prepared.weight(i) == 0) {
                continue;
            }
            SGDVector x = prepared.features(i);
            DenseVector scores = w.leftMultiply(x);
            SGDVector res = objective.lossAndGradient((Integer) prepared.target(i), scores).getB();
            int cols = x.size();
            double[] row = new double[w.getDimension1Size() * cols];
            for (int o = 0; o < w.getDimension1Size(); o++) {
                for (int j = 0; j < cols; j++) {
                    row[o * cols + j] = res.get(o) * x.get(j);
                }
            }
            rows.add(row);
        }
        return rows.toArray(new double[0][]);
    }

    @ParameterizedTest(name = "sparse={0}, weighted={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void closedFormStatisticsEqualTheExplicitPerExampleComputation(boolean sparse, boolean weighted) {
        var data = classification(60, sparse, weighted, sparse ? 11 : 7);
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.5),
                1, -1, AdaptiveBatchSizes.augmented(THETA, THETA, 2, 60), -1, 1L);
        trainer.setShuffle(false);
        int[] compared = {0};
        int[] largestTested = {0};
        trainer.addListener(new TrainingListener<>() {
            PreparedExamples<Label> prepared;
            DenseMatrix before;
            int position;

            @Override
            public void onStart(TrainingProgress<Label> p) {
                prepared = p.prepare(data);
                before = p.parameters().getWeightMatrix().copy();
            }

            @Override
            public void onStep(TrainingProgress<Label> p) {
                int from = position;
                position += p.lastBatchSize();
                BatchStatistics actual = p.lastBatchStatistics();
                if (actual != null) {
                    BatchStatistics expected = BatchStatistics.of(explicitRows(prepared, before, from, position));
                    assertThat(actual.batchSize()).isEqualTo(expected.batchSize());
                    assertThat(actual.dimension()).isEqualTo(expected.dimension());
                    close(actual.meanGradientNormSquared(), expected.meanGradientNormSquared());
                    close(actual.traceVariance(), expected.traceVariance());
                    close(actual.innerProductVariance(), expected.innerProductVariance());
                    close(actual.orthogonalVariance(), expected.orthogonalVariance());
                    close(p.lastBatchTestStatistic(), expected.augmentedTest(THETA, THETA));
                    compared[0]++;
                    largestTested[0] = Math.max(largestTested[0], actual.batchSize());
                }
                before = p.parameters().getWeightMatrix().copy();
            }
        });
        trainer.train(data);
        System.out.println("adaptive closed-form checks: " + compared[0] + " steps, largest tested batch " + largestTested[0]);
        assertThat(compared[0]).isGreaterThanOrEqualTo(3);
        assertThat(largestTested[0]).isGreaterThan(2); // the batch grew and kept being tested
    }

    private static void close(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(1e-9 * Math.max(1, Math.abs(expected))));
    }

    /** y = x·β + heavy noise: per-example gradients disagree, so the tests ask for larger batches. */
    private static MutableDataset<Regressor> noisyRegression(int n) {
        Random r = new Random(5);
        var data = new MutableDataset<Regressor>(new SimpleDataSourceProvenance("noisy", new RegressionFactory()), new RegressionFactory());
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            ArrayExample<Regressor> e = new ArrayExample<>(new Regressor("y", 2 * a - b + 3 * r.nextGaussian()));
            e.add("a", a);
            e.add("b", b);
            data.add(e);
        }
        return data;
    }

    @Test
    void batchGrowsOnANoisyProblemUpToTheCapAndListenersAndProvenanceSeeTheTrajectory() {
        var data = noisyRegression(400);
        var adaptive = AdaptiveBatchSizes.norm(0.5, 2, 64);
        var trainer = new LinearRegressionTrainer(new SquaredLoss(), new Adam(0.05), 5, -1, adaptive, -1, 3L);
        List<Integer> seen = new ArrayList<>();
        List<Integer> trajectoryAtEnd = new ArrayList<>();
        double[] statistic = {Double.NaN};
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStart(TrainingProgress<Regressor> p) {
                assertThat(p.currentBatchSize()).isEqualTo(2);
                assertThat(p.lastBatchTestStatistic()).isNaN();
                assertThat(p.batchSizeTrajectory()).isEmpty();
            }

            @Override
            public void onStep(TrainingProgress<Regressor> p) {
                List<Integer> t = p.batchSizeTrajectory();
                assertThat(t).hasSize((int) p.step());
                seen.add(t.get(t.size() - 1));
                assertThat(p.lastBatchSize()).isLessThanOrEqualTo(t.get(t.size() - 1));
                assertThat(p.currentBatchSize()).isGreaterThanOrEqualTo(t.get(t.size() - 1)).isLessThanOrEqualTo(64);
                if (!Double.isNaN(p.lastBatchTestStatistic())) {
                    statistic[0] = p.lastBatchTestStatistic();
                }
            }

            @Override
            public void onEnd(TrainingProgress<Regressor> p) {
                trajectoryAtEnd.addAll(p.batchSizeTrajectory());
            }
        });
        var model = trainer.train(data);
        assertThat(seen).isEqualTo(trajectoryAtEnd);
        assertThat(seen.get(0)).isEqualTo(2);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).isGreaterThanOrEqualTo(seen.get(i - 1));
        }
        assertThat(seen.get(seen.size() - 1)).isEqualTo(64);
        assertThat(seen).allMatch(b -> b <= 64);
        assertThat(statistic[0]).isGreaterThan(0);
        // Fewer steps than fixed batches of b0 would take: 5 epochs × 200.
        assertThat(seen.size()).isLessThan(5 * 200 / 4);

        // Run provenance: the trajectory, one entry per step.
        Provenance recorded = model.getProvenance().getInstanceProvenance().getMap().get("batch-size-trajectory");
        assertThat(recorded).isInstanceOf(ListProvenance.class);
        List<Integer> fromProvenance = new ArrayList<>();
        for (Object item : (ListProvenance<?>) recorded) {
            fromProvenance.add(((Number) ((PrimitiveProvenance<?>) item).getValue()).intValue());
        }
        assertThat(fromProvenance).isEqualTo(seen);

        // Trainer provenance: the AdaptiveBatchSizes settings.
        Provenance config = model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("adaptiveBatchSizes");
        assertThat(config).isInstanceOf(ConfiguredObjectProvenance.class);
        Map<String, Provenance> p = ((ConfiguredObjectProvenance) config).getConfiguredParameters();
        assertThat(p.get("testKind").toString()).contains("NORM");
        assertThat(p.get("eta").toString()).contains("0.5");
        assertThat(p.get("initialBatchSize").toString()).contains("2");
        assertThat(p.get("maxBatchSize").toString()).contains("64");
    }

    @Test
    void multiLabelTrainerTrainsWithAdaptiveBatches() {
        MultiLabelFactory factory = new MultiLabelFactory();
        MutableDataset<MultiLabel> data = new MutableDataset<>(new SimpleDataSourceProvenance("ml", factory), factory);
        Random r = new Random(9);
        for (int i = 0; i < 80; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            Set<Label> labels = new java.util.HashSet<>();
            if (a + 0.5 * r.nextGaussian() > 0) {
                labels.add(new Label("A"));
            }
            if (b + 0.5 * r.nextGaussian() > 0) {
                labels.add(new Label("B"));
            }
            data.add(new ArrayExample<>(new MultiLabel(labels), new String[]{"a", "b"}, new double[]{a, b}));
        }
        var trainer = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new Adam(0.05), 3, -1,
                AdaptiveBatchSizes.innerProduct(0.5, 1, 20), -1, 4L);
        var model = trainer.train(data);
        Provenance recorded = model.getProvenance().getInstanceProvenance().getMap().get("batch-size-trajectory");
        List<Integer> sizes = new ArrayList<>();
        for (Object item : (ListProvenance<?>) recorded) {
            sizes.add(((Number) ((PrimitiveProvenance<?>) item).getValue()).intValue());
        }
        assertThat(sizes.get(0)).isEqualTo(1);
        assertThat(sizes.get(1)).isEqualTo(2); // a single-example batch always grows to two
        assertThat(sizes).isSorted().allMatch(b -> b <= 20);
        assertThat(trainer.toString()).contains("adaptiveBatchSizes=AdaptiveBatchSizes(testKind=INNER_PRODUCT");
    }

    @Test
    void fixedBatchesReportNoTestAndNoTrajectory() {
        var data = classification(20, false, false, 1);
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 1, 4, 1L);
        List<Integer> current = new ArrayList<>();
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStep(TrainingProgress<Label> p) {
                current.add(p.currentBatchSize());
                assertThat(p.lastBatchTestStatistic()).isNaN();
                assertThat(p.lastBatchStatistics()).isNull();
                assertThat(p.batchSizeTrajectory()).isEmpty();
            }
        });
        LinearSGDModel model = trainer.train(data);
        assertThat(current).hasSize(5).containsOnly(4);
        assertThat(model.getProvenance().getInstanceProvenance().getMap()).doesNotContainKey("batch-size-trajectory");
    }

    @Test
    void copiesAndProvenanceRoundTrip() {
        var a = new AdaptiveBatchSizes(BatchTestKind.INNER_PRODUCT, 0.2, 0.3, 0.4, 5, 50);
        assertThat(a.copy().getProvenance()).isEqualTo(a.getProvenance());
        assertThat(a.newSchedule().batchSize()).isEqualTo(5);
        assertThat(a.newSchedule().kind()).isEqualTo(BatchTestKind.INNER_PRODUCT);
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> AdaptiveBatchSizes.norm(0, 1, 8)).isInstanceOf(InvalidHyperparameterException.class)
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("eta");
        assertThatThrownBy(() -> AdaptiveBatchSizes.norm(Double.NaN, 1, 8)).isInstanceOf(InvalidHyperparameterException.class)
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("eta");
        assertThatThrownBy(() -> AdaptiveBatchSizes.norm(-1, 1, 8)).isInstanceOf(InvalidHyperparameterException.class);
        assertThatThrownBy(() -> AdaptiveBatchSizes.augmented(1, 0, 1, 8))
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("nu");
        assertThatThrownBy(() -> AdaptiveBatchSizes.norm(1, 0, 8)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("initialBatchSize")
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("initialBatchSize");
        assertThatThrownBy(() -> AdaptiveBatchSizes.norm(1, 8, 4)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("maxBatchSize")
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("maxBatchSize");
        assertThatThrownBy(() -> new AdaptiveBatchSizes(null, 1, 1, 1, 1, 8))
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("testKind");
        assertThatThrownBy(() -> new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.1), 1, -1, null, -1, 1L))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("adaptiveBatchSizes");
        assertThatThrownBy(() -> TrainingSettings.validate(1, 1, true, -1, AdaptiveBatchSizes.norm(1, 1, 8)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("fullBatch")
                .extracting(e -> ((InvalidHyperparameterException) e).parameter()).isEqualTo("adaptiveBatchSizes");
    }

    private static ConfigurationManager config(Path dir, String adaptiveProperties, String trainerProperties) throws Exception {
        Path file = dir.resolve("adaptive.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "<component name=\"adam\" type=\"io.github.descent4j.tribuo.optim.Adam\"><property name=\"learningRate\" value=\"0.1\"/></component>\n"
                + "<component name=\"log\" type=\"org.tribuo.classification.sgd.objectives.LogMulticlass\"/>\n"
                + "<component name=\"adaptive\" type=\"io.github.descent4j.tribuo.batch.AdaptiveBatchSizes\">" + adaptiveProperties + "</component>\n"
                + "<component name=\"trainer\" type=\"io.github.descent4j.tribuo.train.LinearClassificationTrainer\">"
                + "<property name=\"objective\" value=\"log\"/><property name=\"optimiser\" value=\"adam\"/>"
                + "<property name=\"adaptiveBatchSizes\" value=\"adaptive\"/>" + trainerProperties + "</component>\n"
                + "</config>\n");
        return new ConfigurationManager(file.toString());
    }

    @Test
    void configurationBuildsATrainerWithAdaptiveBatches(@TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"testKind\" value=\"AUGMENTED\"/><property name=\"theta\" value=\"0.4\"/>"
                + "<property name=\"initialBatchSize\" value=\"2\"/><property name=\"maxBatchSize\" value=\"16\"/>", "");
        var trainer = (LinearClassificationTrainer) cm.lookup("trainer");
        assertThat(trainer.getAdaptiveBatchSizes().getTestKind()).isEqualTo(BatchTestKind.AUGMENTED);
        assertThat(trainer.getAdaptiveBatchSizes().getTheta()).isEqualTo(0.4);
        assertThat(trainer.getAdaptiveBatchSizes().getMaxBatchSize()).isEqualTo(16);
        List<Integer> trajectory = new ArrayList<>();
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onEnd(TrainingProgress<Label> p) {
                trajectory.addAll(p.batchSizeTrajectory());
            }
        });
        trainer.train(classification(30, false, false, 2));
        assertThat(trajectory).isNotEmpty().startsWith(2).allMatch(b -> b <= 16);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"eta,0", "eta,NaN", "nu,-1", "initialBatchSize,0"})
    void invalidComponentConfigurationIsRejectedNamingTheProperty(String property, String value, @TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"" + property + "\" value=\"" + value + "\"/>"
                + "<property name=\"maxBatchSize\" value=\"8\"/>", "");
        assertThatThrownBy(() -> cm.lookup("adaptive")).isInstanceOf(PropertyException.class).hasMessageContaining(property);
    }

    @Test
    void maxBelowInitialInConfigurationIsRejected(@TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"initialBatchSize\" value=\"8\"/><property name=\"maxBatchSize\" value=\"4\"/>", "");
        assertThatThrownBy(() -> cm.lookup("adaptive")).isInstanceOf(PropertyException.class).hasMessageContaining("maxBatchSize");
    }

    @Test
    void fullBatchTogetherWithAdaptiveBatchSizesIsRejected(@TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"maxBatchSize\" value=\"8\"/>", "<property name=\"fullBatch\" value=\"true\"/>");
        assertThatThrownBy(() -> cm.lookup("trainer")).isInstanceOf(PropertyException.class)
                .hasMessageContaining("adaptiveBatchSizes").hasMessageContaining("fullBatch");
    }
}
