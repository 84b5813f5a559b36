package io.github.descent4j.dl4j.lora;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A dense layer with a low-rank adapter (LoRA; Hu et al. 2022, "LoRA: Low-Rank Adaptation of Large Language Models"),
 * with microsoft/LoRA {@code loralib.Linear} semantics in DL4J orientation:
 * <pre>
 *   out = act(x W + b + (α / r) · (x A) B)       W [nIn, nOut], b [nOut] frozen;  A [nIn, r], B [r, nOut] trained
 * </pre>
 * A starts uniform in ±1/√nIn and B at 0. Optional dropout on the adapter path only ({@code loraDropout}):
 * {@code (α / r) · (drop(x) A) B} in training. <b>Frozen means frozen:</b> DL4J's step subtracts whatever is in a
 * parameter's gradient slot even under a NoOp updater, so the layer never computes dW or db and writes zeros there;
 * W and b get the NoOp updater (no state) and no regularisation, so global L2 or weight decay reaches only A and B.
 * Forward and backward are written by hand ({@link LoraDenseLayer}), not with SameDiff.
 */
public class LoraDense extends FeedForwardLayer implements LoraShape {
    private static final long serialVersionUID = 1L;

    private int rank;
    private double alpha;
    /** Dropout on the adapter's input only (loralib's lora_dropout), a separate instance from the layer's own; or null. */
    private IDropout loraDropout;

    /** For JSON. */
    protected LoraDense() {}

    private LoraDense(Builder builder) {
        super(builder);
        this.rank = builder.rank;
        this.alpha = builder.alpha;
        this.loraDropout = builder.loraDropout;
        validate(rank, alpha, nIn, nOut);
        initializeConstraints(builder);
    }

    static void validate(int rank, double alpha, long nIn, long nOut) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new InvalidHyperparameterException("alpha", "alpha must be a finite number > 0, got " + alpha);
        }
        if (rank < 1 || nIn > 0 && nOut > 0 && rank > Math.min(nIn, nOut)) {
            throw new InvalidHyperparameterException("rank", "rank must be in [1, min(nIn, nOut)] = [1, "
                    + (nIn > 0 && nOut > 0 ? Math.min(nIn, nOut) : "min(nIn, nOut)") + "], got " + rank);
        }
    }

    @Override
    public int getRank() {
        return rank;
    }

    @Override
    public double getAlpha() {
        return alpha;
    }

    /** The dropout on the adapter path, or null. */
    public IDropout getLoraDropout() {
        return loraDropout;
    }

    /** α / r, the adapter's scaling. */
    @Override
    public double scaling() {
        return alpha / rank;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                        int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                        DataType networkDataType) {
        LayerValidation.assertNInNOutSet("LoraDense", getLayerName(), layerIndex, getNIn(), getNOut());
        validate(rank, alpha, getNIn(), getNOut());
        LoraDenseLayer layer = new LoraDenseLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return LoraParamInitializer.getInstance();
    }

    /** W and b: NoOp (no state); A and B: the layer's updater. */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return frozen(paramName) ? new NoOp() : super.getUpdaterByParam(paramName);
    }

    /** W and b: none; A and B: the layer's weight regularisation. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return frozen(paramName) ? List.of() : regularization;
    }

    static boolean frozen(String paramName) {
        return LoraParamInitializer.WEIGHT_KEY.equals(paramName) || LoraParamInitializer.BIAS_KEY.equals(paramName);
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long trainable = (long) rank * (nIn + nOut);
        return new LayerMemoryReport.Builder(layerName, LoraDense.class, inputType, outputType)
                .standardMemory(numParams, getIUpdater().stateSize(trainable))
                .workingMemory(0, 0, 0, outputType.arrayElementsPerExample() + rank)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof LoraDense other && other.rank == rank && Double.compare(other.alpha, alpha) == 0
                && Objects.equals(other.loraDropout, loraDropout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), rank, alpha, loraDropout);
    }

    @Override
    public LoraDense clone() {
        LoraDense copy = (LoraDense) super.clone();
        copy.loraDropout = loraDropout == null ? null : loraDropout.clone();
        return copy;
    }

    /** Builder: nIn, nOut, activation etc. as for a dense layer, plus {@link #rank} and {@link #alpha}. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private int rank = 8;
        private double alpha = 8;
        private IDropout loraDropout;

        /** r, in [1, min(nIn, nOut)]; default 8. */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /** α, finite and &gt; 0; the adapter is scaled by α / r (default α = 8). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Dropout on the adapter path with drop probability p in [0, 1) (loralib's {@code lora_dropout}; DL4J's
         * {@code Dropout} takes the retain probability 1 − p); 0 means none.
         */
        public Builder loraDropout(double dropProbability) {
            if (!(dropProbability >= 0 && dropProbability < 1)) {
                throw new InvalidHyperparameterException("loraDropout", "loraDropout must be a drop probability in [0, 1), got "
                        + dropProbability);
            }
            this.loraDropout = dropProbability == 0 ? null : new Dropout(1 - dropProbability);
            return this;
        }

        /** Any DL4J dropout on the adapter path (a separate instance from the layer's own input dropout). */
        public Builder loraDropout(IDropout dropout) {
            this.loraDropout = dropout;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LoraDense build() {
            return new LoraDense(this);
        }
    }
}
