package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link ElasticWeightConsolidation} and {@link DiagonalFisher}: the penalty's gradient against finite
 * differences, λ = 0 against no regularisation, the Fisher against a hand computation, forgetting with and
 * without EWC, {@code ModelSerializer} save → restore → continue, JSON/YAML round trips and refusals.
 */
class ElasticWeightConsolidationTest {

    static MultiLayerNetwork classifier(DataType type, IUpdater updater, long seed, int hidden) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(hidden).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** 24 examples of a 3-class task; {@code shift} makes a different task. */
    static DataSet task(DataType type, long seed, double shift) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.randn(type, 24, 4);
        INDArray labels = Nd4j.zeros(type, 24, 3);
        for (int i = 0; i < 24; i++) {
            double s = features.getDouble(i, 0) + shift * features.getDouble(i, 1);
            labels.putScalar(i, s < -0.4 ? 0 : s < 0.4 ? 1 : 2, 1.0);
        }
        return new DataSet(features, labels);
    }

    static DataSetIterator iterator(DataSet data, int batch) {
        return new ListDataSetIterator<>(data.asList(), batch);
    }

    static MultiLayerNetwork pretrained(DataType type, IUpdater updater) {
        MultiLayerNetwork net = classifier(type, updater, 42, 5);
        DataSet old = task(type, 1, 0.0);
        for (int i = 0; i < 30; i++) {
            net.fit(old);
        }
        return net;
    }

    static double[] values(INDArray a) {
        return a.dup().castTo(DataType.DOUBLE).toDoubleVector();
    }

    @Test
    void gradientMatchesFiniteDifferencesOfThePenalty() {
        MultiLayerNetwork net = pretrained(DataType.DOUBLE, new Sgd(0.1));
        ElasticWeightConsolidation ewc = ElasticWeightConsolidation.of(2.5, net,
                DiagonalFisher.compute(net, iterator(task(DataType.DOUBLE, 1, 0.0), 7)));
        net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.3));   // move away from θ*
        int checked = 0;
        for (String key : List.of("0_W", "0_b", "1_W", "1_b")) {
            INDArray param = net.getParam(key);
            INDArray grad = Nd4j.zeros(DataType.DOUBLE, param.shape()).dup(param.ordering());
            ewc.apply(param, grad, 0.1, 0, 0);
            INDArray flatParam = param.reshape(param.ordering(), new long[]{param.length()});
            double[] g = values(grad.reshape(grad.ordering(), new long[]{grad.length()}));
            double h = 1e-6;
            for (int i = 0; i < param.length(); i++) {
                double v = flatParam.getDouble(i);
                flatParam.putScalar(i, v + h);
                double up = ewc.score(param, 0, 0);
                flatParam.putScalar(i, v - h);
                double down = ewc.score(param, 0, 0);
                flatParam.putScalar(i, v);
                double fd = (up - down) / (2 * h);
                assertThat(g[i]).as("%s[%d]", key, i).isCloseTo(fd, within(1e-8 * Math.max(1, Math.abs(fd))));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(net.numParams());
        assertThat(ewc.score(net.getParam("0_W"), 0, 0)).isGreaterThan(0);
    }

    @Test
    void lambdaZeroIsBitIdenticalToNoRegularisation() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            MultiLayerNetwork pre = pretrained(type, new Adam(1e-2));
            MultiLayerNetwork withEwc = ElasticWeightConsolidation.install(pre, iterator(task(type, 1, 0.0), 8), 0.0);
            MultiLayerNetwork plain = new MultiLayerNetwork(pre.getLayerWiseConfigurations().clone());
            plain.init(pre.params().dup(), false);
            DataSet fresh = task(type, 2, 2.0);
            for (int i = 0; i < 10; i++) {
                withEwc.fit(fresh);
                plain.fit(fresh);
            }
            assertThat(values(withEwc.params())).as("%s", type).containsExactly(values(plain.params()));
            assertThat(values(withEwc.params())).isNotEqualTo(values(pre.params()));
            assertThat(withEwc.score()).isEqualTo(plain.score());
        }
    }

    @Test
    void diagonalFisherMatchesAHandComputation() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        double w0 = 0.5, w1 = -1.25, b = 0.3;
        net.getParam("0_W").assign(Nd4j.createFromArray(new double[][]{{w0}, {w1}}));
        net.getParam("0_b").assign(Nd4j.createFromArray(new double[][]{{b}}));
        double[][] x = {{1.0, 2.0}, {-0.5, 0.25}, {3.0, -1.0}};
        double[] y = {0.7, -0.2, 1.5};
        DataSet data = new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(new double[][]{{y[0]}, {y[1]}, {y[2]}}));
        // DL4J's MSE with one output: ℓ = (ŷ − y)², so ∂ℓ/∂w_j = 2(ŷ − y)·x_j, ∂ℓ/∂b = 2(ŷ − y)
        double[] f = new double[3];
        for (int n = 0; n < 3; n++) {
            double r = w0 * x[n][0] + w1 * x[n][1] + b - y[n];
            f[0] += Math.pow(2 * r * x[n][0], 2) / 3;
            f[1] += Math.pow(2 * r * x[n][1], 2) / 3;
            f[2] += Math.pow(2 * r, 2) / 3;
        }
        double[] before = values(net.params());
        Map<String, INDArray> fisher = DiagonalFisher.compute(net, iterator(data, 2));   // batches of 2 and 1
        assertThat(fisher.keySet()).containsExactly("0_W", "0_b");
        double[] fw = values(fisher.get("0_W").reshape(2));
        assertThat(fw[0]).isCloseTo(f[0], within(1e-12));
        assertThat(fw[1]).isCloseTo(f[1], within(1e-12));
        assertThat(fisher.get("0_b").getDouble(0)).isCloseTo(f[2], within(1e-12));
        assertThat(values(net.params())).containsExactly(before);
    }

    /** Σ F(θ − θ*)² over the network, with the Fisher of the old task. */
    static double fisherDistance(MultiLayerNetwork net, Map<String, INDArray> fisher, Map<String, double[]> anchor) {
        double sum = 0;
        for (Map.Entry<String, INDArray> e : fisher.entrySet()) {
            INDArray p = net.getParam(e.getKey());
            double[] theta = ElasticWeightConsolidation.valuesOf(p, p.ordering());
            double[] a = anchor.get(e.getKey());
            double[] f = ElasticWeightConsolidation.valuesOf(e.getValue(), p.ordering());
            for (int i = 0; i < f.length; i++) {
                sum += f[i] * (theta[i] - a[i]) * (theta[i] - a[i]);
            }
        }
        return sum;
    }

    static Map<String, double[]> anchorOf(MultiLayerNetwork net) {
        Map<String, double[]> out = new LinkedHashMap<>();
        net.paramTable().forEach((k, p) -> out.put(k, ElasticWeightConsolidation.valuesOf(p, p.ordering())));
        return out;
    }

    @Test
    void ewcKeepsOldTaskParametersCloserToTheAnchor() {
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.2));
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        DataSet fresh = task(DataType.DOUBLE, 3, -3.0);
        Map<String, INDArray> fisher = DiagonalFisher.compute(pre, iterator(old, 24));
        Map<String, double[]> anchor = anchorOf(pre);
        MultiLayerNetwork withEwc = ElasticWeightConsolidation.install(pre, iterator(old, 24), 20.0);
        MultiLayerNetwork plain = new MultiLayerNetwork(pre.getLayerWiseConfigurations().clone());
        plain.init(pre.params().dup(), false);
        for (int i = 0; i < 60; i++) {
            withEwc.fit(fresh);
            plain.fit(fresh);
        }
        double dEwc = fisherDistance(withEwc, fisher, anchor);
        double dPlain = fisherDistance(plain, fisher, anchor);
        double oldEwc = withEwc.score(old);
        double oldPlain = plain.score(old);
        System.out.printf("EWC forgetting: sum F(theta-theta*)^2 %.4g (EWC) vs %.4g (plain); old-task loss %.4f vs %.4f (pre %.4f)%n",
                dEwc, dPlain, oldEwc, oldPlain, pre.score(old));
        assertThat(dPlain).isGreaterThan(0);
        assertThat(dEwc).isLessThan(0.5 * dPlain);
        assertThat(oldEwc).isLessThan(oldPlain);
    }

    @Test
    void aPrecomputedFisherInstallsTheSameRegularisation() {
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.2));
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        Map<String, INDArray> fisher = DiagonalFisher.compute(pre, iterator(old, 24));
        MultiLayerNetwork fromData = ElasticWeightConsolidation.install(pre, iterator(old, 24), 7.0);
        MultiLayerNetwork fromFisher = ElasticWeightConsolidation.install(pre, fisher, 7.0);
        assertThat(fromFisher.getLayerWiseConfigurations().toJson()).isEqualTo(fromData.getLayerWiseConfigurations().toJson());
        Map<String, INDArray> partial = new LinkedHashMap<>(fisher);
        partial.remove("1_b");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install(pre, partial, 1.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("no entry for parameter 1_b");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install(pre, (Map<String, INDArray>) null, 1.0))
                .hasMessageContaining("Fisher map is missing");
    }

    @Test
    void scoreIncludesThePenalty() {
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.2));
        Map<String, INDArray> fisher = DiagonalFisher.compute(pre, iterator(task(DataType.DOUBLE, 1, 0.0), 5));
        Map<String, double[]> anchor = anchorOf(pre);
        MultiLayerNetwork net = ElasticWeightConsolidation.install(pre, iterator(task(DataType.DOUBLE, 1, 0.0), 5), 3.0);
        for (int i = 0; i < 5; i++) {
            net.fit(task(DataType.DOUBLE, 3, -3.0));
        }
        double expected = 0.5 * 3.0 * fisherDistance(net, fisher, anchor);
        assertThat(expected).isGreaterThan(0);
        assertThat(net.calcRegularizationScore(true)).isCloseTo(expected, within(1e-12 * expected + 1e-15));
    }

    @Test
    void modelSerializerRestoreContinuesBitIdentically() throws IOException {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            MultiLayerNetwork pre = pretrained(type, new Adam(1e-2));
            MultiLayerNetwork net = ElasticWeightConsolidation.install(pre, iterator(task(type, 1, 0.0), 6), 5.0);
            DataSet fresh = task(type, 3, -3.0);
            for (int i = 0; i < 4; i++) {
                net.fit(fresh);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, bytes, true);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
            assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
            assertThat(ewcOf(restored, 0)).isEqualTo(ewcOf(net, 0));
            for (int i = 0; i < 4; i++) {
                net.fit(fresh);
                restored.fit(fresh);
            }
            assertThat(values(restored.params())).as("%s", type).containsExactly(values(net.params()));
            assertThat(restored.score()).isEqualTo(net.score());
            // and EWC did act: without it the continuation differs
            MultiLayerNetwork without = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
            for (int l = 0; l < 2; l++) {
                BaseLayer layer = (BaseLayer) without.getLayerWiseConfigurations().getConf(l).getLayer();
                layer.setRegularization(List.of());
                layer.setRegularizationBias(List.of());
            }
            for (int i = 0; i < 4; i++) {
                without.fit(fresh);
            }
            assertThat(values(without.params())).isNotEqualTo(values(net.params()));
        }
    }

    @Test
    void aGlobalInstanceIsListedTwicePerLayerByDl4jAndSoActsWithTwiceLambda() {
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.2));
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        ElasticWeightConsolidation ewc = ElasticWeightConsolidation.of(4.0, pre, DiagonalFisher.compute(pre, iterator(old, 5)));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42).dataType(DataType.DOUBLE).updater(new Sgd(0.2))
                .regularization(List.of(ewc)).regularizationBias(List.of(ewc))
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        String json = conf.toJson();
        assertThat(MultiLayerConfiguration.fromJson(json)).isEqualTo(conf);
        assertThat(json.split("\"fisher\"", -1).length - 1).isEqualTo(4);   // once per document
        MultiLayerNetwork global = new MultiLayerNetwork(conf);
        global.init(pre.params().dup(), false);
        // DL4J 1.0.0-M2.1 lists a global regularisation twice in every layer's lists (the same instance)
        List<Regularization> layer0 = ((BaseLayer) conf.getConf(0).getLayer()).getRegularization();
        assertThat(layer0).hasSize(2);
        assertThat(layer0.get(0)).isSameAs(layer0.get(1)).isSameAs(ewc);
        MultiLayerNetwork installed = ElasticWeightConsolidation.install(pre, iterator(old, 5), 8.0);
        DataSet fresh = task(DataType.DOUBLE, 3, -3.0);
        for (int i = 0; i < 8; i++) {
            global.fit(fresh);
            installed.fit(fresh);
        }
        double[] g = values(global.params());
        double[] p = values(installed.params());
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i]).as("param %d", i).isCloseTo(p[i], within(1e-12));
        }
        assertThat(g).isNotEqualTo(values(pre.params()));
        assertThat(global.calcRegularizationScore(true)).isCloseTo(installed.calcRegularizationScore(true), within(1e-12));
    }

    static ElasticWeightConsolidation ewcOf(MultiLayerNetwork net, int layer) {
        BaseLayer conf = (BaseLayer) net.getLayerWiseConfigurations().getConf(layer).getLayer();
        for (Regularization r : conf.getRegularization()) {
            if (r instanceof ElasticWeightConsolidation) {
                assertThat(conf.getRegularizationBias()).contains(r);
                return (ElasticWeightConsolidation) r;
            }
        }
        throw new AssertionError("no EWC on layer " + layer);
    }

    @Test
    void configurationRoundTripsThroughJsonAndYamlWithArraysOnceAsBase64() {
        MultiLayerNetwork pre = pretrained(DataType.FLOAT, new Adam(1e-2));
        MultiLayerNetwork net = ElasticWeightConsolidation.install(pre, iterator(task(DataType.FLOAT, 1, 0.0), 6), 1.5);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        assertThat(ewcOf(net, 0).parameterNames()).containsExactly("0_W", "0_b");
        assertThat(ewcOf(net, 1).parameterNames()).containsExactly("1_W", "1_b");
        String json = conf.toJson();
        assertThat(MultiLayerConfiguration.fromJson(json)).isEqualTo(conf);
        assertThat(MultiLayerConfiguration.fromYaml(conf.toYaml())).isEqualTo(conf);
        // one segment per parameter array, though each EWC instance is in the weight and the bias list
        assertThat(json.split("\"fisher\"", -1).length - 1).isEqualTo(4);
        assertThat(json).doesNotContain("\"fisher\" : [");
        System.out.println("EWC configuration JSON: " + json.length() + " characters for " + net.numParams() + " parameters");
        ElasticWeightConsolidation restored = ewcOf(new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json)), 0);
        assertThat(restored).isEqualTo(ewcOf(net, 0)).isNotSameAs(ewcOf(net, 0));
        assertThat(restored.clone()).isEqualTo(restored);
    }

    @Test
    void refusalsNameTheParameter() {
        MultiLayerNetwork pre = pretrained(DataType.DOUBLE, new Sgd(0.1));
        DataSet old = task(DataType.DOUBLE, 1, 0.0);
        for (double bad : new double[]{-1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> ElasticWeightConsolidation.install(pre, iterator(old, 8), bad))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("lambda")
                    .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("lambda"));
            assertThatThrownBy(() -> ElasticWeightConsolidation.of(bad, pre, DiagonalFisher.compute(pre, iterator(old, 8))))
                    .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("lambda");
        }
        assertThatThrownBy(() -> ElasticWeightConsolidation.install(pre, (DataSetIterator) null, 1.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("data");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install(pre, new ListDataSetIterator<>(List.of(), 4), 1.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("no examples");
        assertThatThrownBy(() -> ElasticWeightConsolidation.install((MultiLayerNetwork) null, iterator(old, 8), 1.0))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("pretrained");
        Map<String, INDArray> wrongShape = new LinkedHashMap<>();
        wrongShape.put("0_W", Nd4j.ones(DataType.DOUBLE, 5, 4));
        assertThatThrownBy(() -> ElasticWeightConsolidation.of(1.0, pre, wrongShape))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("0_W").hasMessageContaining("[5, 4]");
        assertThatThrownBy(() -> ElasticWeightConsolidation.of(1.0, pre, Map.of("7_W", Nd4j.ones(DataType.DOUBLE, 4, 5))))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("7_W");
        assertThatThrownBy(() -> ElasticWeightConsolidation.of(1.0, pre, Map.of("0_b", Nd4j.ones(DataType.DOUBLE, pre.getParam("0_b").shape()).negi())))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("0_b").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> ElasticWeightConsolidation.of(1.0, pre, Map.of()))
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("Fisher")
                .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo("fisher"));
        // EWC of one architecture applied to another: same offset, other length
        ElasticWeightConsolidation ewc = ElasticWeightConsolidation.of(1.0, pre, DiagonalFisher.compute(pre, iterator(old, 8)));
        MultiLayerNetwork other = classifier(DataType.DOUBLE, new Sgd(0.1), 1, 7);
        INDArray w = other.getParam("0_W");
        assertThatThrownBy(() -> ewc.apply(w, Nd4j.zeros(DataType.DOUBLE, w.shape()), 0.1, 0, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("0_W").hasMessageContaining("28");
    }
}
