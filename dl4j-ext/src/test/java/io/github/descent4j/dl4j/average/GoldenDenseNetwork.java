package io.github.descent4j.dl4j.average;

import io.github.descent4j.testkit.GoldenCase;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link MultiLayerNetwork} whose parameters are a golden case's tensors, of any count and shapes, as in
 * {@code Dl4jNetworkGoldenConformanceTest}: a {@code [r, c]} tensor is a dense layer's weight ({@code nIn = r},
 * {@code nOut = c}; row-major golden data goes through {@code assign}) and a following {@code [c]} tensor its bias;
 * any other tensor of n values is the {@code [1, n]} weight of a bias-free layer of its own. {@link #step} is one
 * optimiser step as DL4J's {@code StochasticGradientDescent} takes it, with the case's gradients in place of
 * backpropagation: the gradients go into the network's flattened gradient view, the network's own updater runs
 * (batch size 1, so DL4J's minibatch division is the identity), {@code params −= update}, every listener's
 * {@code iterationDone(net, iteration, epoch)} is called outside workspaces, and the iteration count advances.
 */
final class GoldenDenseNetwork {
    /** Where one golden tensor lives in the network, and the shape it has there. */
    private record Slot(int layer, String param, int[] shape) {}

    final MultiLayerNetwork net;
    private final DataType dataType;
    private final List<Slot> slots = new ArrayList<>();
    private final List<INDArray> gradientViews = new ArrayList<>();
    private final Gradient gradient;
    private final INDArray flatGradient;

    GoldenDenseNetwork(List<GoldenCase.GoldenTensor> tensors, IUpdater updater, DataType dataType) {
        this.dataType = dataType;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).dataType(dataType).updater(updater).list();
        int layer = 0;
        for (int t = 0; t < tensors.size(); t++) {
            int[] shape = tensors.get(t).shape();
            int[] weight = shape.length == 2 ? shape : new int[]{1, tensors.get(t).initial().length};
            boolean bias = shape.length == 2 && t + 1 < tensors.size() && tensors.get(t + 1).shape().length == 1
                    && tensors.get(t + 1).shape()[0] == shape[1];
            list.layer(new DenseLayer.Builder().nIn(weight[0]).nOut(weight[1]).activation(Activation.IDENTITY).hasBias(bias).build());
            slots.add(new Slot(layer, "W", weight));
            if (bias) {
                t++;
                slots.add(new Slot(layer, "b", tensors.get(t).shape()));
            }
            layer++;
        }
        // Layers hold unrelated tensors, so nIn must stay as set.
        net = new MultiLayerNetwork(list.overrideNinUponBuild(false).build());
        net.init();
        assertThat(net.params().dataType()).isEqualTo(dataType);
        assertThat(net.numParams()).isEqualTo(tensors.stream().mapToLong(g -> g.initial().length).sum());
        for (int t = 0; t < slots.size(); t++) {
            param(t).assign(rowMajor(tensors.get(t).initial(), slots.get(t).shape()));
        }
        net.getUpdater();   // creates the updater and the flattened gradient view
        flatGradient = net.getFlattenedGradients();
        gradient = new DefaultGradient(flatGradient);
        for (Slot slot : slots) {
            Layer l = net.getLayer(slot.layer());
            Map<String, INDArray> views = l.conf().getLayer().initializer().getGradientsFromFlattened(l.conf(), l.getGradientsViewArray());
            INDArray view = views.get(slot.param());
            gradient.setGradientFor(slot.layer() + "_" + slot.param(), view);
            gradientViews.add(view);
        }
    }

    int tensorCount() {
        return slots.size();
    }

    /** One optimiser step with the given loss gradients (one flat row-major array per tensor). */
    void step(double[][] gradients) {
        flatGradient.assign(Double.NaN);   // every cell must be overwritten by the case's gradients
        for (int t = 0; t < slots.size(); t++) {
            gradientViews.get(t).assign(rowMajor(gradients[t], slots.get(t).shape()));
        }
        assertThat(flatGradient.toDoubleVector()).doesNotContain(Double.NaN);
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();
        ((BaseMultiLayerUpdater<?>) net.getUpdater()).update(gradient, iteration, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = net.params();
        params.subi(flatGradient.reshape(params.shape()));
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (TrainingListener listener : net.getListeners()) {
                listener.iterationDone(net, iteration, epoch);
            }
        }
        net.setIterationCount(iteration + 1);
    }

    /** Tensor t's current values, flat row-major. */
    double[] values(int t) {
        return param(t).dup('c').reshape(-1).toDoubleVector();
    }

    private INDArray param(int t) {
        Slot slot = slots.get(t);
        return net.getParam(slot.layer() + "_" + slot.param());
    }

    private INDArray rowMajor(double[] values, int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return Nd4j.create(values, dims, 'c').castTo(dataType);
    }
}
