package io.github.descent4j.dl4j.lora;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime of {@link LoraOutput}: the pre-activation of {@link LoraDenseLayer}, DL4J's loss gradient δ at it, and
 * the adapter gradients of {@link LoraMath}; W and b get zero gradients.
 */
public class LoraOutputLayer extends BaseOutputLayer<LoraOutput> {
    private static final long serialVersionUID = 1L;

    public LoraOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean hasBias() {
        return true;
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray w = getParam(LoraParamInitializer.WEIGHT_KEY);
        INDArray x = input.castTo(dataType);
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), x.size(0), w.size(1));
        x.mmuli(w, z);
        LoraMath.addAdapter(x, getParam(LoraParamInitializer.A_KEY), getParam(LoraParamInitializer.B_KEY),
                layerConf().scaling(), z);
        z.addiRowVector(getParam(LoraParamInitializer.BIAS_KEY));
        return z;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray preOut = preOutput2d(true, workspaceMgr);
        INDArray delta = layerConf().getLossFn().computeGradient(getLabels2d(workspaceMgr, ArrayType.BP_WORKING_MEM), preOut,
                layerConf().getActivationFn(), maskArray);
        INDArray x = input.castTo(delta.dataType());
        INDArray w = getParam(LoraParamInitializer.WEIGHT_KEY);
        INDArray a = getParam(LoraParamInitializer.A_KEY);
        double s = layerConf().scaling();
        INDArray gradW = gradientViews.get(LoraParamInitializer.WEIGHT_KEY).assign(0);
        INDArray gradBias = gradientViews.get(LoraParamInitializer.BIAS_KEY).assign(0);
        INDArray gradA = gradientViews.get(LoraParamInitializer.A_KEY);
        INDArray gradB = gradientViews.get(LoraParamInitializer.B_KEY);
        INDArray deltaBt = LoraMath.adapterGradients(x, a, getParam(LoraParamInitializer.B_KEY), s, delta, gradA, gradB);

        INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(), x.size(0), x.size(1));
        Nd4j.gemm(delta, w, epsilonNext, false, true, 1.0, 0.0);
        Nd4j.gemm(deltaBt, a, epsilonNext, false, true, s, 1.0);

        Gradient ret = new DefaultGradient();
        ret.gradientForVariable().put(LoraParamInitializer.WEIGHT_KEY, gradW);
        ret.gradientForVariable().put(LoraParamInitializer.BIAS_KEY, gradBias);
        ret.gradientForVariable().put(LoraParamInitializer.A_KEY, gradA);
        ret.gradientForVariable().put(LoraParamInitializer.B_KEY, gradB);
        this.gradient = ret;
        return new Pair<>(ret, backpropDropOutIfPresent(epsilonNext));
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }
}
