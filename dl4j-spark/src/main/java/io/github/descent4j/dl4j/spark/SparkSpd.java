package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.internal.WrappedLayers;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Selective Projection Decay ({@link SelectiveProjectionDecay}) under DL4J's Spark training: the anchor θ₀ must be
 * the pre-trained point, fixed on the driver before training.
 * <p>
 * <b>Why.</b> {@code SelectiveProjectionDecay.of(λ)} captures θ₀ as the parameters at each array's first update. On
 * one machine that is the pre-trained point. Under Spark every worker rebuilds the network from the configuration the
 * driver broadcasts (which holds no captured anchor) and the current averaged parameters, at every averaging round
 * (parameter averaging) or every {@code fit} (gradient sharing); so each worker captures the parameters of the last
 * round and SPD decays toward them, not toward the pre-trained weights. Only an explicit anchor,
 * {@code SelectiveProjectionDecay.toward(λ, pretrained.params())}, travels with the configuration.
 * <p>
 * {@link #anchorAtPretrained(MultiLayerNetwork)} does that conversion on the driver: every {@code of(λ)} condition step
 * in the network's layer configurations (weights and biases, inside frozen, wrapper and bidirectional layers too) is
 * replaced by {@code toward(λ, net.params())}'s, one shared instance per λ (so the anchor is held and serialised
 * once), at the same position of the list; the projection steps stay. Call it on the network you wrap, after loading
 * the pre-trained weights and before training; {@link SparkTraining} calls it for you.
 * {@link #requireFixedAnchors} refuses a configuration that still holds an {@code of(λ)}, saying what to do.
 */
public final class SparkSpd {
    private SparkSpd() {}

    /**
     * Fixes every {@code SelectiveProjectionDecay.of(λ)} of the network at its current parameters (the pre-trained
     * point), as {@code toward(λ, net.params())}.
     *
     * @return how many condition steps were replaced (each layer's weight and bias list counts separately)
     * @throws IllegalStateException when an {@code of(λ)} already captured anchors (the network trained with it
     *                               before): which point it should decay toward is then ambiguous
     */
    public static int anchorAtPretrained(MultiLayerNetwork net) {
        Replacer replacer = new Replacer(net.params());
        for (NeuralNetConfiguration conf : layerConfs(net)) {
            replacer.layer(conf.getLayer());
        }
        return replacer.replaced;
    }

    /** As {@link #anchorAtPretrained(MultiLayerNetwork)}, over every layer vertex of a graph. */
    public static int anchorAtPretrained(ComputationGraph net) {
        Replacer replacer = new Replacer(net.params());
        for (NeuralNetConfiguration conf : layerConfs(net)) {
            replacer.layer(conf.getLayer());
        }
        return replacer.replaced;
    }

    /**
     * Refuses a configuration with an {@code of(λ)} (anchor captured at the first update), which under Spark would
     * decay toward the last averaging round's point.
     *
     * @throws IllegalStateException naming the layer and what to do instead
     */
    public static void requireFixedAnchors(MultiLayerConfiguration conf) {
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            Checker.check(layer.getLayer());
        }
    }

    /** As {@link #requireFixedAnchors(MultiLayerConfiguration)}, for a graph. */
    public static void requireFixedAnchors(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex) {
                Checker.check(layerVertex.getLayerConf().getLayer());
            }
        }
    }

    /** Whether {@code r} is an SPD condition step anchored at the first update. */
    static boolean capturesAnchor(Regularization r) {
        return r instanceof SelectiveProjectionDecay spd && spd.getAnchorType() == SelectiveProjectionDecay.AnchorType.INITIAL;
    }

    /** The layer configurations the network's updater reads and the ones Spark broadcasts (usually the same objects). */
    private static List<NeuralNetConfiguration> layerConfs(MultiLayerNetwork net) {
        Set<NeuralNetConfiguration> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<NeuralNetConfiguration> out = new ArrayList<>();
        for (NeuralNetConfiguration c : net.getLayerWiseConfigurations().getConfs()) {
            if (seen.add(c)) {
                out.add(c);
            }
        }
        if (net.getLayers() != null) {
            for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
                if (seen.add(layer.conf())) {
                    out.add(layer.conf());
                }
            }
        }
        return out;
    }

    private static List<NeuralNetConfiguration> layerConfs(ComputationGraph net) {
        Set<NeuralNetConfiguration> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<NeuralNetConfiguration> out = new ArrayList<>();
        for (GraphVertex vertex : net.getConfiguration().getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex && seen.add(layerVertex.getLayerConf())) {
                out.add(layerVertex.getLayerConf());
            }
        }
        if (net.getLayers() != null) {
            for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
                if (seen.add(layer.conf())) {
                    out.add(layer.conf());
                }
            }
        }
        return out;
    }

    /** Visits the regularisation lists of a layer configuration, through frozen, wrapper and bidirectional layers. */
    private abstract static class LayerWalk {
        final void layer(Layer configured) {
            WrappedLayers.forEachInner(configured, (inner, frozen) -> inner(inner));
        }

        private void inner(Layer layer) {
            if (layer instanceof BaseLayer base) {
                list(layer, "regularization", base.getRegularization(), base::setRegularization);
                list(layer, "regularizationBias", base.getRegularizationBias(), base::setRegularizationBias);
            } else if (layer instanceof AbstractSameDiffLayer sameDiff) {
                list(layer, "regularization", sameDiff.getRegularization(), sameDiff::setRegularization);
                list(layer, "regularizationBias", sameDiff.getRegularizationBias(), sameDiff::setRegularizationBias);
            }
        }

        abstract void list(Layer layer, String which, List<Regularization> list, Consumer<List<Regularization>> setter);
    }

    private static final class Replacer extends LayerWalk {
        private final INDArray params;
        /** One anchored condition step per λ, shared by every list (the anchor is held once). */
        private final Map<Double, Regularization> anchored = new HashMap<>();
        int replaced;

        Replacer(INDArray params) {
            this.params = params;
        }

        @Override
        void list(Layer layer, String which, List<Regularization> list, Consumer<List<Regularization>> setter) {
            if (list == null || list.stream().noneMatch(SparkSpd::capturesAnchor)) {
                return;
            }
            List<Regularization> out = new ArrayList<>(list.size());
            for (Regularization r : list) {
                if (capturesAnchor(r)) {
                    SelectiveProjectionDecay spd = (SelectiveProjectionDecay) r;
                    double lambda = spd.getLambda();
                    if (!spd.equals(SelectiveProjectionDecay.of(lambda).get(0))) {
                        throw new IllegalStateException("layer '" + layer.getLayerName() + "' " + which + ": " + spd
                                + " already captured anchors (the network trained with it), so the pre-trained point is "
                                + "ambiguous; use SelectiveProjectionDecay.toward(" + lambda + ", pretrained.params()) yourself");
                    }
                    out.add(anchored.computeIfAbsent(lambda, l -> SelectiveProjectionDecay.toward(l, params).get(0)));
                    replaced++;
                } else {
                    out.add(r);
                }
            }
            setter.accept(out);
        }
    }

    private static final class Checker extends LayerWalk {
        static void check(Layer layer) {
            new Checker().layer(layer);
        }

        @Override
        void list(Layer layer, String which, List<Regularization> list, Consumer<List<Regularization>> setter) {
            if (list != null && list.stream().anyMatch(SparkSpd::capturesAnchor)) {
                throw new IllegalStateException("layer '" + layer.getLayerName() + "' " + which + " uses "
                        + "SelectiveProjectionDecay.of(lambda): under Spark every worker would capture its anchor at the "
                        + "start of each averaging round and decay toward the last round's point, not the pre-trained "
                        + "weights. Call SparkSpd.anchorAtPretrained(net) on the driver before wrapping the network "
                        + "(SparkTraining does), or use SelectiveProjectionDecay.toward(lambda, pretrained.params())");
            }
        }
    }
}
