package io.github.descent4j.tribuo.sharpness;

import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.PreparedExamples;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.train.LinearMultiLabelTrainer;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;
import io.github.descent4j.tribuo.train.TrainerConfigurationRoundTripTest;
import io.github.descent4j.tribuo.train.loop.LinearTrainingLoop;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import com.oracle.labs.mlrg.olcut.util.Pair;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.batch.BatchStatistics;
import io.github.descent4j.core.sharpness.GradientOracle;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.LabelObjective;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.math.util.VectorNormalizer;
import org.tribuo.multilabel.MultiLabel;
import org.tribuo.multilabel.MultiLabelFactory;
import org.tribuo.multilabel.sgd.objectives.BinaryCrossEntropy;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Sharpness-aware training in the Tribuo loop: every step equals core {@link SharpnessAwareMinimization}
 * over an explicitly coded softmax cross-entropy, θ is restored bit for bit before the optimiser steps,
 * the reported loss is the one at θ, and the option composes with adaptive batch sizes, example weights,
 * sparse data, full batches and the step cap; configuration, provenance and bad input.
 */
class SharpnessAwareTrainingTest {
    private static final String[] CLASSES = {"a", "b", "c"};

    /** 3-class data over 5 features; sparse: each example has some of them; unequal weights, one of them 0. */
    private static MutableDataset<Label> classification(int n, boolean sparse, long seed) {
        Random r = new Random(seed);
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("sam", factory), factory);
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(3);
            ArrayExample<Label> e = new ArrayExample<>(new Label(CLASSES[label]));
            for (int j = 0; j < 5; j++) {
                if (!sparse || j == i % 5 || r.nextInt(3) == 0) {
                    e.add("f" + j, r.nextGaussian() + (j == label ? 1.0 : 0.0));
                }
            }
            e.setWeight(i == 3 ? 0.0f : (float) (0.25 + 2 * r.nextDouble()));
            data.add(e);
        }
        return data;
    }

    /**
     * Replays the loop's steps with core SAM/ASAM over one flat tensor (W row-major, bias column included)
     * and an explicitly coded weighted softmax cross-entropy on each step's batch (the examples after the
     * previous batch, in dataset order: the trainer must not shuffle). Checks after every step: the weights
     * (1e-10 relative), the loss at θ and at θ + ε, and with adaptive batches the batch statistics at θ.
     */
    private static final class CoreReference implements TrainingListener<Label> {
        private final MutableDataset<Label> data;
        private final boolean adaptive;
        private final double rho;
        private final double eta;
        private final UpdateRule rule;
        private final double learningRate;
        private double[][] x;
        private int[] y;
        private double[] weights;
        private int outputs;
        private int columns;
        private double[][] params;
        private SharpnessAwareMinimization sam;
        private int position;
        int steps;
        int statisticsCompared;
        final List<Integer> batchSizes = new ArrayList<>();

        CoreReference(MutableDataset<Label> data, SharpnessAwareTraining config, UpdateRule rule, double learningRate) {
            this.data = data;
            this.adaptive = config.isAdaptive();
            this.rho = config.getRho();
            this.eta = config.getEta();
            this.rule = rule;
            this.learningRate = learningRate;
        }

        @Override
        public void onStart(TrainingProgress<Label> p) {
            PreparedExamples<Label> prepared = p.prepare(data);
            outputs = p.outputInfo().size();
            columns = p.featureMap().size() + 1;
            x = new double[prepared.size()][columns];
            y = new int[prepared.size()];
            weights = new double[prepared.size()];
            for (int i = 0; i < prepared.size(); i++) {
                SGDVector features = prepared.features(i);
                for (int j = 0; j < columns; j++) {
                    x[i][j] = features.get(j);
                }
                y[i] = p.outputInfo().getID(prepared.outputs().get(i));
                weights[i] = prepared.weight(i);
            }
            params = new double[][]{flatWeights(p)};
            assertThat(params[0]).containsOnly(0.0);
            FlatOptimiser base = new FlatOptimiser(rule, learningRate, params);
            sam = adaptive ? SharpnessAwareMinimization.asam(base, rho, eta) : SharpnessAwareMinimization.sam(base, rho);
        }

        @Override
        public void onStep(TrainingProgress<Label> p) {
            int from = position;
            int to = position + p.lastBatchSize();
            position = to;
            batchSizes.add(p.lastBatchSize());
            double[] before = params[0].clone();
            if (p.lastBatchStatistics() != null) {
                BatchStatistics expected = BatchStatistics.of(perExampleGradients(before, from, to));
                BatchStatistics actual = p.lastBatchStatistics();
                assertThat(actual.batchSize()).isEqualTo(expected.batchSize());
                close(actual.meanGradientNormSquared(), expected.meanGradientNormSquared());
                close(actual.traceVariance(), expected.traceVariance());
                close(actual.innerProductVariance(), expected.innerProductVariance());
                statisticsCompared++;
            }
            List<Double> losses = new ArrayList<>();
            sam.step(at -> meanGradient(at[0], from, to, losses));
            steps++;
            assertThat(losses).hasSize(2);
            assertThat(p.lastBatchLoss()).as("step %d loss at theta", steps).isCloseTo(losses.get(0), within(1e-12));
            assertThat(p.lastBatchPerturbedLoss()).as("step %d loss at theta + eps", steps).isCloseTo(losses.get(1), within(1e-12));
            // The ascent raises the convex loss, except where ε = 0: ASAM without offset at θ = 0 (T = 0).
            boolean atZeroWithoutOffset = adaptive && eta == 0 && Arrays.stream(before).allMatch(v -> v == 0);
            if (atZeroWithoutOffset) {
                assertThat(losses.get(1)).as("step %d: eps = 0", steps).isEqualTo(losses.get(0));
            } else {
                assertThat(losses.get(1)).as("step %d: the ascent step raises the (convex) loss", steps).isGreaterThan(losses.get(0));
            }
            assertThatValues(flatWeights(p)).as("step %d weights", steps).isCloseTo(params[0], 1e-10);
        }

        @Override
        public void onEpochEnd(TrainingProgress<Label> p) {
            assertThat(position).isEqualTo(x.length);
            position = 0;
        }

        /** Σ_i w_i ∇ℓ_i / Σ_i w_i of the softmax cross-entropy over examples [from, to); the loss goes to {@code losses}. */
        private double[][] meanGradient(double[] w, int from, int to, List<Double> losses) {
            double[] g = new double[outputs * columns];
            double weightSum = 0;
            double loss = 0;
            for (int i = from; i < to; i++) {
                if (weights[i] == 0) {
                    continue;
                }
                double[] r = residual(w, i);
                loss += weights[i] * r[outputs];
                weightSum += weights[i];
                for (int o = 0; o < outputs; o++) {
                    for (int j = 0; j < columns; j++) {
                        g[o * columns + j] += weights[i] * r[o] * x[i][j];
                    }
                }
            }
            for (int k = 0; k < g.length; k++) {
                g[k] /= weightSum;
            }
            losses.add(loss / weightSum);
            return new double[][]{g};
        }

        /** p − e_y for example i at weights w, followed by the loss −log p_y. */
        private double[] residual(double[] w, int i) {
            double[] scores = new double[outputs];
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < outputs; o++) {
                for (int j = 0; j < columns; j++) {
                    scores[o] += w[o * columns + j] * x[i][j];
                }
                max = Math.max(max, scores[o]);
            }
            double sum = 0;
            for (int o = 0; o < outputs; o++) {
                sum += Math.exp(scores[o] - max);
            }
            double logNormaliser = max + Math.log(sum);
            double[] r = new double[outputs + 1];
            for (int o = 0; o < outputs; o++) {
                r[o] = Math.exp(scores[o] - logNormaliser) - (o == y[i] ? 1.0 : 0.0);
            }
            r[outputs] = logNormaliser - scores[y[i]];
            return r;
        }

        /** Unweighted per-example gradients of the positive-weight examples in [from, to). */
        private double[][] perExampleGradients(double[] w, int from, int to) {
            List<double[]> rows = new ArrayList<>();
            for (int i = from; i < to; i++) {
                if (weights[i] == 0) {
                    continue;
                }
                double[] r = residual(w, i);
                double[] row = new double[outputs * columns];
                for (int o = 0; o < outputs; o++) {
                    for (int j = 0; j < columns; j++) {
                        row[o * columns + j] = r[o] * x[i][j];
                    }
                }
                rows.add(row);
            }
            return rows.toArray(new double[0][]);
        }

        private static void close(double actual, double expected) {
            assertThat(actual).isCloseTo(expected, within(1e-9 * Math.max(1, Math.abs(expected))));
        }
    }

    private static double[] flatWeights(TrainingProgress<?> p) {
        return Arrays.stream(TribuoTensors.rows(p.parameters().getWeightMatrix())).flatMapToDouble(Arrays::stream).toArray();
    }

    /**
     * Adam runs on dense data only: descent4j's optimisers update lazily on sparse gradients (columns absent
     * from a batch keep their state and value), which a dense reference Adam does not model. Plain SGD moves
     * nothing where the gradient is 0, so it is exact on sparse data too.
     */
    @ParameterizedTest(name = "{0}, sparse={1}, asam={2}")
    @CsvSource({"SGD, false, false", "SGD, true, false", "SGD, false, true", "SGD, true, true",
            "Adam, false, false", "Adam, false, true"})
    void minibatchStepsEqualCoreSamOverAnExplicitSoftmaxOracle(String base, boolean sparse, boolean asam) {
        var data = classification(18, sparse, sparse ? 3 : 2);
        SharpnessAwareTraining config = asam ? SharpnessAwareTraining.asam(0.5, 0.01) : SharpnessAwareTraining.sam(0.2);
        LinearClassificationTrainer trainer = new LinearClassificationTrainer(new LogMulticlass(), tribuo(base, 0.3), 2, 4, 1L);
        trainer.setShuffle(false);
        trainer.setSharpnessAware(config);
        CoreReference reference = new CoreReference(data, config, core(base), 0.3);
        trainer.addListener(reference);
        trainer.train(data);
        assertThat(reference.steps).isEqualTo(2 * 5);   // ⌈18 / 4⌉ batches per epoch
        assertThat(reference.batchSizes).containsExactly(4, 4, 4, 4, 2, 4, 4, 4, 4, 2);
    }

    @Test
    void fullBatchWithAStepCapEqualsCoreSam() {
        var data = classification(15, false, 8);
        SharpnessAwareTraining config = SharpnessAwareTraining.asam(1.0);
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), tribuo("Adam", 0.1), 10, -1, 1, true, 4, 1L);
        trainer.setSharpnessAware(config);
        CoreReference reference = new CoreReference(data, config, core("Adam"), 0.1);
        trainer.addListener(reference);
        trainer.train(data);
        assertThat(reference.batchSizes).containsExactly(15, 15, 15, 15);
    }

    @ParameterizedTest(name = "sparse={0}")
    @CsvSource({"false", "true"})
    void adaptiveBatchSizesTestAtThetaAndStepWithTheGradientAtThePerturbedPoint(boolean sparse) {
        var data = classification(40, sparse, 13);
        SharpnessAwareTraining config = SharpnessAwareTraining.sam(0.3);
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), tribuo("SGD", 0.5), 2, -1,
                AdaptiveBatchSizes.norm(0.5, 2, 40), -1, 1L);
        trainer.setShuffle(false);
        trainer.setSharpnessAware(config);
        CoreReference reference = new CoreReference(data, config, core("SGD"), 0.5);
        trainer.addListener(reference);
        LinearSGDModel model = trainer.train(data);
        System.out.println("SAM with adaptive batches (sparse=" + sparse + "): batch sizes " + reference.batchSizes
                + ", statistics compared at " + reference.statisticsCompared + " steps");
        assertThat(reference.statisticsCompared).isGreaterThanOrEqualTo(3);
        assertThat(reference.batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(2);
        assertThat(model.getProvenance().getInstanceProvenance().getMap()).containsKey(LinearTrainingLoop.BATCH_SIZE_TRAJECTORY);
    }

    private static StochasticGradientOptimiser tribuo(String base, double lr) {
        return switch (base) {
            case "SGD" -> SGD.getSimpleSGD(lr);
            case "Adam" -> new Adam(lr, 0.9, 0.999, 1e-8);
            default -> throw new AssertionError(base);
        };
    }

    private static UpdateRule core(String base) {
        return switch (base) {
            case "SGD" -> new SgdRule();
            case "Adam" -> new AdamRule(0.9, 0.999, 1e-8, 0.0);
            default -> throw new AssertionError(base);
        };
    }

    /** Tribuo's SGD, recording the live weights every time it is asked for a step. */
    private static final class RecordingOptimiser implements StochasticGradientOptimiser {
        private final SGD delegate = SGD.getSimpleSGD(0.5);
        private Parameters parameters;
        final List<double[]> weightsAtStep = new ArrayList<>();

        @Override
        public void initialise(Parameters parameters) {
            this.parameters = parameters;
            delegate.initialise(parameters);
        }

        @Override
        public Tensor[] step(Tensor[] updates, double weight) {
            // in the listeners' (Tribuo's) layout: for sparse data the trainer trains the transpose
            DenseMatrix w = parameters instanceof FeatureMajorLinearParameters f
                    ? f.toTribuoLayout().getWeightMatrix() : (DenseMatrix) parameters.get()[0];
            weightsAtStep.add(Arrays.stream(TribuoTensors.rows(w)).flatMapToDouble(Arrays::stream).toArray());
            return delegate.step(updates, weight);
        }

        @Override
        public void reset() {
            delegate.reset();
        }

        @Override
        public StochasticGradientOptimiser copy() {
            return this;   // one run per instance: the test reads what this instance saw
        }

        @Override
        public ConfiguredObjectProvenance getProvenance() {
            return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
        }
    }

    @ParameterizedTest(name = "sparse={0}")
    @CsvSource({"false", "true"})
    void theOptimiserStepsFromThetaRestoredBitForBit(boolean sparse) {
        var data = classification(20, sparse, 21);
        RecordingOptimiser optimiser = new RecordingOptimiser();
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), optimiser, 2, 3, 1L);
        trainer.setSharpnessAware(SharpnessAwareTraining.asam(2.0, 0.1));
        List<double[]> afterStep = new ArrayList<>();
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStart(TrainingProgress<Label> p) {
                afterStep.add(flatWeights(p));
            }

            @Override
            public void onStep(TrainingProgress<Label> p) {
                afterStep.add(flatWeights(p));
                assertThat(p.lastBatchPerturbedLoss()).isGreaterThan(p.lastBatchLoss());
            }
        });
        trainer.train(data);
        assertThat(optimiser.weightsAtStep).hasSize(14);   // 2 epochs × ⌈20 / 3⌉
        for (int t = 0; t < optimiser.weightsAtStep.size(); t++) {
            assertThat(optimiser.weightsAtStep.get(t)).as("weights the optimiser saw at step %d", t + 1)
                    .containsExactly(afterStep.get(t));
        }
        assertThat(afterStep.get(afterStep.size() - 1)).isNotEqualTo(afterStep.get(0));
    }

    /** LogMulticlass that throws on a chosen call, to fail the loop inside its perturbed pass. */
    private static final class FailingObjective implements LabelObjective {
        private final LogMulticlass delegate = new LogMulticlass();
        private final int failingCall;
        private int calls;

        FailingObjective(int failingCall) {
            this.failingCall = failingCall;
        }

        @Override
        public Pair<Double, SGDVector> valueAndGradient(int index, SGDVector prediction) {
            if (++calls == failingCall) {
                throw new IllegalStateException("objective failed on call " + calls);
            }
            return delegate.valueAndGradient(index, prediction);
        }

        @Override
        public VectorNormalizer getNormalizer() {
            return delegate.getNormalizer();
        }

        @Override
        public boolean isProbabilistic() {
            return true;
        }

        @Override
        public ConfiguredObjectProvenance getProvenance() {
            return new ConfiguredObjectProvenanceImpl(this, "LabelObjective");
        }
    }

    @Test
    void thetaIsRestoredWhenThePerturbedPassThrows() {
        var data = classification(10, false, 4);   // 9 positive-weight examples: 9 objective calls per pass
        // Step 1 makes 18 calls; step 2's pass at θ makes 9 more, and call 29 is the 2nd of its perturbed pass.
        var trainer = LinearClassificationTrainer.fullBatch(new FailingObjective(29), tribuo("Adam", 0.1), 5, 1L);
        trainer.setSharpnessAware(SharpnessAwareTraining.sam(0.5));
        List<double[]> afterStep = new ArrayList<>();
        TrainingProgress<?>[] progress = new TrainingProgress<?>[1];
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStart(TrainingProgress<Label> p) {
                progress[0] = p;
            }

            @Override
            public void onStep(TrainingProgress<Label> p) {
                afterStep.add(flatWeights(p));
            }
        });
        assertThatThrownBy(() -> trainer.train(data)).isInstanceOf(IllegalStateException.class).hasMessage("objective failed on call 29");
        assertThat(afterStep).hasSize(1);
        assertThat(flatWeights(progress[0])).containsExactly(afterStep.get(0));
    }

    @Test
    void aNonFiniteGradientIsRejectedBeforeTheWeightsMove() {
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("huge", factory), factory);
        data.add(new ArrayExample<>(new Regressor("y", 1.0), new String[]{"a"}, new double[]{1e300}));
        data.add(new ArrayExample<>(new Regressor("y", -1.0), new String[]{"a"}, new double[]{-1e300}));
        var trainer = LinearRegressionTrainer.fullBatch(new SquaredLoss(), SGD.getSimpleSGD(1.0), 5, 1L);
        trainer.setSharpnessAware(SharpnessAwareTraining.sam(0.1));
        List<double[]> weights = new ArrayList<>();
        TrainingProgress<?>[] progress = new TrainingProgress<?>[1];
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStart(TrainingProgress<Regressor> p) {
                progress[0] = p;
                weights.add(flatWeights(p));
            }

            @Override
            public void onStep(TrainingProgress<Regressor> p) {
                weights.add(flatWeights(p));
            }
        });
        // ‖g‖² overflows at the first step (the norm must not: ε = 0 would silently skip the ascent); at
        // θ + ε the scores are about 1e299, so g′ overflows and must not reach Tribuo's SGD, which takes anything.
        assertThatThrownBy(() -> trainer.train(data)).isInstanceOf(NonFiniteGradientException.class);
        assertThat(flatWeights(progress[0])).containsExactly(weights.get(weights.size() - 1)).doesNotContain(Double.NaN);
    }

    /**
     * Full batch, any trainer: the loss reported for step t is the weighted mean example loss at the
     * parameters step t started from (measured independently through {@link TrainingProgress#exampleLosses}),
     * the loss at θ + ε is higher, and SAM changes the trajectory.
     */
    private static <T extends Output<T>> void reportsTheLossAtTheta(Trainer<T> trainer, MutableDataset<T> data,
                                                                     java.util.function.Consumer<SharpnessAwareTraining> setSharpness) {
        List<Double> expectedLoss = new ArrayList<>();
        List<Double> reported = new ArrayList<>();
        List<Double> perturbed = new ArrayList<>();
        List<double[]> finalWeights = new ArrayList<>();
        TrainingListener<T> listener = new TrainingListener<>() {
            PreparedExamples<T> prepared;

            private void expectNext(TrainingProgress<T> p) {
                double[] losses = p.exampleLosses(prepared);
                double sum = 0;
                double weightSum = 0;
                for (int i = 0; i < losses.length; i++) {
                    sum += prepared.weight(i) * losses[i];
                    weightSum += prepared.weight(i);
                }
                expectedLoss.add(sum / weightSum);
            }

            @Override
            public void onStart(TrainingProgress<T> p) {
                prepared = p.prepare(data);
                assertThat(p.lastBatchPerturbedLoss()).isNaN();
                expectNext(p);
            }

            @Override
            public void onStep(TrainingProgress<T> p) {
                reported.add(p.lastBatchLoss());
                perturbed.add(p.lastBatchPerturbedLoss());
                expectNext(p);
            }

            @Override
            public void onEnd(TrainingProgress<T> p) {
                finalWeights.add(flatWeights(p));
            }
        };
        addListener(trainer, listener);
        setSharpness.accept(SharpnessAwareTraining.sam(0.5));
        trainer.train(data);
        assertThat(reported).hasSize(5);
        for (int t = 0; t < reported.size(); t++) {
            assertThat(reported.get(t)).as("%s step %d loss", trainer, t + 1)
                    .isCloseTo(expectedLoss.get(t), within(1e-12 * Math.max(1, expectedLoss.get(t))));
            assertThat(perturbed.get(t)).as("%s step %d loss at theta + eps", trainer, t + 1).isGreaterThan(reported.get(t));
        }
        setSharpness.accept(null);
        trainer.train(data);
        assertThat(finalWeights.get(1)).as("%s: plain steps end elsewhere", trainer).isNotEqualTo(finalWeights.get(0));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Output<T>> void addListener(Trainer<T> trainer, TrainingListener<T> listener) {
        if (trainer instanceof LinearClassificationTrainer c) {
            c.addListener((TrainingListener<Label>) (TrainingListener<?>) listener);
        } else if (trainer instanceof LinearRegressionTrainer r) {
            r.addListener((TrainingListener<Regressor>) (TrainingListener<?>) listener);
        } else if (trainer instanceof LinearMultiLabelTrainer m) {
            m.addListener((TrainingListener<MultiLabel>) (TrainingListener<?>) listener);
        } else {
            throw new AssertionError(trainer);
        }
    }

    @Test
    void everyTrainerReportsTheLossAtThetaNotAtThePerturbedPoint() {
        var classifier = LinearClassificationTrainer.fullBatch(new LogMulticlass(), new Adam(0.1), 5, 1L);
        reportsTheLossAtTheta(classifier, classification(12, false, 5), classifier::setSharpnessAware);

        RegressionFactory rf = new RegressionFactory();
        MutableDataset<Regressor> regression = new MutableDataset<>(new SimpleDataSourceProvenance("r", rf), rf);
        Random r = new Random(6);
        for (int i = 0; i < 12; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            ArrayExample<Regressor> e = new ArrayExample<>(new Regressor("y", 2 * a - b + 0.1 * r.nextGaussian()),
                    new String[]{"a", "b"}, new double[]{a, b});
            e.setWeight((float) (0.5 + r.nextDouble()));
            regression.add(e);
        }
        var regressor = LinearRegressionTrainer.fullBatch(new SquaredLoss(), SGD.getSimpleSGD(0.1), 5, 1L);
        reportsTheLossAtTheta(regressor, regression, regressor::setSharpnessAware);

        MultiLabelFactory mf = new MultiLabelFactory();
        MutableDataset<MultiLabel> multiLabel = new MutableDataset<>(new SimpleDataSourceProvenance("m", mf), mf);
        for (int i = 0; i < 12; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            Set<Label> labels = new HashSet<>();
            if (a > 0) {
                labels.add(new Label("A"));
            }
            if (b + 0.3 * a > 0) {
                labels.add(new Label("B"));
            }
            multiLabel.add(new ArrayExample<>(new MultiLabel(labels), new String[]{"a", "b"}, new double[]{a, b}));
        }
        var multi = LinearMultiLabelTrainer.fullBatch(new BinaryCrossEntropy(), new Adam(0.1), 5, 1L);
        reportsTheLossAtTheta(multi, multiLabel, multi::setSharpnessAware);
    }

    @Test
    void provenanceRecordsTheSharpnessSettings() {
        var trainer = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.05), 1, 4, 1L);
        trainer.setSharpnessAware(SharpnessAwareTraining.asam(0.7, 0.01));
        LinearSGDModel model = trainer.train(classification(12, false, 1));
        Provenance recorded = model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("sharpnessAware");
        assertThat(recorded).isInstanceOf(ConfiguredObjectProvenance.class);
        ConfiguredObjectProvenance sam = (ConfiguredObjectProvenance) recorded;
        assertThat(sam.getClassName()).isEqualTo(SharpnessAwareTraining.class.getName());
        Map<String, Provenance> p = sam.getConfiguredParameters();
        assertThat(p.get("rho").toString()).contains("0.7");
        assertThat(p.get("adaptive").toString()).contains("true");
        assertThat(p.get("eta").toString()).contains("0.01");
        assertThat(trainer.toString()).contains("sharpnessAware=SharpnessAwareTraining(rho=0.7,adaptive=true,eta=0.01)");

        var plain = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.05), 1, 4, 1L);
        assertThat(plain.getSharpnessAware()).isNull();
        assertThat(plain.toString()).doesNotContain("sharpnessAware");
    }

    /**
     * The -1 ("unset") values of {@code loggingInterval} and {@code maxSteps} are covered, with and without
     * sharpness-aware training, by {@link TrainerConfigurationRoundTripTest}.
     */
    @Test
    void trainersWithSharpnessAwareTrainingRoundTripTheirConfiguration() {
        var classifier = new LinearClassificationTrainer(new LogMulticlass(), new Adam(0.05), 3, 10, 8, false, 40, 9L);
        classifier.setSharpnessAware(SharpnessAwareTraining.sam(0.05));
        Helpers.testConfigurableRoundtrip(classifier);
        var regressor = new LinearRegressionTrainer(new SquaredLoss(), SGD.getSimpleSGD(0.1), 2, 5,
                AdaptiveBatchSizes.norm(0.5, 2, 32), 100, 3L);
        regressor.setSharpnessAware(SharpnessAwareTraining.asam(0.5, 0.01));
        Helpers.testConfigurableRoundtrip(regressor);
        var multi = new LinearMultiLabelTrainer(new BinaryCrossEntropy(), new Lion(1e-3, 0.9, 0.99, 0.1), 2, 5, 4, true, 30, 5L);
        multi.setSharpnessAware(SharpnessAwareTraining.asam(1.0));
        Helpers.testConfigurableRoundtrip(multi);
        Helpers.testConfigurableRoundtrip(SharpnessAwareTraining.asam(0.5, 0.01));
        assertThat(SharpnessAwareTraining.asam(0.5, 0.01).copy().getProvenance()).isEqualTo(SharpnessAwareTraining.asam(0.5, 0.01).getProvenance());
    }

    private static ConfigurationManager config(Path dir, String sharpnessProperties) throws Exception {
        Path file = dir.resolve("sam.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "<component name=\"adam\" type=\"io.github.descent4j.tribuo.optim.Adam\"><property name=\"learningRate\" value=\"0.1\"/></component>\n"
                + "<component name=\"log\" type=\"org.tribuo.classification.sgd.objectives.LogMulticlass\"/>\n"
                + "<component name=\"sam\" type=\"io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining\">" + sharpnessProperties + "</component>\n"
                + "<component name=\"trainer\" type=\"io.github.descent4j.tribuo.train.LinearClassificationTrainer\">"
                + "<property name=\"objective\" value=\"log\"/><property name=\"optimiser\" value=\"adam\"/>"
                + "<property name=\"minibatchSize\" value=\"4\"/><property name=\"shuffle\" value=\"false\"/>"
                + "<property name=\"epochs\" value=\"2\"/><property name=\"sharpnessAware\" value=\"sam\"/></component>\n"
                + "</config>\n");
        return new ConfigurationManager(file.toString());
    }

    @Test
    void configurationBuildsATrainerWithSharpnessAwareTraining(@TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"rho\" value=\"0.5\"/><property name=\"adaptive\" value=\"true\"/>"
                + "<property name=\"eta\" value=\"0.01\"/>");
        var trainer = (LinearClassificationTrainer) cm.lookup("trainer");
        SharpnessAwareTraining config = trainer.getSharpnessAware();
        assertThat(config.getRho()).isEqualTo(0.5);
        assertThat(config.isAdaptive()).isTrue();
        assertThat(config.getEta()).isEqualTo(0.01);
        var data = classification(12, false, 7);
        CoreReference reference = new CoreReference(data, config, core("Adam"), 0.1);
        trainer.addListener(reference);
        trainer.train(data);
        assertThat(reference.steps).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"rho,0", "rho,-0.1", "rho,NaN", "rho,Infinity", "eta,-0.01", "eta,NaN"})
    void invalidConfigurationIsRejectedNamingTheProperty(String property, String value, @TempDir Path dir) throws Exception {
        String others = property.equals("rho") ? "<property name=\"adaptive\" value=\"true\"/>"
                : "<property name=\"rho\" value=\"0.5\"/><property name=\"adaptive\" value=\"true\"/>";
        String properties = "<property name=\"" + property + "\" value=\"" + value + "\"/>" + others;
        assertThatThrownBy(() -> config(dir, properties).lookup("sam")).isInstanceOf(PropertyException.class)
                .hasMessageContaining(property);
        // A fresh manager: OLCUT keeps the instance whose postConfig failed, and a later lookup would reuse it.
        assertThatThrownBy(() -> config(dir, properties).lookup("trainer")).isInstanceOf(PropertyException.class)
                .hasMessageContaining(property);
    }

    @Test
    void aRejectedComponentThatOlcutStillHandsOutFailsWhenTrainingStarts(@TempDir Path dir) throws Exception {
        ConfigurationManager cm = config(dir, "<property name=\"rho\" value=\"-1\"/>");
        assertThatThrownBy(() -> cm.lookup("sam")).isInstanceOf(PropertyException.class).hasMessageContaining("rho");
        // OLCUT 5.3 keeps the instance whose postConfig threw and wires it into the next lookup.
        var trainer = (LinearClassificationTrainer) cm.lookup("trainer");
        assertThat(trainer.getSharpnessAware().getRho()).isEqualTo(-1.0);
        assertThatThrownBy(() -> trainer.train(classification(8, false, 1))).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("rho").hasMessageContaining("> 0");
    }

    @Test
    void rhoIsMandatoryAndEtaNeedsAdaptive(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> config(dir, "<property name=\"adaptive\" value=\"true\"/>").lookup("sam"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("rho");
        assertThatThrownBy(() -> config(dir, "<property name=\"rho\" value=\"0.1\"/><property name=\"eta\" value=\"0.01\"/>").lookup("sam"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("eta").hasMessageContaining("adaptive");
    }

    @Test
    void badArgumentsNameTheParameterAndItsRange() {
        for (double rho : new double[]{0.0, -0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            for (var attempt : List.<Runnable>of(() -> SharpnessAwareTraining.sam(rho), () -> SharpnessAwareTraining.asam(rho),
                    () -> SharpnessAwareTraining.asam(rho, 0.01), () -> new SharpnessAwareTraining(rho, false, 0.0))) {
                assertThatThrownBy(attempt::run).isInstanceOf(InvalidHyperparameterException.class)
                        .hasMessageContaining("rho").hasMessageContaining("> 0")
                        .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("rho"));
            }
        }
        for (double eta : new double[]{-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SharpnessAwareTraining.asam(0.5, eta)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("eta").hasMessageContaining(">= 0")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("eta"));
        }
        assertThatThrownBy(() -> new SharpnessAwareTraining(0.5, false, 0.01)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("eta").hasMessageContaining("adaptive = true")
                .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("eta"));
    }
}
