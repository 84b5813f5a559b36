package io.github.descent4j.dl4j.sharpness;

import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Objects;

/**
 * Two parameter matrices x and y of a network whose product x·y is what the network uses, so that the loss
 * is invariant under x → s·x, y → y/s: for example the weights {@code W} of two consecutive dense layers with
 * identity activation and no bias between them, or the two factors of a low-rank layer. Each is named by its
 * layer (the layer's name, or for a {@code MultiLayerNetwork} its index) and its parameter key ({@code "W"}).
 * Whether the pair exists and x's columns match y's rows is checked against the network by
 * {@link BalancednessAwareTraining#attachTo}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class FactorPair implements Serializable {
    private static final long serialVersionUID = 1L;

    @JsonProperty("xLayer")
    private final String xLayer;
    @JsonProperty("xParam")
    private final String xParam;
    @JsonProperty("yLayer")
    private final String yLayer;
    @JsonProperty("yParam")
    private final String yParam;

    @JsonCreator
    private FactorPair(@JsonProperty("xLayer") String xLayer, @JsonProperty("xParam") String xParam,
                       @JsonProperty("yLayer") String yLayer, @JsonProperty("yParam") String yParam) {
        this.xLayer = require("xLayer", xLayer);
        this.xParam = require("xParam", xParam);
        this.yLayer = require("yLayer", yLayer);
        this.yParam = require("yParam", yParam);
    }

    private static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must name a layer or parameter, got " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    /** x = parameter {@code xParam} of layer {@code xLayer}, y likewise (layer names or indices). */
    public static FactorPair of(String xLayer, String xParam, String yLayer, String yParam) {
        return new FactorPair(xLayer, xParam, yLayer, yParam);
    }

    /** For a {@code MultiLayerNetwork}: layers by index. */
    public static FactorPair of(int xLayer, String xParam, int yLayer, String yParam) {
        return new FactorPair(String.valueOf(xLayer), xParam, String.valueOf(yLayer), yParam);
    }

    /** The weights {@code W} of two layers, e.g. {@code weights("0", "1")} for consecutive dense layers. */
    public static FactorPair weights(String xLayer, String yLayer) {
        return new FactorPair(xLayer, "W", yLayer, "W");
    }

    /**
     * A LoRA layer's adapter pair: x = its {@code A} [nIn, r], y = its {@code B} [r, nOut] (the product A·B), so
     * B = ½(‖A‖² − ‖B‖²).
     */
    public static FactorPair lora(String layer) {
        return new FactorPair(layer, "A", layer, "B");
    }

    public String getXLayer() {
        return xLayer;
    }

    public String getXParam() {
        return xParam;
    }

    public String getYLayer() {
        return yLayer;
    }

    public String getYParam() {
        return yParam;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FactorPair p && xLayer.equals(p.xLayer) && xParam.equals(p.xParam)
                && yLayer.equals(p.yLayer) && yParam.equals(p.yParam);
    }

    @Override
    public int hashCode() {
        return Objects.hash(xLayer, xParam, yLayer, yParam);
    }

    @Override
    public String toString() {
        return "(x = " + xLayer + "/" + xParam + ", y = " + yLayer + "/" + yParam + ")";
    }
}
