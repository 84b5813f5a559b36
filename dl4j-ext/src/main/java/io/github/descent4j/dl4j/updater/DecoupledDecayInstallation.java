package io.github.descent4j.dl4j.updater;

import io.github.descent4j.dl4j.internal.WrappedLayers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Walks a configuration and installs each AdamW's decoupled decay as its layer's {@code WeightDecay(λ, true)}. */
final class DecoupledDecayInstallation {
    private DecoupledDecayInstallation() {}

    static void install(MultiLayerConfiguration conf) {
        for (NeuralNetConfiguration layerConf : conf.getConfs()) {
            install(layerConf.getLayer(), true);
        }
    }

    static void install(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex) {
                install(layerVertex.getLayerConf().getLayer(), true);
            }
        }
    }

    /**
     * @param decay false inside a frozen layer: FrozenLayerWithBackprop runs its inner layer's updater and
     *              regularisation on a zeroed gradient, so Adam moves nothing but a WeightDecay would shrink the
     *              frozen weights; there the updaters are only marked
     */
    private static void install(Layer configured, boolean decay) {
        WrappedLayers.forEachInner(configured, (inner, frozen) -> installInto(inner, decay && !frozen));
    }

    private static void installInto(Layer layer, boolean decay) {
        if (layer instanceof BaseLayer base) {
            boolean regularises = decay && !(layer instanceof BatchNormalization);   // DL4J never regularises γ, β
            // A null bias updater means the bias uses the weight updater.
            IUpdater biasUpdater = base.getBiasUpdater() != null ? base.getBiasUpdater() : base.getIUpdater();
            if (needs(biasUpdater) && regularises) {
                base.setRegularizationBias(withDecay(layer, base.getRegularizationBias(), (AdamW) biasUpdater));
            }
            if (needs(base.getIUpdater()) && regularises) {
                base.setRegularization(withDecay(layer, base.getRegularization(), (AdamW) base.getIUpdater()));
            }
            mark(base.getBiasUpdater(), base::setBiasUpdater);
            mark(base.getIUpdater(), base::setIUpdater);
        } else if (layer instanceof AbstractSameDiffLayer sameDiff) {
            IUpdater biasUpdater = sameDiff.getBiasUpdater() != null ? sameDiff.getBiasUpdater() : sameDiff.getUpdater();
            if (needs(biasUpdater) && decay) {
                sameDiff.setRegularizationBias(withDecay(layer, sameDiff.getRegularizationBias(), (AdamW) biasUpdater));
            }
            if (needs(sameDiff.getUpdater()) && decay) {
                sameDiff.setRegularization(withDecay(layer, sameDiff.getRegularization(), (AdamW) sameDiff.getUpdater()));
            }
            mark(sameDiff.getBiasUpdater(), sameDiff::setBiasUpdater);
            mark(sameDiff.getUpdater(), sameDiff::setUpdater);
        }
        // Other layers carry no updater of their own (they have no parameters, or take the network's).
    }

    private static boolean needs(IUpdater updater) {
        return updater instanceof AdamW adamW && adamW.needsInstallation();
    }

    private static void mark(IUpdater updater, Consumer<IUpdater> setter) {
        if (updater instanceof AdamW adamW && !adamW.isDecayInstalled()) {
            setter.accept(adamW.withDecayInstalled());
        }
    }

    private static List<Regularization> withDecay(Layer layer, List<Regularization> existing, AdamW adamW) {
        List<Regularization> out = new ArrayList<>();
        if (existing != null) {
            for (Regularization r : existing) {
                if (r instanceof WeightDecay) {
                    throw new IllegalStateException("layer '" + layer.getLayerName() + "' uses AdamW(weightDecay="
                            + adamW.getWeightDecay() + ") and already has " + r + ": the decay would apply twice. Remove "
                            + "the WeightDecay (in DL4J 1.0.0-M2.1 the global builder's .weightDecay registers it twice "
                            + "per layer) and let AdamW.install add it");
                }
                out.add(r);
            }
        }
        out.add(new WeightDecay(adamW.getWeightDecay(), true));
        return out;
    }
}
