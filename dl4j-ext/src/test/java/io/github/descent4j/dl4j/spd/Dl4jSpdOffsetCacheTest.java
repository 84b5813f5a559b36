package io.github.descent4j.dl4j.spd;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SelectiveProjectionDecayBuilder#cacheOffsets}: with d = θ − θ₀ recomputed instead of kept, training
 * follows the same trajectory bit for bit (d is the same elementwise expression of the same values, and every sum
 * runs in the same fixed order), on float and double networks, every anchor kind, and long arrays split over
 * two lanes; no offsets are held; the setting is part of value equality and survives JSON, YAML and clone.
 */
class Dl4jSpdOffsetCacheTest {
    private static final double LAMBDA = 0.7;

    @AfterEach
    void restoreLanes() {
        ParallelParts.forcedLanes = 0;
    }

    private static List<Function<SelectiveProjectionDecayBuilder, SelectiveProjectionDecayBuilder>> anchors() {
        INDArray explicit = Nd4j.linspace(DataType.DOUBLE, -0.3, 0.4, 51);
        return List.of(b -> b.towardInitial(), b -> b.towardZero(), b -> b.toward(explicit));
    }

    private static MultiLayerNetwork trained(DataType type, IUpdater updater, boolean cache,
                                             Function<SelectiveProjectionDecayBuilder, SelectiveProjectionDecayBuilder> anchor,
                                             int steps) {
        MultiLayerConfiguration conf = Dl4jSpdNetworkTest.globalConf(type, updater,
                () -> anchor.apply(SelectiveProjectionDecay.builder(LAMBDA)).cacheOffsets(cache).build());
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet data = Dl4jSpdNetworkTest.data(type);
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        return net;
    }

    private static long applications(MultiLayerNetwork net) {
        long sum = 0;
        for (String name : net.paramTable().keySet()) {
            sum += SelectiveProjectionDecay.applicationCount(net.getParam(name));
        }
        return sum;
    }

    @Test
    void trainingWithoutKeptOffsetsFollowsTheSameTrajectoryBitForBit() {
        int cases = 0;
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (IUpdater updater : List.of(new Adam(0.1), new Sgd(1.5))) {
                for (var anchor : anchors()) {
                    MultiLayerNetwork kept = trained(type, updater, true, anchor, 0);
                    MultiLayerNetwork recomputed = trained(type, updater, false, anchor, 0);
                    DataSet data = Dl4jSpdNetworkTest.data(type);
                    for (int step = 0; step < 8; step++) {
                        kept.fit(data);
                        recomputed.fit(data);
                        assertThat(Arrays.mismatch(recomputed.params().toDoubleVector(), kept.params().toDoubleVector()))
                                .as("%s %s anchor case %d step %d: first parameter where recomputed offsets differ",
                                        type, updater.getClass().getSimpleName(), cases, step).isEqualTo(-1);
                    }
                    assertThat(applications(recomputed)).as("the projection must have applied, or the comparison is vacuous")
                            .isPositive().isEqualTo(applications(kept));
                    for (String name : recomputed.paramTable().keySet()) {
                        assertThat(ParameterStates.get(recomputed.getParam(name), false).offsets)
                                .as("%s keeps no offsets", name).isNull();
                        assertThat(ParameterStates.get(kept.getParam(name), false).offsets)
                                .as("%s keeps its offsets by default", name).hasSize((int) kept.getParam(name).length());
                    }
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(12);
    }

    @Test
    void longArraysOnOneAndTwoLanesGiveTheSameBitsWithAndWithoutKeptOffsets() {
        int n = (int) ParallelParts.PARALLEL_MIN + 12_345;
        int runs = 0;
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (boolean zeroAnchor : new boolean[]{false, true}) {
                double[] reference = longStep(type, n, zeroAnchor, true, 1);
                for (int lanes = 1; lanes <= 2; lanes++) {
                    double[] recomputed = longStep(type, n, zeroAnchor, false, lanes);
                    assertThat(Arrays.mismatch(recomputed, reference)).as("%s zeroAnchor=%s lanes=%d", type, zeroAnchor, lanes)
                            .isEqualTo(-1);
                    runs++;
                }
            }
        }
        assertThat(runs).isEqualTo(8);
    }

    /** One condition + projection on a long array: θ = θ₀ + 0.01·g (c &lt; 0), u moving away from θ₀. */
    private static double[] longStep(DataType type, int n, boolean zeroAnchor, boolean cache, int lanes) {
        ParallelParts.forcedLanes = lanes;
        Nd4j.getRandom().setSeed(11);
        INDArray anchor = Nd4j.rand(type, 1, n).subi(0.5);
        INDArray gradient = Nd4j.rand(type, 1, n).subi(0.5);
        INDArray params = anchor.add(gradient.mul(0.01));
        INDArray update = gradient.mul(-1e-3).subi(anchor.mul(1e-3));
        SelectiveProjectionDecayBuilder builder = SelectiveProjectionDecay.builder(LAMBDA).cacheOffsets(cache);
        List<Regularization> spd = (zeroAnchor ? builder.towardZero() : builder.toward(anchor)).build();
        spd.get(0).apply(params, gradient, 1e-3, 0, 0);
        spd.get(1).apply(params, update, 1e-3, 0, 0);
        assertThat(SelectiveProjectionDecay.applicationCount(params)).as("projection applied").isEqualTo(1);
        return update.toDoubleVector();
    }

    @Test
    void theSettingIsPartOfEqualityAndSurvivesJsonYamlAndClone() {
        for (var anchor : anchors()) {
            SelectiveProjectionDecay off = (SelectiveProjectionDecay) anchor.apply(SelectiveProjectionDecay.builder(0.5))
                    .cacheOffsets(false).build().get(0);
            SelectiveProjectionDecay on = (SelectiveProjectionDecay) anchor.apply(SelectiveProjectionDecay.builder(0.5))
                    .build().get(0);
            assertThat(off.cachesOffsets()).isFalse();
            assertThat(on.cachesOffsets()).isTrue();
            assertThat(off).isNotEqualTo(on);
            assertThat(off.clone()).isEqualTo(off).hasSameHashCodeAs(off);
            assertThat(off.toString()).endsWith(", cacheOffsets=false)");
            assertThat(on.toString()).doesNotContain("cacheOffsets");

            MultiLayerConfiguration conf = Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-3),
                    () -> anchor.apply(SelectiveProjectionDecay.builder(0.5)).cacheOffsets(false).build());
            String json = conf.toJson();
            assertThat(json).contains("\"cacheOffsets\" : false");
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertThat(back).isEqualTo(conf);
            assertThat(back.toJson()).isEqualTo(json);
            assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
            SelectiveProjectionDecay restored = (SelectiveProjectionDecay)
                    ((BaseLayer) back.getConf(1).getLayer()).getRegularization().get(0);
            assertThat(restored.cachesOffsets()).isFalse();
            assertThat(restored).isEqualTo(off);

            MultiLayerConfiguration kept = Dl4jSpdNetworkTest.globalConf(DataType.FLOAT, new Adam(1e-3),
                    () -> anchor.apply(SelectiveProjectionDecay.builder(0.5)).build());
            assertThat(kept).isNotEqualTo(conf);
            // JSON written before the setting existed has no cacheOffsets: it reads as the old behaviour, kept.
            String legacy = kept.toJson().replace(",\n      \"cacheOffsets\" : true", "").replace("\"cacheOffsets\" : true,", "");
            assertThat(legacy).doesNotContain("cacheOffsets");
            assertThat(MultiLayerConfiguration.fromJson(legacy)).isEqualTo(kept);
        }
    }

    @Test
    void theShortcutsEqualTheBuilder() {
        INDArray anchor = Nd4j.linspace(DataType.FLOAT, -1, 1, 51);
        assertThat(SelectiveProjectionDecay.of(0.5)).isEqualTo(SelectiveProjectionDecay.builder(0.5).build());
        assertThat(SelectiveProjectionDecay.towardZero(0.5)).isEqualTo(SelectiveProjectionDecay.builder(0.5).towardZero().build());
        assertThat(SelectiveProjectionDecay.toward(0.5, anchor))
                .isEqualTo(SelectiveProjectionDecay.builder(0.5).towardZero().toward(anchor).build());
        assertThat(SelectiveProjectionDecay.of(0.5)).isNotEqualTo(SelectiveProjectionDecay.builder(0.5).cacheOffsets(false).build());
    }
}
