package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a trained {@link MultiLayerNetwork} or {@link ComputationGraph} into a LoRA network and back:
 * <pre>
 *   MultiLayerNetwork lora = Lora.apply(pretrained, 8, 16, "0", "hidden2");   // dense layers by index or name
 *   ... lora.fit(...)                                                         // trains A and B (and unwrapped layers)
 *   MultiLayerNetwork plain = Lora.merge(lora);                               // W' = W + (α/r)·A·B, as DenseLayers
 * </pre>
 * {@link #apply} replaces each named {@code DenseLayer} by a {@link LoraDense} with the same sizes, activation,
 * initialisation, updaters, regularisation, dropout, gradient normalisation and name, copies W and b (frozen from then
 * on), and copies every other layer's parameters unchanged (frozen layers stay frozen); A and B start as a new
 * adapter (B = 0), so the LoRA network's outputs equal the original's. The updater state starts afresh (a fine-tuning
 * run). {@link #merge} returns a plain network whose outputs equal the LoRA network's. Neither modifies its argument.
 */
public final class Lora {
    private Lora() {}

    /**
     * @param rank r, in [1, min(nIn, nOut)] of every target layer
     * @param alpha α, finite and &gt; 0
     * @param layers the target dense layers, by name or index; at least one
     * @throws IllegalArgumentException naming a layer that does not exist, is not a plain DenseLayer (output heads,
     *         frozen or layer-normalised layers), or already has an adapter
     */
    public static MultiLayerNetwork apply(MultiLayerNetwork net, int rank, double alpha, String... layers) {
        if (layers == null || layers.length == 0) {
            throw new IllegalArgumentException("layers: name at least one dense layer (by name or index) to adapt");
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        Set<Integer> targets = new LinkedHashSet<>();
        for (String name : layers) {
            int index = indexOf(conf, name);
            requireAdaptable(name, conf.getConf(index).getLayer());
            if (!targets.add(index)) {
                throw new IllegalArgumentException("layer '" + name + "' is named twice");
            }
        }
        for (int index : targets) {
            conf.getConf(index).setLayer(toLora(conf.getConf(index).getLayer(), rank, alpha));
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (targets.contains(i)) {
                copyFrozen(net.getLayer(i), out.getLayer(i));
            } else if (net.getLayer(i).numParams() > 0) {
                out.getLayer(i).params().assign(net.getLayer(i).params());
            }
        }
        return out;
    }

    /**
     * A plain network with every LoraDense layer replaced by a DenseLayer of weights W + (α/r)·A·B and bias b.
     *
     * @throws IllegalArgumentException when the network has no LoRA layer
     */
    public static MultiLayerNetwork merge(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        List<Integer> loras = loraLayers(conf);
        if (loras.isEmpty()) {
            throw new IllegalArgumentException("the network has no LoRA layer to merge");
        }
        for (int index : loras) {
            conf.getConf(index).setLayer(toPlain(conf.getConf(index).getLayer()));
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (loras.contains(i)) {
                copyMerged(net.getLayer(i), out.getLayer(i));
            } else if (net.getLayer(i).numParams() > 0) {
                out.getLayer(i).params().assign(net.getLayer(i).params());
            }
        }
        return out;
    }

    /**
     * As {@link #apply(MultiLayerNetwork, int, double, String...)} for a graph: the target layer vertices by name.
     */
    public static ComputationGraph apply(ComputationGraph graph, int rank, double alpha, String... layers) {
        if (layers == null || layers.length == 0) {
            throw new IllegalArgumentException("layers: name at least one dense layer vertex to adapt");
        }
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Set<String> targets = new LinkedHashSet<>();
        for (String name : layers) {
            GraphVertex vertex = conf.getVertices().get(name);
            if (!(vertex instanceof LayerVertex layerVertex)) {
                throw new IllegalArgumentException("no layer vertex '" + name + "'; vertices: " + conf.getVertices().keySet());
            }
            requireAdaptable(name, layerVertex.getLayerConf().getLayer());
            if (!targets.add(name)) {
                throw new IllegalArgumentException("layer '" + name + "' is named twice");
            }
        }
        for (String name : targets) {
            NeuralNetConfiguration layerConf = ((LayerVertex) conf.getVertices().get(name)).getLayerConf();
            layerConf.setLayer(toLora(layerConf.getLayer(), rank, alpha));
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init();
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (targets.contains(name)) {
                copyFrozen(l, out.getLayer(name));
            } else if (l.numParams() > 0) {
                out.getLayer(name).params().assign(l.params());
            }
        }
        return out;
    }

    /** As {@link #merge(MultiLayerNetwork)} for a graph. */
    public static ComputationGraph merge(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Set<String> loras = new LinkedHashSet<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex v && v.getLayerConf().getLayer() instanceof LoraShape) {
                v.getLayerConf().setLayer(toPlain(v.getLayerConf().getLayer()));
                loras.add(e.getKey());
            }
        }
        if (loras.isEmpty()) {
            throw new IllegalArgumentException("the graph has no LoRA layer to merge");
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init();
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (loras.contains(name)) {
                copyMerged(l, out.getLayer(name));
            } else if (l.numParams() > 0) {
                out.getLayer(name).params().assign(l.params());
            }
        }
        return out;
    }

    private static void requireAdaptable(String name, Layer layer) {
        if (layer instanceof LoraShape) {
            throw new IllegalArgumentException("layer '" + name + "' already has a LoRA adapter; apply LoRA once per layer");
        }
        if (layer.getClass() == OutputLayer.class) {
            return;
        }
        if (layer.getClass() != DenseLayer.class) {
            throw new IllegalArgumentException("layer '" + name + "' is a " + layer.getClass().getSimpleName()
                    + ", not a DenseLayer or OutputLayer; LoRA adapts dense layers and output heads");
        }
        if (((DenseLayer) layer).hasLayerNorm()) {
            throw new IllegalArgumentException("layer '" + name + "' uses layer normalisation, which LoraDense does not have");
        }
    }

    /** A DenseLayer → LoraDense, an OutputLayer → LoraOutput (same loss), all settings copied. */
    private static Layer toLora(Layer layer, int rank, double alpha) {
        if (layer instanceof OutputLayer head) {
            LoraDense.validate(rank, alpha, head.getNIn(), head.getNOut());
            LoraOutput lora = new LoraOutput.Builder(head.getLossFn()).nIn(head.getNIn()).nOut(head.getNOut()).rank(rank)
                    .alpha(alpha).build();
            copySettings(head, lora);
            return lora;
        }
        DenseLayer dense = (DenseLayer) layer;
        LoraDense.validate(rank, alpha, dense.getNIn(), dense.getNOut());
        LoraDense lora = new LoraDense.Builder().nIn(dense.getNIn()).nOut(dense.getNOut()).rank(rank).alpha(alpha).build();
        copySettings(dense, lora);
        return lora;
    }

    /** A LoraDense → DenseLayer, a LoraOutput → OutputLayer (same loss). */
    private static Layer toPlain(Layer layer) {
        if (layer instanceof LoraOutput lora) {
            OutputLayer head = new OutputLayer.Builder(lora.getLossFn()).nIn(lora.getNIn()).nOut(lora.getNOut()).hasBias(true).build();
            copySettings(lora, head);
            return head;
        }
        LoraDense lora = (LoraDense) layer;
        DenseLayer dense = new DenseLayer.Builder().nIn(lora.getNIn()).nOut(lora.getNOut()).hasBias(true).build();
        copySettings(lora, dense);
        return dense;
    }

    /** W and b of a dense layer into a new LoRA layer (b = 0 for a bias-free dense layer). */
    private static void copyFrozen(org.deeplearning4j.nn.api.Layer dense, org.deeplearning4j.nn.api.Layer lora) {
        lora.getParam(LoraParamInitializer.WEIGHT_KEY).assign(dense.getParam("W"));
        INDArray bias = dense.getParam("b");
        INDArray target = lora.getParam(LoraParamInitializer.BIAS_KEY);
        if (bias == null) {
            target.assign(0);
        } else {
            target.assign(bias);
        }
    }

    /** W + (α/r)·A·B and b into the merged dense layer. */
    private static void copyMerged(org.deeplearning4j.nn.api.Layer lora, org.deeplearning4j.nn.api.Layer dense) {
        double s = ((LoraShape) lora.conf().getLayer()).scaling();
        INDArray merged = lora.getParam(LoraParamInitializer.WEIGHT_KEY)
                .add(lora.getParam(LoraParamInitializer.A_KEY).mmul(lora.getParam(LoraParamInitializer.B_KEY)).muli(s));
        dense.getParam("W").assign(merged);
        dense.getParam("b").assign(lora.getParam(LoraParamInitializer.BIAS_KEY));
    }

    /** The indices of the LoraDense layers of a configuration. */
    static List<Integer> loraLayers(MultiLayerConfiguration conf) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            if (conf.getConf(i).getLayer() instanceof LoraShape) {
                out.add(i);
            }
        }
        return out;
    }

    /** The index of a layer given by name or index. */
    static int indexOf(MultiLayerConfiguration conf, String name) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            String layerName = conf.getConf(i).getLayer().getLayerName();
            names.add(layerName);
            if (name.equals(layerName)) {
                return i;
            }
        }
        if (name.matches("\\d+") && Integer.parseInt(name) < conf.getConfs().size()) {
            return Integer.parseInt(name);
        }
        throw new IllegalArgumentException("no layer '" + name + "'; layers: " + names + " (or their index)");
    }

    /** Everything a dense layer carries besides its sizes and parameters. */
    private static void copySettings(BaseLayer from, BaseLayer to) {
        to.setLayerName(from.getLayerName());
        to.setActivationFn(from.getActivationFn());
        to.setWeightInitFn(from.getWeightInitFn());
        to.setBiasInit(from.getBiasInit());
        to.setIUpdater(from.getIUpdater());
        to.setBiasUpdater(from.getBiasUpdater());
        to.setRegularization(from.getRegularization());
        to.setRegularizationBias(from.getRegularizationBias());
        to.setWeightNoise(from.getWeightNoise());
        to.setGradientNormalization(from.getGradientNormalization());
        to.setGradientNormalizationThreshold(from.getGradientNormalizationThreshold());
        to.setIDropout(from.getIDropout());
        to.setConstraints(from.getConstraints());
    }
}
