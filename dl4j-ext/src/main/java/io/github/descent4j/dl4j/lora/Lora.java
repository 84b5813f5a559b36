package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a trained {@link MultiLayerNetwork} into a LoRA network and back:
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
            Layer layer = conf.getConf(index).getLayer();
            if (layer instanceof LoraDense) {
                throw new IllegalArgumentException("layer '" + name + "' already has a LoRA adapter; apply LoRA once per layer");
            }
            if (layer.getClass() != DenseLayer.class) {
                throw new IllegalArgumentException("layer '" + name + "' is a " + layer.getClass().getSimpleName()
                        + ", not a DenseLayer; LoRA adapts dense layers");
            }
            if (((DenseLayer) layer).hasLayerNorm()) {
                throw new IllegalArgumentException("layer '" + name + "' uses layer normalisation, which LoraDense does not have");
            }
            if (!targets.add(index)) {
                throw new IllegalArgumentException("layer '" + name + "' is named twice");
            }
        }
        for (int index : targets) {
            DenseLayer dense = (DenseLayer) conf.getConf(index).getLayer();
            LoraDense.validate(rank, alpha, dense.getNIn(), dense.getNOut());
            LoraDense lora = new LoraDense.Builder().nIn(dense.getNIn()).nOut(dense.getNOut()).rank(rank).alpha(alpha).build();
            copySettings(dense, lora);
            conf.getConf(index).setLayer(lora);
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (targets.contains(i)) {
                out.getLayer(i).getParam(LoraParamInitializer.WEIGHT_KEY).assign(net.getLayer(i).getParam("W"));
                INDArray bias = net.getLayer(i).getParam("b");
                INDArray target = out.getLayer(i).getParam(LoraParamInitializer.BIAS_KEY);
                if (bias == null) {
                    target.assign(0);   // a bias-free dense layer: b = 0, frozen
                } else {
                    target.assign(bias);
                }
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
            LoraDense lora = (LoraDense) conf.getConf(index).getLayer();
            DenseLayer dense = new DenseLayer.Builder().nIn(lora.getNIn()).nOut(lora.getNOut()).hasBias(true).build();
            copySettings(lora, dense);
            conf.getConf(index).setLayer(dense);
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (loras.contains(i)) {
                org.deeplearning4j.nn.api.Layer l = net.getLayer(i);
                double s = ((LoraDense) l.conf().getLayer()).scaling();
                INDArray merged = l.getParam(LoraParamInitializer.WEIGHT_KEY)
                        .add(l.getParam(LoraParamInitializer.A_KEY).mmul(l.getParam(LoraParamInitializer.B_KEY)).muli(s));
                out.getLayer(i).getParam("W").assign(merged);
                out.getLayer(i).getParam("b").assign(l.getParam(LoraParamInitializer.BIAS_KEY));
            } else if (net.getLayer(i).numParams() > 0) {
                out.getLayer(i).params().assign(net.getLayer(i).params());
            }
        }
        return out;
    }

    /** The indices of the LoraDense layers of a configuration. */
    static List<Integer> loraLayers(MultiLayerConfiguration conf) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            if (conf.getConf(i).getLayer() instanceof LoraDense) {
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
