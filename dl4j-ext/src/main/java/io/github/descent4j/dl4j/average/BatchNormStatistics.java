package io.github.descent4j.dl4j.average;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recomputes the running statistics of a network's {@link BatchNormalization} layers at its current parameters,
 * as torch's {@code torch.optim.swa_utils.update_bn} does for an averaged model: one pass over the data in
 * training mode, each batch weighing the same (torch: momentum = None, a cumulative average), nothing else
 * changed.
 * <p>
 * DL4J keeps a BatchNormalization layer's running mean and variance (or log₁₀ of the standard deviation,
 * {@code useLogStd}) as parameters ({@code mean}, {@code var} / {@code log10stdev}) that only backpropagation
 * advances, through their gradient entries and a {@code NoOp} updater; its training-mode forward pass normalises
 * with the batch statistics and leaves them alone. So the pass here is {@code feedForward(features, train=true)}
 * (dropout active, every batch-norm layer on its batch statistics, as in torch); the input of each batch-norm layer
 * (the previous output through the layer's input preprocessor) gives that batch's per-channel mean and variance,
 * reduced as DL4J's layer reduces them (rank 2: over examples; rank 4: over examples and positions, NCHW or NHWC)
 * and with DL4J's <b>biased</b> variance (torch's running variance is unbiased). Afterwards
 * {@code mean = (1/K) Σ_k mean_k} and {@code var = (1/K) Σ_k var_k} over the K batches (log₁₀√var with
 * {@code useLogStd}). Layers inside {@code FrozenLayer} wrappers keep their statistics, as DL4J's training does.
 */
final class BatchNormStatistics {
    private BatchNormStatistics() {}

    /** One batch-norm layer: where its input comes from and its per-channel sums. */
    private static final class Target {
        final BatchNormalization layer;
        final InputPreProcessor preProcessor;
        /** MultiLayerNetwork: the index into feedForward's list; graph: unused. */
        final int index;
        /** ComputationGraph: the vertex whose output is the input. */
        final String input;
        INDArray meanSum;
        INDArray varianceSum;

        Target(BatchNormalization layer, InputPreProcessor preProcessor, int index, String input) {
            this.layer = layer;
            this.preProcessor = preProcessor;
            this.index = index;
            this.input = input;
        }
    }

    /**
     * Overwrites the running statistics of every batch-norm layer of {@code network} from one pass over
     * {@code data} (reset first when it supports it).
     *
     * @return the number of batch-norm layers updated (0: the network has none, and {@code data} is not read)
     * @throws IllegalArgumentException when {@code data} holds no batch, or a batch-norm input has a rank DL4J's
     *     layer does not reduce (not 2 or 4)
     */
    static int recompute(Model network, DataSetIterator data) {
        List<Target> targets = network instanceof MultiLayerNetwork net ? targets(net) : targets((ComputationGraph) network);
        if (targets.isEmpty()) {
            return 0;
        }
        if (data.resetSupported()) {
            data.reset();
        }
        long batches = 0;
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            while (data.hasNext()) {
                DataSet batch = data.next();
                INDArray features = batch.getFeatures();
                if (network instanceof MultiLayerNetwork net) {
                    net.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
                    List<INDArray> activations = net.feedForward(features, true);
                    net.clearLayerMaskArrays();
                    for (Target t : targets) {
                        accumulate(t, activations.get(t.index), features.size(0));
                    }
                } else {
                    ComputationGraph graph = (ComputationGraph) network;
                    graph.setLayerMaskArrays(batch.getFeaturesMaskArray() == null ? null : new INDArray[]{batch.getFeaturesMaskArray()},
                            batch.getLabelsMaskArray() == null ? null : new INDArray[]{batch.getLabelsMaskArray()});
                    Map<String, INDArray> activations = graph.feedForward(new INDArray[]{features}, true);
                    graph.clearLayerMaskArrays();
                    for (Target t : targets) {
                        INDArray in = activations.get(t.input);
                        accumulate(t, in != null ? in : features, features.size(0));
                    }
                }
                batches++;
            }
            if (batches == 0) {
                throw new IllegalArgumentException("data holds no batch: the batch-norm statistics need at least one");
            }
            for (Target t : targets) {
                write(t, batches);
            }
        }
        return targets.size();
    }

    private static List<Target> targets(MultiLayerNetwork net) {
        List<Target> out = new ArrayList<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof BatchNormalization bn) {
                // feedForward's list starts with the network input: entry i is the input of layer i
                out.add(new Target(bn, net.getLayerWiseConfigurations().getInputPreProcess(i), i, null));
            }
        }
        return out;
    }

    private static List<Target> targets(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<Target> out = new ArrayList<>();
        for (GraphVertex vertex : graph.getVertices()) {
            if (vertex.hasLayer() && vertex.getLayer() instanceof BatchNormalization bn) {
                if (graph.getNumInputArrays() != 1) {
                    throw new IllegalArgumentException("recomputing batch-norm statistics from a DataSetIterator needs a graph "
                            + "with one input; this one has " + graph.getNumInputArrays());
                }
                List<String> inputs = conf.getVertexInputs().get(vertex.getVertexName());
                InputPreProcessor pre = conf.getVertices().get(vertex.getVertexName()) instanceof LayerVertex lv
                        ? lv.getPreProcessor() : null;
                out.add(new Target(bn, pre, -1, inputs.get(0)));
            }
        }
        return out;
    }

    private static void accumulate(Target t, INDArray input, long miniBatch) {
        INDArray x = t.preProcessor == null ? input
                : t.preProcessor.preProcess(input, (int) miniBatch, LayerWorkspaceMgr.noWorkspaces());
        x = x.castTo(DataType.DOUBLE);
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) t.layer.conf().getLayer();
        INDArray mean;
        INDArray variance;
        switch (x.rank()) {
            case 2 -> {
                mean = x.mean(0);
                variance = x.var(false, 0);
            }
            case 4 -> {
                int[] nonChannel = conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[]{0, 1, 2} : new int[]{0, 2, 3};
                mean = x.mean(nonChannel);
                variance = x.var(false, nonChannel);
            }
            default -> throw new IllegalArgumentException("batch-norm layer " + t.layer.getIndex() + " ("
                    + conf.getLayerName() + ") has an input of rank " + x.rank() + "; its statistics are recomputed for "
                    + "inputs of rank 2 or 4 only");
        }
        if (t.meanSum == null) {
            t.meanSum = Nd4j.zeros(DataType.DOUBLE, mean.length());
            t.varianceSum = Nd4j.zeros(DataType.DOUBLE, mean.length());
        }
        t.meanSum.addi(mean.reshape(mean.length()));
        t.varianceSum.addi(variance.reshape(variance.length()));
    }

    private static void write(Target t, long batches) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) t.layer.conf().getLayer();
        INDArray mean = t.meanSum.divi(batches);
        INDArray variance = t.varianceSum.divi(batches);
        INDArray meanParam = t.layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        meanParam.assign(mean.reshape(meanParam.shape()).castTo(meanParam.dataType()));
        if (conf.isUseLogStd()) {
            // DL4J reads var = (10^s)^2 back, so s = log10(var) / 2
            INDArray logStd = t.layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray s = Transforms.log(variance, 10.0, true).muli(0.5);
            logStd.assign(s.reshape(logStd.shape()).castTo(logStd.dataType()));
        } else {
            INDArray varParam = t.layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
            varParam.assign(variance.reshape(varParam.shape()).castTo(varParam.dataType()));
        }
    }
}
