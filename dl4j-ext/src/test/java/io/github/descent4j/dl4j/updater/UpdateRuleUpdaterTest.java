package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration semantics and state handling of the shared updater, without a network. */
class UpdateRuleUpdaterTest {

    @Test
    void invalidHyperparametersAreRejectedNamingTheParameter() {
        assertThatThrownBy(() -> Lion.builder().beta1(1.0).build()).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("beta1");
        assertThatThrownBy(() -> new Lion(1e-4, 0.9, -0.1)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("beta2");
        assertThatThrownBy(() -> new SignSGD(0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> SignSGD.builder().momentum(Double.NaN).build()).hasMessageContaining("momentum");
        assertThatThrownBy(() -> Signum.builder().beta(-1).build()).hasMessageContaining("beta");
        assertThatThrownBy(() -> NormalizedSGD.builder().learningRate(Double.POSITIVE_INFINITY).build())
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> new AdaGradNorm(0.1, 0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("b0");
        Lion lion = new Lion();
        assertThatThrownBy(() -> lion.setBeta2(2)).hasMessageContaining("beta2");
        assertThat(lion.getBeta2()).as("an invalid setter call leaves the old value").isEqualTo(Lion.DEFAULT_BETA2);
        assertThatThrownBy(() -> lion.setLearningRate(-1)).hasMessageContaining("learningRate");
        // With a schedule the constant rate is unused and not checked.
        assertThat(new Signum(new ExponentialSchedule(ScheduleType.EPOCH, 0.1, 0.9)).getLearningRate(0, 2))
                .isCloseTo(0.1 * 0.81, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void configurationsAreValuesWithIndependentClones() {
        Lion a = Lion.builder().learningRate(1e-3).beta1(0.8).build();
        Lion b = new Lion(1e-3, 0.8, Lion.DEFAULT_BETA2);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Lion(1e-3, 0.8, 0.95)).isNotEqualTo(new Signum(1e-3, 0.8));
        Lion copy = a.clone();
        assertThat(copy).isEqualTo(a).isNotSameAs(a);
        copy.setBeta1(0.5);
        assertThat(a.getBeta1()).isEqualTo(0.8);
        assertThat(a.toString()).isEqualTo("Lion(learningRate=0.001,beta1=0.8,beta2=0.99)");
        assertThat(new SignSGD(0.1).hasLearningRate()).isTrue();
    }

    /**
     * The JSON text of every configuration, exactly as it was when each hyperparameter was a field of its
     * class (DL4J's mapper sorts properties by name), is read back to an equal configuration; without a
     * schedule the text written is still the same (with one, the schedule now precedes the numbers).
     */
    @Test
    void theJsonOfTheFieldBasedConfigurationsStillReadsAndIsStillWritten() throws Exception {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        String p = "{\"@class\":\"io.github.descent4j.dl4j.updater.";
        Map<IUpdater, String> previous = new LinkedHashMap<>();
        previous.put(new SignSGD(), p + "SignSGD\",\"learningRate\":0.001,\"momentum\":0.0}");
        previous.put(new SignSGD(0.01, 0.5), p + "SignSGD\",\"learningRate\":0.01,\"momentum\":0.5}");
        previous.put(Signum.builder().beta(0.8).learningRate(0.2).build(), p + "Signum\",\"beta\":0.8,\"learningRate\":0.2}");
        previous.put(new Lion(), p + "Lion\",\"beta1\":0.9,\"beta2\":0.99,\"learningRate\":1.0E-4}");
        previous.put(new NormalizedSGD(0.3, 0.7), p + "NormalizedSGD\",\"learningRate\":0.3,\"momentum\":0.7}");
        previous.put(new AdaGradNorm(), p + "AdaGradNorm\",\"b0\":0.01,\"learningRate\":1.0}");
        previous.put(AdaGradNorm.builder().b0(0.5).build(), p + "AdaGradNorm\",\"b0\":0.5,\"learningRate\":1.0}");
        int cases = 0;
        for (Map.Entry<IUpdater, String> e : previous.entrySet()) {
            assertThat(mapper.writeValueAsString(e.getKey()).replaceAll("\\s", "")).as("JSON of %s", e.getKey())
                    .isEqualTo(e.getValue());
            assertThat(mapper.readValue(e.getValue(), IUpdater.class)).as("%s read back", e.getValue()).isEqualTo(e.getKey());
            cases++;
        }
        String lion = p + "Lion\",\"beta1\":0.8,\"beta2\":0.95,\"learningRate\":1.0E-4,\"learningRateSchedule\":"
                + "{\"@class\":\"org.nd4j.linalg.schedule.ExponentialSchedule\",\"gamma\":0.9,\"initialValue\":0.1,\"scheduleType\":\"ITERATION\"}}";
        Lion scheduled = Lion.builder().beta1(0.8).beta2(0.95)
                .learningRateSchedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.9)).build();
        IUpdater read = mapper.readValue(lion, IUpdater.class);
        assertThat(read).isEqualTo(scheduled);
        assertThat(read.getLearningRate(3, 0)).isEqualTo(0.1 * Math.pow(0.9, 3));
        assertThat(mapper.readValue(mapper.writeValueAsString(scheduled), IUpdater.class)).isEqualTo(scheduled);
        assertThat(cases).isEqualTo(7);
    }

    @Test
    void stateSizeIsBuffersPlusHeaderPerVariable() {
        assertThat(new SignSGD(0.1).stateSize(100)).isEqualTo(2);
        assertThat(new SignSGD(0.1, 0.9).stateSize(100)).isEqualTo(102);
        assertThat(new Lion().stateSize(100)).isEqualTo(102);
        assertThat(new Signum().stateSize(100)).isEqualTo(102);
        assertThat(new NormalizedSGD(0.1, 0.5).stateSize(100)).isEqualTo(102);
        assertThat(new AdaGradNorm().stateSize(100)).isEqualTo(4);
    }

    @Test
    void aNonFiniteGradientIsRejectedBeforeAnyStateChanges() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Lion lion = new Lion(0.01);
            INDArray view = Nd4j.create(type, lion.stateSize(5));
            GradientUpdater<?> updater = lion.instantiate(view, true);
            updater.applyUpdater(Nd4j.createFromArray(1.0, -2.0, 0.5, 3.0, -1.0).castTo(type), 0, 0);
            INDArray before = view.dup();
            INDArray bad = Nd4j.createFromArray(1.0, 2.0, Double.NaN, 4.0, 5.0).castTo(type);
            assertThatThrownBy(() -> updater.applyUpdater(bad, 1, 0)).isInstanceOf(NonFiniteGradientException.class)
                    .hasMessageContaining("[2]").hasMessageContaining("no parameter or optimiser state was updated");
            assertThat(view.toDoubleVector()).isEqualTo(before.toDoubleVector());
            assertThat(bad.toDoubleVector()[0]).as("the gradient is left as it was").isEqualTo(1.0);
        }
    }

    @Test
    void otherDataTypesAndNonContiguousArraysTakeTheCopyPathWithTheSameResult() {
        double[] g1 = {0.3, -1.2, 0.0, 2.5, -0.7, 1.1};
        double[] g2 = {-0.4, 0.2, 0.9, -2.0, 0.0, 0.6};
        for (UpdateRuleUpdater config : new UpdateRuleUpdater[]{new Lion(0.01), new NormalizedSGD(0.1, 0.9), new AdaGradNorm(0.5, 0.1)}) {
            long size = config.stateSize(6);
            // Contiguous double reference.
            GradientUpdater<?> plain = config.instantiate(Nd4j.create(DataType.DOUBLE, size), true);
            // The same block as a strided column of a matrix (elementWiseStride != 1).
            GradientUpdater<?> strided = config.instantiate(Nd4j.create(DataType.DOUBLE, size), true);
            for (double[] g : new double[][]{g1, g2}) {
                INDArray a = Nd4j.createFromArray(g);
                plain.applyUpdater(a, 0, 0);
                INDArray matrix = Nd4j.create(DataType.DOUBLE, 6, 2);
                INDArray column = matrix.getColumn(0);
                column.assign(Nd4j.createFromArray(g));
                assertThat(column.elementWiseStride()).isNotEqualTo(1);
                strided.applyUpdater(column, 0, 0);
                assertThat(column.toDoubleVector()).as("%s strided", config).isEqualTo(a.toDoubleVector());
            }
            // Half precision goes through the same double arithmetic.
            GradientUpdater<?> half = config.instantiate(Nd4j.create(DataType.FLOAT16, size), true);
            INDArray h = Nd4j.createFromArray(g1).castTo(DataType.FLOAT16);
            half.applyUpdater(h, 0, 0);
            assertThat(h.dataType()).isEqualTo(DataType.FLOAT16);
            assertThat(((UpdateRuleGradientUpdater) half).getStepCount()).isEqualTo(1);
        }
    }

    @Test
    void floatStateKeepsTheAccumulatorAndStepCountBeyondFloatPrecision() {
        AdaGradNorm config = new AdaGradNorm(1.0, 1000.0);   // b² = 10⁶: a float would drop increments < 0.06
        INDArray view = Nd4j.create(DataType.FLOAT, config.stateSize(1));
        UpdateRuleGradientUpdater updater = config.instantiate(view, true);
        INDArray g = Nd4j.create(DataType.FLOAT, 1);
        int steps = 2000;
        for (int i = 0; i < steps; i++) {
            g.assign(0.1);   // ‖g‖² = 0.01 per step, far below float's resolution at 10⁶
            updater.applyUpdater(g, i, 0);
        }
        double expected = 1e6 + steps * ((double) 0.1f * (double) 0.1f);
        assertThat(updater.getScalarState()[0]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));   // one float: off by 20
        assertThat(updater.getStepCount()).isEqualTo(steps);
        // The split encoding keeps a step counter exact where one float would have stopped at 2²⁴.
        INDArray counter = Nd4j.create(DataType.FLOAT, 2);
        long big = (1L << 40) + 12345;
        double hi = (float) big;
        counter.putScalar(0, hi);
        counter.putScalar(1, big - hi);
        assertThat((long) (counter.getDouble(0) + counter.getDouble(1))).isEqualTo(big);
    }

    @Test
    void stateMapRoundTripsAndViewsShareMemory() {
        Signum config = new Signum(0.1, 0.5);
        INDArray view = Nd4j.create(DataType.FLOAT, config.stateSize(4));
        GradientUpdater<?> updater = config.instantiate(view, true);
        updater.applyUpdater(Nd4j.createFromArray(1f, -2f, 0f, 4f), 0, 0);
        Map<String, INDArray> state = updater.getState();
        assertThat(state).containsOnlyKeys("header", "buffer0");
        assertThat(state.get("buffer0").toDoubleVector()).containsExactly(0.5, -1.0, 0.0, 2.0);
        GradientUpdater<?> copy = config.instantiate(state, false);
        INDArray g1 = Nd4j.createFromArray(1f, 1f, 1f, 1f);
        INDArray g2 = g1.dup();
        updater.applyUpdater(g1, 1, 0);
        copy.applyUpdater(g2, 1, 0);
        assertThat(g2.toDoubleVector()).isEqualTo(g1.toDoubleVector());
        assertThat(((UpdateRuleGradientUpdater) copy).getStepCount()).isEqualTo(2);
        // The view passed in is live: the state is written there, at its offset inside a larger array.
        INDArray host = Nd4j.create(DataType.FLOAT, 20);
        INDArray inner = host.get(NDArrayIndex.interval(7, 7 + config.stateSize(4)));
        GradientUpdater<?> viewed = config.instantiate(inner, true);
        viewed.applyUpdater(Nd4j.createFromArray(2f, 2f, -2f, 0f), 0, 0);
        assertThat(host.get(NDArrayIndex.interval(7 + 2, 7 + 6)).toDoubleVector()).containsExactly(1.0, 1.0, -1.0, 0.0);
        assertThat(host.getDouble(6)).isZero();
        assertThat(host.getDouble(7 + 6)).isZero();
    }

    @Test
    void aViewThatDoesNotFitTheBlockIsAClearError() {
        Lion lion = new Lion();
        GradientUpdater<?> updater = lion.instantiate(Nd4j.create(DataType.FLOAT, lion.stateSize(4)), true);
        assertThatThrownBy(() -> updater.applyUpdater(Nd4j.create(DataType.FLOAT, 5), 0, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("block of 5 parameters");
        GradientUpdater<?> used = lion.instantiate(Nd4j.create(DataType.FLOAT, lion.stateSize(4)), true);
        used.applyUpdater(Nd4j.create(DataType.FLOAT, 4), 0, 0);
        assertThatThrownBy(() -> used.applyUpdater(Nd4j.create(DataType.FLOAT, 3), 1, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("block of 4");
    }
}
