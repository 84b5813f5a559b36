package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a {@link LoraDense} or {@link LoraOutput} layer in one flat view: W [nIn, nOut] (frozen), b [1, nOut] (frozen),
 * A [nIn, r] and B [r, nOut] (trained), each matrix column-major as DL4J's dense layers store W. New parameters:
 * W by the layer's weight initialisation, b by its bias initialisation, A uniform in ±1/√nIn, B = 0 (so a new adapter
 * leaves the layer's output unchanged, as loralib).
 */
public final class LoraParamInitializer implements ParamInitializer {
    /** Frozen weights. */
    public static final String WEIGHT_KEY = "W";
    /** Frozen bias. */
    public static final String BIAS_KEY = "b";
    /** Down-projection [nIn, r]. */
    public static final String A_KEY = "A";
    /** Up-projection [r, nOut]. */
    public static final String B_KEY = "B";

    private static final LoraParamInitializer INSTANCE = new LoraParamInitializer();
    private static final List<String> KEYS = List.of(WEIGHT_KEY, BIAS_KEY, A_KEY, B_KEY);

    private LoraParamInitializer() {}

    public static LoraParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        LoraShape l = (LoraShape) layer;
        long nIn = l.getNIn();
        long nOut = l.getNOut();
        long r = l.getRank();
        return nIn * nOut + nOut + nIn * r + r * nOut;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(WEIGHT_KEY, A_KEY, B_KEY);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(BIAS_KEY);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEY.equals(key) || A_KEY.equals(key) || B_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        org.deeplearning4j.nn.conf.layers.BaseLayer l = (org.deeplearning4j.nn.conf.layers.BaseLayer) conf.getLayer();
        LoraShape shape = (LoraShape) l;
        long expected = numParams(l);
        if (paramsView.length() != expected) {
            throw new IllegalStateException("expected a parameter view of length " + expected + ", got " + paramsView.length());
        }
        Map<String, INDArray> views = views(shape, paramsView);
        if (initializeParams) {
            INDArray w = views.get(WEIGHT_KEY);
            IWeightInit init = l.getWeightInitFn();
            init.init(shape.getNIn(), shape.getNOut(), w.shape(), IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, w);
            views.get(BIAS_KEY).assign(l.getBiasInit());
            double bound = 1.0 / Math.sqrt(shape.getNIn());
            INDArray a = views.get(A_KEY);
            a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(2 * bound).subi(bound));
            views.get(B_KEY).assign(0);
        }
        for (String key : KEYS) {
            conf.addVariable(key);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views((LoraShape) conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> views(LoraShape l, INDArray flat) {
        INDArray v = flat.reshape(flat.length());
        long nIn = l.getNIn();
        long nOut = l.getNOut();
        long r = l.getRank();
        Map<String, INDArray> out = Collections.synchronizedMap(new LinkedHashMap<>());
        long at = 0;
        out.put(WEIGHT_KEY, v.get(NDArrayIndex.interval(at, at + nIn * nOut)).reshape('f', nIn, nOut));
        at += nIn * nOut;
        out.put(BIAS_KEY, v.get(NDArrayIndex.interval(at, at + nOut)).reshape(1, nOut));
        at += nOut;
        out.put(A_KEY, v.get(NDArrayIndex.interval(at, at + nIn * r)).reshape('f', nIn, r));
        at += nIn * r;
        out.put(B_KEY, v.get(NDArrayIndex.interval(at, at + r * nOut)).reshape('f', r, nOut));
        return out;
    }
}
