package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The runtime of {@link LoraDense}: with s = α / r and δ = act'(z) ⊙ ε the error at the pre-activation z,
 * <pre>
 *   z = x W + b + s (x̃ A) B                      (x̃ = x, or in training drop(x) with the adapter's dropout)
 *   dB = s (x̃ A)ᵀ δ,   dA = s x̃ᵀ (δ Bᵀ),   dx = δ Wᵀ + drop'(s (δ Bᵀ) Aᵀ),   dW = 0,  db = 0 (never computed)
 * </pre>
 */
public class LoraDenseLayer extends BaseLayer<LoraDense> {
    private static final long serialVersionUID = 1L;

    /** The input after the adapter's dropout in this training pass, kept so the backward pass sees the same mask. */
    private INDArray droppedInput;

    public LoraDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        droppedInput = null;
    }

    @Override
    public void clear() {
        super.clear();
        droppedInput = null;
    }

    /** x itself, or in training with adapter dropout, drop(x) — drawn once per input and reused by the backward pass. */
    private INDArray adapterInput(INDArray x, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!training || layerConf().getLoraDropout() == null) {
            return x;
        }
        if (droppedInput == null) {
            INDArray result = workspaceMgr.createUninitialized(ArrayType.INPUT, x.dataType(), x.shape(), x.ordering());
            droppedInput = layerConf().getLoraDropout().applyDropout(x, result, getIterationCount(), getEpochCount(), workspaceMgr);
        }
        return droppedInput;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return true;
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return preOutputWithPreNorm(training, false, workspaceMgr).getFirst();
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray w = getParam(LoraParamInitializer.WEIGHT_KEY);
        INDArray x = input.castTo(dataType);
        if (x.rank() != 2 || x.columns() != w.rows()) {
            throw new DL4JInvalidInputException("LoraDense input must be a matrix [batch, " + w.rows() + "], got shape "
                    + Arrays.toString(x.shape()) + " " + layerId());
        }
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), x.size(0), w.size(1));
        x.mmuli(w, z);
        LoraMath.addAdapter(adapterInput(x, training, workspaceMgr), getParam(LoraParamInitializer.A_KEY),
                getParam(LoraParamInitializer.B_KEY), layerConf().scaling(), z);
        z.addiRowVector(getParam(LoraParamInitializer.BIAS_KEY));
        if (maskArray != null) {
            applyMask(z);
        }
        return new Pair<>(z, z);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray z = preOutputWithPreNorm(true, true, workspaceMgr).getFirst();
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        if (maskArray != null) {
            applyMask(delta);
        }
        double s = layerConf().scaling();
        INDArray x = input.castTo(delta.dataType());
        INDArray w = getParam(LoraParamInitializer.WEIGHT_KEY);
        INDArray a = getParam(LoraParamInitializer.A_KEY);
        INDArray b = getParam(LoraParamInitializer.B_KEY);

        // Frozen: zeros in W's and b's gradient slots, so DL4J's step (params −= gradient view) leaves them exactly.
        INDArray gradW = gradientViews.get(LoraParamInitializer.WEIGHT_KEY).assign(0);
        INDArray gradBias = gradientViews.get(LoraParamInitializer.BIAS_KEY).assign(0);
        INDArray gradA = gradientViews.get(LoraParamInitializer.A_KEY);
        INDArray gradB = gradientViews.get(LoraParamInitializer.B_KEY);

        INDArray xd = adapterInput(x, true, workspaceMgr);
        INDArray deltaBt = LoraMath.adapterGradients(xd, a, b, s, delta, gradA, gradB);   // [batch, r]

        INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(), x.size(0), x.size(1));
        Nd4j.gemm(delta, w, epsilonNext, false, true, 1.0, 0.0);
        if (xd == x) {
            Nd4j.gemm(deltaBt, a, epsilonNext, false, true, s, 1.0);
        } else {
            // through the adapter's dropout: its backward pass scales by the same mask
            INDArray adapterPart = deltaBt.mmul(a.transpose()).muli(s);
            epsilonNext.addi(layerConf().getLoraDropout().backprop(adapterPart, adapterPart, getIterationCount(), getEpochCount()));
        }

        Gradient ret = new DefaultGradient();
        ret.gradientForVariable().put(LoraParamInitializer.WEIGHT_KEY, gradW);
        ret.gradientForVariable().put(LoraParamInitializer.BIAS_KEY, gradBias);
        ret.gradientForVariable().put(LoraParamInitializer.A_KEY, gradA);
        ret.gradientForVariable().put(LoraParamInitializer.B_KEY, gradB);
        epsilonNext = backpropDropOutIfPresent(epsilonNext);
        return new Pair<>(ret, epsilonNext);
    }
}
