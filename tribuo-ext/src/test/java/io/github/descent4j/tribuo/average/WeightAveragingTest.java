package io.github.descent4j.tribuo.average;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.average.AveragingRule;
import io.github.descent4j.core.average.ParameterAverage;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.TestData;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.junit.jupiter.api.Test;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.test.Helpers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WeightAveraging} inside Tribuo's {@code LinearSGDTrainer} and descent4j's {@code LinearClassificationTrainer}:
 * the model {@code train} returns holds core's {@link ParameterAverage} of the parameters after every step (recorded
 * by a wrapper inside it), with {@code returnAverage=false} it is the plain base's model, and the configuration is
 * validated, copied and recorded in provenance.
 */
class WeightAveragingTest {

    /** Records the parameters the trainer hands every step (θ after the previous step) and at finalise. */
    static final class Recorder extends ForwardingOptimiser {
        private final StochasticGradientOptimiser base;
        private final List<double[]> seen;
        private Parameters parameters;

        Recorder(StochasticGradientOptimiser base, List<double[]> seen) {
            this.base = base;
            this.seen = seen;
        }

        @Override
        protected StochasticGradientOptimiser delegate() {
            return base;
        }

        @Override
        public void initialise(Parameters parameters) {
            this.parameters = parameters;
            seen.clear();
            super.initialise(parameters);
        }

        private void record() {
            // in the model's layout: descent4j's trainers train the transpose
            seen.add(flat(parameters instanceof FeatureMajorLinearParameters f
                    ? f.toTribuoLayout().getWeightMatrix() : (DenseMatrix) parameters.get()[0]));
        }

        @Override
        public Tensor[] step(Tensor[] updates, double weight) {
            record();
            return super.step(updates, weight);
        }

        @Override
        public void finalise() {
            record();
            super.finalise();
        }

        @Override
        public Recorder copy() {
            return new Recorder(base.copy(), seen);
        }
    }

    static double[] flat(DenseMatrix m) {
        double[] out = new double[m.getDimension1Size() * m.getDimension2Size()];
        for (int r = 0; r < m.getDimension1Size(); r++) {
            for (int c = 0; c < m.getDimension2Size(); c++) {
                out[r * m.getDimension2Size() + c] = m.get(r, c);
            }
        }
        return out;
    }

    /** What torch's AveragedModel holds after the recorded run: seen[0] is θ₀, seen[t] θ_t. */
    static double[] expected(AveragingRule rule, List<double[]> seen) {
        ParameterAverage reference = new ParameterAverage(rule, new double[][]{seen.get(0)});
        for (int t = 1; t < seen.size(); t++) {
            reference.afterStep(new double[][]{seen.get(t)});
        }
        return reference.average()[0];
    }

    private static Dataset<Label> wine() {
        LabelledData[] wine = TestData.wine();
        return TribuoDatasets.classification(wine[0], "wine-train", false);
    }

    private static void theTrainedModelIsTheAverage(Function<StochasticGradientOptimiser, Trainer<Label>> trainer, AveragingRule rule) {
        Dataset<Label> train = wine();
        List<double[]> seen = new ArrayList<>();
        Model<Label> averaged = trainer.apply(new WeightAveraging(new Recorder(new Adam(0.05), seen), rule)).train(train);
        double[] expected = expected(rule, seen);
        assertThatValues(flat(((LinearSGDModel) averaged).getWeightsCopy())).isCloseTo(expected, 1e-12);
        double[] last = seen.get(seen.size() - 1);
        assertThat(expected).isNotEqualTo(last);

        Model<Label> plain = trainer.apply(new Adam(0.05)).train(train);
        Model<Label> notReturned = trainer.apply(new WeightAveraging(new Adam(0.05), rule, false)).train(train);
        assertThat(flat(((LinearSGDModel) plain).getWeightsCopy())).containsExactly(last);
        assertThat(flat(((LinearSGDModel) notReturned).getWeightsCopy())).containsExactly(last);
    }

    @Test
    void linearSgdTrainerReturnsTheEmaModel() {
        theTrainedModelIsTheAverage(o -> new LinearSGDTrainer(new LogMulticlass(), o, 2, -1, 1, 3L), AveragingRule.ema(0.95, 40));
    }

    @Test
    void linearSgdTrainerWithMinibatchesReturnsTheSwaModel() {
        theTrainedModelIsTheAverage(o -> new LinearSGDTrainer(new LogMulticlass(), o, 3, -1, 8, 3L), AveragingRule.swa(10));
    }

    @Test
    void descent4jTrainerReturnsTheAverageModel() {
        theTrainedModelIsTheAverage(o -> new LinearClassificationTrainer(new LogMulticlass(), o, 3, 16, 5L), AveragingRule.ema(0.8));
        theTrainedModelIsTheAverage(o -> new LinearClassificationTrainer(new LogMulticlass(), o, 2, 4, 5L), AveragingRule.swa(3));
    }

    @Test
    void trainingThatEndsBeforeTheStartStepKeepsTheTrainedModel() {
        Dataset<Label> train = wine();
        Model<Label> plain = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5), 1, -1, 1, 3L).train(train);
        Model<Label> late = new LinearSGDTrainer(new LogMulticlass(), new WeightAveraging(new AdaGrad(0.5), AveragingRule.swa(100_000)),
                1, -1, 1, 3L).train(train);
        assertThat(flat(((LinearSGDModel) late).getWeightsCopy())).containsExactly(flat(((LinearSGDModel) plain).getWeightsCopy()));
    }

    @Test
    void provenanceRecordsEverySettingAndTheBase() {
        WeightAveraging averaging = new WeightAveraging(new Adam(0.01), AveragingRule.ema(0.99, 7), false);
        Model<Label> model = new LinearSGDTrainer(new LogMulticlass(), averaging, 1, -1, 1, 1L).train(wine());
        ConfiguredObjectProvenance p = (ConfiguredObjectProvenance) model.getProvenance().getTrainerProvenance()
                .getConfiguredParameters().get("optimiser");
        assertThat(p.getClassName()).isEqualTo(WeightAveraging.class.getName());
        Provenance base = p.getConfiguredParameters().get("base");
        assertThat(((ConfiguredObjectProvenance) base).getClassName()).isEqualTo(Adam.class.getName());
        assertThat(p.getConfiguredParameters().get("mode").toString()).contains("EMA");
        assertThat(p.getConfiguredParameters().get("decay").toString()).contains("0.99");
        assertThat(p.getConfiguredParameters().get("startStep").toString()).contains("7");
        assertThat(p.getConfiguredParameters().get("returnAverage").toString()).contains("false");
        Helpers.testConfigurableRoundtrip(averaging);
        WeightAveraging copy = averaging.copy();
        assertThat(copy).isNotSameAs(averaging);
        assertThat(copy.getProvenance()).isEqualTo(averaging.getProvenance());
        assertThat(copy.rule()).isEqualTo(averaging.rule());
        assertThat(copy.isReturnAverage()).isFalse();
    }

    @Test
    void badSettingsAreRefusedNamingTheParameter() {
        for (double decay : new double[]{Double.NaN, Double.POSITIVE_INFINITY, -0.5, 1.0}) {
            assertThatThrownBy(() -> new WeightAveraging(new Adam(0.1), AveragingRule.ema(decay)))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("decay");
        }
        assertThatThrownBy(() -> new WeightAveraging(new Adam(0.1), AveragingRule.swa(-1)))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("startStep");
        assertThatThrownBy(() -> new WeightAveraging(null, AveragingRule.swa())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base");
        assertThatThrownBy(() -> new WeightAveraging(new Adam(0.1), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule");
        assertThatThrownBy(() -> new WeightAveraging(new Adam(0.1), AveragingRule.swa()).average())
                .isInstanceOf(IllegalStateException.class);
    }
}
