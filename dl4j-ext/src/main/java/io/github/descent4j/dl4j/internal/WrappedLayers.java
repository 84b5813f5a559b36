package io.github.descent4j.dl4j.internal;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;

import java.util.function.BiConsumer;

/**
 * The layer configurations DL4J actually trains inside a configured layer: through {@code FrozenLayer},
 * {@code FrozenLayerWithBackprop}, other wrapper layers ({@code LastTimeStep}, …) and both halves of a
 * {@code Bidirectional}. Code that edits per-layer updaters or regularisations walks them this way.
 */
public final class WrappedLayers {
    private WrappedLayers() {}

    /**
     * Calls {@code visit} with every innermost layer of {@code layer} (the layer itself when it wraps nothing) and
     * whether it sits inside a frozen wrapper.
     */
    public static void forEachInner(Layer layer, BiConsumer<Layer, Boolean> visit) {
        forEachInner(layer, false, visit);
    }

    private static void forEachInner(Layer layer, boolean frozen, BiConsumer<Layer, Boolean> visit) {
        if (layer instanceof FrozenLayer f) {
            forEachInner(f.getLayer(), true, visit);
        } else if (layer instanceof FrozenLayerWithBackprop f) {
            forEachInner(f.getUnderlying(), true, visit);
        } else if (layer instanceof BaseWrapperLayer wrapper) {
            forEachInner(wrapper.getUnderlying(), frozen, visit);
        } else if (layer instanceof Bidirectional bidirectional) {
            forEachInner(bidirectional.getFwd(), frozen, visit);
            forEachInner(bidirectional.getBwd(), frozen, visit);
        } else {
            visit.accept(layer, frozen);
        }
    }
}
