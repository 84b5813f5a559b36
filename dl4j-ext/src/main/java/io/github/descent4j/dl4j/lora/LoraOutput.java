package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * An output layer with a low-rank adapter, for heads: the pre-activation of {@link LoraDense},
 * {@code z = x W + b + (α / r)·(x A) B} with W, b frozen (zero gradients, NoOp, no regularisation) and A, B trained,
 * then the layer's activation and loss as DL4J's {@code OutputLayer}. No adapter dropout.
 */
public class LoraOutput extends BaseOutputLayer implements LoraShape {
    private static final long serialVersionUID = 1L;

    private int rank;
    private double alpha;

    /** For JSON. */
    protected LoraOutput() {}

    private LoraOutput(Builder builder) {
        super(builder);
        this.rank = builder.rank;
        this.alpha = builder.alpha;
        LoraDense.validate(rank, alpha, nIn, nOut);
        initializeConstraints(builder);
    }

    @Override
    public int getRank() {
        return rank;
    }

    @Override
    public double getAlpha() {
        return alpha;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                        int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                        DataType networkDataType) {
        LayerValidation.assertNInNOutSet("LoraOutput", getLayerName(), layerIndex, getNIn(), getNOut());
        LoraDense.validate(rank, alpha, getNIn(), getNOut());
        LoraOutputLayer layer = new LoraOutputLayer(conf, networkDataType);
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

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return LoraDense.frozen(paramName) ? new NoOp() : super.getUpdaterByParam(paramName);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return LoraDense.frozen(paramName) ? List.of() : regularization;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof LoraOutput other && other.rank == rank && Double.compare(other.alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), rank, alpha);
    }

    /** Builder: as DL4J's {@code OutputLayer.Builder} (softmax and MCXENT by default), plus rank and α. */
    public static class Builder extends BaseOutputLayer.Builder<Builder> {
        private int rank = 8;
        private double alpha = 8;

        public Builder() {
            this.setActivationFn(new ActivationSoftmax());
        }

        public Builder(LossFunctions.LossFunction lossFunction) {
            super.lossFunction(lossFunction);
            this.setActivationFn(new ActivationSoftmax());
        }

        public Builder(ILossFunction lossFunction) {
            this.setLossFn(lossFunction);
            this.setActivationFn(new ActivationSoftmax());
        }

        /** r, in [1, min(nIn, nOut)]; default 8. */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /** α, finite and &gt; 0 (default 8). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LoraOutput build() {
            return new LoraOutput(this);
        }
    }
}
