package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.TestData;
import io.github.descent4j.tribuo.decay.DecoupledWeightDecay;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.junit.jupiter.api.Test;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.SGD;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The run's weight layout: feature-major for sparse training data, Tribuo's for dense, invisible in the model and
 * in {@code TrainingProgress.parameters()}, and understood by the optimisers that know where the bias is.
 */
class WeightLayoutTest {
    private static final LabelledData[] DIGITS = TestData.digits();

    private static Dataset<Label> digits(boolean sparse) {
        return TribuoDatasets.classification(DIGITS[0], sparse ? "sparse" : "dense", sparse);
    }

    /** Records the Parameters the trainer initialises it with and the shape of each gradient. */
    private static final class Spy extends ForwardingOptimiser {
        private final StochasticGradientOptimiser base;
        Parameters seen;
        final List<int[]> gradientShapes = new ArrayList<>();

        Spy(StochasticGradientOptimiser base) {
            this.base = base;
        }

        @Override
        protected StochasticGradientOptimiser delegate() {
            return base;
        }

        @Override
        public void initialise(Parameters parameters) {
            seen = parameters;
            super.initialise(parameters);
        }

        @Override
        public Tensor[] step(Tensor[] updates, double weight) {
            gradientShapes.add(updates[0].getShape());
            return super.step(updates, weight);
        }

        @Override
        public Spy copy() {
            return this;   // one run per instance: the test reads what it saw
        }
    }

    @Test
    void sparseDataTrainsFeatureMajorDenseDataTribuosLayoutAndTheModelAlwaysHasTribuosLayout() {
        for (boolean sparse : new boolean[]{false, true}) {
            Dataset<Label> data = digits(sparse);
            int features = data.getFeatureIDMap().size();
            int outputs = data.getOutputIDInfo().size();
            Spy spy = new Spy(SGD.getSimpleSGD(0.1));
            LinearSGDModel model = new LinearClassificationTrainer(new LogMulticlass(), spy, 1, 100, 1L).train(data);
            int[] trained = sparse ? new int[]{features + 1, outputs} : new int[]{outputs, features + 1};
            assertThat(spy.seen).as("sparse=%s", sparse).isInstanceOf(sparse ? FeatureMajorLinearParameters.class : LinearParameters.class);
            assertThat(spy.seen instanceof FeatureMajorLinearParameters).isEqualTo(sparse);
            assertThat(spy.gradientShapes).isNotEmpty().allSatisfy(shape -> assertThat(shape).containsExactly(trained));
            assertThat(((DenseMatrix) model.getWeightsCopy()).getShape()).containsExactly(outputs, features + 1);
        }
    }

    @Test
    void progressParametersAreTribuosLayoutRefreshedEachStepAndACopy() {
        Dataset<Label> data = digits(true);
        int features = data.getFeatureIDMap().size();
        LinearClassificationTrainer trainer = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.1), 1, 200, 1L);
        List<DenseMatrix> seen = new ArrayList<>();
        trainer.addListener(new TrainingListener<>() {
            @Override
            public void onStep(TrainingProgress<Label> p) {
                DenseMatrix w = p.parameters().getWeightMatrix();
                assertThat(p.parameters()).isSameAs(p.parameters());   // shared within a step
                seen.add(w.copy());
                w.set(0, 0, 1e6);   // a listener that misbehaves changes its copy only
            }

            @Override
            public void onEnd(TrainingProgress<Label> p) {
                seen.add(p.parameters().getWeightMatrix().copy());
            }
        });
        LinearSGDModel model = trainer.train(data);
        assertThat(seen).hasSizeGreaterThan(2);
        assertThat(seen.get(0).getShape()).containsExactly(data.getOutputIDInfo().size(), features + 1);
        assertThat(TribuoTensors.rows(seen.get(1))).isNotEqualTo(TribuoTensors.rows(seen.get(0)));
        // exact: DenseMatrix.equals has a tolerance
        assertThat(TribuoTensors.rows(seen.get(seen.size() - 1))).isEqualTo(TribuoTensors.rows((DenseMatrix) model.getWeightsCopy()));
        assertThat(((DenseMatrix) model.getWeightsCopy()).get(0, 0)).isLessThan(1e3);
    }

    /** The same problem given densely and sparsely trains the same model (compared through predictions). */
    private static void denseAndSparseAgree(Supplier<StochasticGradientOptimiser> optimiser) {
        Dataset<Label> test = TribuoDatasets.classification(DIGITS[1], "test", false);
        LinearClassificationTrainer trainer = new LinearClassificationTrainer(new LogMulticlass(), optimiser.get(), 2, 32, 7L);
        LinearSGDModel fromDense = trainer.train(digits(false));
        trainer = new LinearClassificationTrainer(new LogMulticlass(), optimiser.get(), 2, 32, 7L);
        LinearSGDModel fromSparse = trainer.train(digits(true));
        for (Example<Label> example : test) {
            var a = fromDense.predict(example).getOutputScores();
            var b = fromSparse.predict(example).getOutputScores();
            for (String label : a.keySet()) {
                assertThat(b.get(label).getScore()).isCloseTo(a.get(label).getScore(), within(1e-9));
            }
        }
    }

    @Test
    void decoupledDecayLeavesTheBiasAloneInEitherLayout() {
        // stateless base, decay on every weight each step: dense and sparse runs differ only if one of them decays the bias
        denseAndSparseAgree(() -> new DecoupledWeightDecay(SGD.getSimpleSGD(0.2), 0.2, 0.5));
        // the check has teeth: decaying the bias too changes the model
        LinearClassificationTrainer keep = new LinearClassificationTrainer(new LogMulticlass(),
                new DecoupledWeightDecay(SGD.getSimpleSGD(0.2), 0.2, 0.5), 2, 32, 7L);
        LinearClassificationTrainer all = new LinearClassificationTrainer(new LogMulticlass(),
                new DecoupledWeightDecay(SGD.getSimpleSGD(0.2), 0.2, 0.5, false), 2, 32, 7L);
        DenseMatrix kept = (DenseMatrix) keep.train(digits(true)).getWeightsCopy();
        DenseMatrix decayed = (DenseMatrix) all.train(digits(true)).getWeightsCopy();
        int bias = kept.getDimension2Size() - 1;
        double keptNorm = 0;
        double decayedNorm = 0;
        for (int o = 0; o < kept.getDimension1Size(); o++) {
            keptNorm += kept.get(o, bias) * kept.get(o, bias);
            decayedNorm += decayed.get(o, bias) * decayed.get(o, bias);
        }
        assertThat(decayedNorm).isLessThan(keptNorm);
    }

    @Test
    void anExplicitSpdAnchorIsGivenInTribuosLayoutForSparseTrainingToo() {
        Dataset<Label> data = digits(true);
        int outputs = data.getOutputIDInfo().size();
        int columns = data.getFeatureIDMap().size() + 1;
        DenseMatrix anchor = new DenseMatrix(outputs, columns);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int o = 0; o < outputs; o++) {
            for (int j = 0; j < columns; j++) {
                anchor.set(o, j, rng.nextDouble(-0.05, 0.05));
            }
        }
        // Tribuo's own trainer (Tribuo's layout) and ours (feature-major here) take the same steps at minibatch 1
        Supplier<StochasticGradientOptimiser> spd = () -> new SelectiveProjectionDecay(SGD.getSimpleSGD(0.05), 1.0, new Tensor[]{anchor});
        DenseMatrix ours = (DenseMatrix) new LinearClassificationTrainer(new LogMulticlass(), spd.get(), 1, 1, 9L)
                .train(data).getWeightsCopy();
        DenseMatrix tribuos = (DenseMatrix) new LinearSGDTrainer(new LogMulticlass(), spd.get(), 1, -1, 1, 9L)
                .train(data).getWeightsCopy();
        DenseMatrix plain = (DenseMatrix) new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.05), 1, 1, 9L)
                .train(data).getWeightsCopy();
        assertThat(distance(ours, tribuos)).isLessThan(1e-9);
        assertThat(distance(ours, plain)).as("the projection acted").isGreaterThan(1e-3);

        DenseMatrix wrong = new DenseMatrix(outputs, columns - 1);
        LinearClassificationTrainer refused = new LinearClassificationTrainer(new LogMulticlass(),
                new SelectiveProjectionDecay(SGD.getSimpleSGD(0.05), 5.0, new Tensor[]{wrong}), 1, 16, 9L);
        assertThatThrownBy(() -> refused.train(data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Tribuo's layout [outputs, features + 1]")
                .hasMessageContaining("[" + outputs + ", " + columns + "]");
    }

    private static double distance(DenseMatrix a, DenseMatrix b) {
        double s = 0;
        for (int i = 0; i < a.getDimension1Size(); i++) {
            for (int j = 0; j < a.getDimension2Size(); j++) {
                double d = a.get(i, j) - b.get(i, j);
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }
}
