package io.github.descent4j.examples.sharpness;

import io.github.descent4j.examples.cli.EmbeddedData;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.FactorPair;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The pieces of {@link SharpnessExperiment}: label flipping, the sharpness proxy, the unbalanced low-rank pair. */
class SharpnessExperimentTest {

    private static LabelledData uniformLabels(int n, int classes, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble(), i};
            y[i] = random.nextInt(classes);
        }
        String[] names = new String[classes];
        for (int c = 0; c < classes; c++) {
            names[c] = "c" + c;
        }
        return new LabelledData(x, y, List.of(names));
    }

    @Test
    void flipsExactlyTheRequestedFractionToOtherClassesReproducibly() {
        LabelledData data = uniformLabels(1000, 10, 3);
        for (double fraction : new double[] {0.0, 0.2, 0.37, 0.9}) {
            LabelledData noisy = SharpnessExperiment.withFlippedLabels(data, fraction, 42);
            int changed = 0;
            Set<Integer> offsets = new HashSet<>();
            for (int i = 0; i < data.size(); i++) {
                assertThat(noisy.features()[i]).isEqualTo(data.features()[i]);
                if (noisy.labels()[i] != data.labels()[i]) {
                    changed++;
                    offsets.add(Math.floorMod(noisy.labels()[i] - data.labels()[i], 10));
                }
            }
            assertThat(changed).as("fraction " + fraction).isEqualTo((int) Math.round(fraction * data.size()));
            if (fraction >= 0.2) {
                assertThat(offsets).as("new classes drawn from all other classes").hasSize(9);
            }
            assertThat(SharpnessExperiment.withFlippedLabels(data, fraction, 42).labels()).as("same seed, same flips")
                    .isEqualTo(noisy.labels());
        }
        assertThat(SharpnessExperiment.withFlippedLabels(data, 0.2, 43).labels()).as("another seed, other flips")
                .isNotEqualTo(SharpnessExperiment.withFlippedLabels(data, 0.2, 42).labels());
        assertThat(data.labels()).as("input untouched").isEqualTo(uniformLabels(1000, 10, 3).labels());
        assertThatThrownBy(() -> SharpnessExperiment.withFlippedLabels(data, 1.0, 1)).hasMessageContaining("[0, 1)");
    }

    @Test
    void sharpnessProxyRestoresTheWeightsExactlyAndGrowsWithTheRadiusAtATrainedNet() {
        LabelledData[] split = EmbeddedData.digits().split(0.7, 5);
        DataSet train = DigitsTraining.toDataSet(split[0]);
        MultiLayerNetwork net = SharpnessExperiment.mlp(5, new Nesterovs(0.1, 0.9), 64, 32);
        Random order = new Random(5);
        for (int epoch = 0; epoch < 15; epoch++) {
            DigitsTraining.epoch(net, train, order, SharpnessExperiment.BATCH);
        }
        float[] before = net.params().toFloatVector();
        double lossBefore = net.score(train, false);

        double[] radii = {0.5, 2, 8};
        double[] means = new double[radii.length];
        for (int k = 0; k < radii.length; k++) {
            double[] increases = SharpnessExperiment.sharpness(net, train, radii[k], 12, 99);
            assertThat(increases).hasSize(12);
            assertThat(net.params().toFloatVector()).as("weights restored exactly").containsExactly(before);
            assertThat(net.score(train, false)).isEqualTo(lossBefore);
            means[k] = SharpnessExperiment.mean(increases);
            assertThat(SharpnessExperiment.sharpness(net, train, radii[k], 12, 99)).as("seeded").isEqualTo(increases);
        }
        assertThat(means[0]).as("near a minimum the loss rises on average: " + Arrays.toString(means)).isPositive();
        assertThat(means[1]).isGreaterThan(means[0]);
        assertThat(means[2]).isGreaterThan(means[1]);
    }

    @Test
    void unbalancedInitialisationKeepsTheFunctionAndOurBalancednessMatchesBars() {
        DataSet data = DigitsTraining.toDataSet(EmbeddedData.digits().split(0.7, 2)[1]);
        MultiLayerNetwork balanced = LowRankNetwork.lowRank(2, 8, 1.0);
        MultiLayerNetwork unbalanced = LowRankNetwork.lowRank(2, 8, 3.0);
        INDArray a = balanced.output(data.getFeatures());
        INDArray b = unbalanced.output(data.getFeatures());
        assertThat(a.sub(b).amaxNumber().doubleValue()).as("x*s, y/s computes the same function").isLessThan(1e-5);

        double x2 = balanced.getLayer(0).getParam("W").norm2Number().doubleValue();
        double y2 = balanced.getLayer(1).getParam("W").norm2Number().doubleValue();
        assertThat(LowRankNetwork.balancedness(balanced)).isCloseTo(0.5 * (x2 * x2 - y2 * y2), within(1e-3));
        assertThat(LowRankNetwork.balancedness(unbalanced)).isCloseTo(0.5 * (9 * x2 * x2 - y2 * y2 / 9), within(1e-3));

        BalancednessAwareTraining bar = BalancednessAwareTraining.obar(AlphaScheduleConfig.constant(0.1), FactorPair.weights("0", "1"))
                .attachTo(unbalanced);
        assertThat(bar.balancedness(unbalanced)[0]).isCloseTo(LowRankNetwork.balancedness(unbalanced), within(1e-6));
    }
}
