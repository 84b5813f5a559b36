package io.github.descent4j.dl4j.lora;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.dl4j.updater.Adam;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dropout on the adapter path only: the same mask forward and backward, none at inference, W still frozen. */
class LoraDropoutTest {

    /** A dropout with a fixed mask, so the expected gradients can be written down. */
    private static final class FixedMask implements IDropout {
        private final INDArray mask;

        FixedMask(INDArray mask) {
            this.mask = mask;
        }

        @Override
        public INDArray applyDropout(INDArray in, INDArray result, int iteration, int epoch, LayerWorkspaceMgr mgr) {
            return result.assign(in.mul(mask));
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
            return gradAtInput.assign(gradAtOutput.mul(mask));
        }

        @Override
        public void clear() {}

        @Override
        public IDropout clone() {
            return this;
        }
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(-1).toDoubleVector();
    }

    @Test
    void theAdapterGradientsGoThroughTheSameMaskAsTheForwardPass() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 5);
        INDArray mask = Nd4j.rand(DataType.DOUBLE, 4, 5).gt(0.4).castTo(DataType.DOUBLE).muli(2.0);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new LoraDense.Builder().nIn(5).nOut(3).rank(2).alpha(3).activation(Activation.IDENTITY)
                        .loraDropout(new FixedMask(mask)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2).build()).build());
        net.init();
        net.initGradientsView();
        Layer layer = net.getLayer(0);
        layer.getParam("B").assign(Nd4j.randn(DataType.DOUBLE, 2, 3));
        INDArray w = layer.getParam("W");
        INDArray b = layer.getParam("b");
        INDArray a = layer.getParam("A");
        INDArray bb = layer.getParam("B");
        double s = 1.5;
        INDArray xd = x.mul(mask);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, mgr);
        INDArray out = layer.activate(true, mgr).dup();
        assertThatValues(flat(out)).isCloseTo(flat(x.mmul(w).addRowVector(b).add(xd.mmul(a).mmul(bb).mul(s))), 1e-12);
        INDArray upstream = Nd4j.randn(DataType.DOUBLE, 4, 3);
        Pair<Gradient, INDArray> back = layer.backpropGradient(upstream, mgr);
        INDArray deltaBt = upstream.mmul(bb.transpose());
        assertThatValues(flat(back.getFirst().getGradientFor("A"))).isCloseTo(flat(xd.transpose().mmul(deltaBt).mul(s)), 1e-12);
        assertThatValues(flat(back.getFirst().getGradientFor("B"))).isCloseTo(flat(xd.mmul(a).transpose().mmul(upstream).mul(s)), 1e-12);
        assertThatValues(flat(back.getSecond())).isCloseTo(
                flat(upstream.mmul(w.transpose()).add(deltaBt.mmul(a.transpose()).mul(s).mul(mask))), 1e-12);
        // inference: no dropout
        assertThatValues(flat(layer.activate(x, false, mgr))).isCloseTo(flat(x.mmul(w).addRowVector(b).add(x.mmul(a).mmul(bb).mul(s))), 1e-12);
    }

    @Test
    void trainingWithAdapterDropoutKeepsWFrozenAndRoundTripsItsConfiguration() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.DOUBLE).updater(new Adam(0.01)).list()
                .layer(new LoraDense.Builder().nIn(5).nOut(6).rank(2).alpha(4).loraDropout(0.3).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
        assertThat(conf.toJson()).contains("loraDropout");
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        double[] w = flat(net.getLayer(0).getParam("W"));
        Nd4j.getRandom().setSeed(4);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 8, 3);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        DataSet data = new DataSet(Nd4j.randn(DataType.DOUBLE, 8, 5), labels);
        for (int i = 0; i < 5; i++) {
            net.fit(data);
        }
        assertThat(flat(net.getLayer(0).getParam("W"))).containsExactly(w);
        assertThat(flat(net.getLayer(0).getParam("B"))).isNotEqualTo(new double[12]);
        assertThatThrownBy(() -> new LoraDense.Builder().loraDropout(1.0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("loraDropout");
        assertThatThrownBy(() -> new LoraDense.Builder().loraDropout(Double.NaN)).hasMessageContaining("loraDropout");
    }
}
