package io.github.descent4j.dl4j.internal;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MultiLayerNetwork} or {@link ComputationGraph} seen the way the sharpness-aware listeners need it
 * during a training step: the flattened parameter and gradient vectors (one layout, equal offsets), the
 * parameter variables with their offsets from the network's updater, and the calls that differ between the
 * two network types.
 */
public final class FlatNetwork {
    /** One parameter variable (a layer's {@code W}, {@code b}, …) as a range of the flattened vectors. */
    public record Variable(Trainable layer, String name, long start, long end, INDArray paramView, INDArray gradView) {
        /** False for variables DL4J never steps with an updater: BatchNorm's running mean/variance, frozen layers. */
        public boolean trainable() {
            return !(layer.getConfig().getUpdaterByParam(name) instanceof NoOp);
        }

        /** DL4J divides this variable's gradient by the minibatch size before the updater sees it. */
        public boolean dividedByMinibatch() {
            return layer.updaterDivideByMinibatch(name);
        }

        long length() {
            return end - start;
        }

        public String describe() {
            return "layer '" + layer.getConfig().getLayerName() + "' parameter '" + name + "'";
        }
    }

    /** The minibatch size of a step applied by {@link TrainableNetwork#applyGradient}, while its listeners run. */
    private static final ThreadLocal<Integer> STEP_BATCH_SIZE = new ThreadLocal<>();

    private final Model model;
    private final MultiLayerNetwork net;
    private final ComputationGraph graph;

    private FlatNetwork(Model model) {
        this.model = model;
        this.net = model instanceof MultiLayerNetwork m ? m : null;
        this.graph = model instanceof ComputationGraph g ? g : null;
    }

    /**
     * @throws IllegalArgumentException when the model is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static FlatNetwork of(Model model, String user) {
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new IllegalArgumentException(user + " supports MultiLayerNetwork and ComputationGraph, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        return new FlatNetwork(model);
    }

    /**
     * The number of examples whose gradients are in the gradient view: the network's minibatch, or, while
     * {@link TrainableNetwork#applyGradient} runs the listeners of a step it assembled (accumulated micro-batches,
     * adaptive batches), that step's example count, which DL4J's updater divides by.
     */
    public static int minibatchSize(Model model) {
        Integer step = STEP_BATCH_SIZE.get();
        return step != null ? step : model.batchSize();
    }

    /** Runs {@code listeners} with {@link #minibatchSize} reporting {@code batchSize}. */
    static void withStepBatchSize(int batchSize, Runnable listeners) {
        Integer previous = STEP_BATCH_SIZE.get();
        STEP_BATCH_SIZE.set(batchSize);
        try {
            listeners.run();
        } finally {
            if (previous == null) {
                STEP_BATCH_SIZE.remove();
            } else {
                STEP_BATCH_SIZE.set(previous);
            }
        }
    }

    Model model() {
        return model;
    }

    /** The flattened parameters (the live view every layer's parameters point into). */
    public INDArray params() {
        return model.params();
    }

    /** The flattened gradient view that backpropagation writes and the updater reads. */
    public INDArray gradients() {
        return net != null ? net.getFlattenedGradients() : graph.getFlattenedGradients();
    }

    public int iteration() {
        return net != null ? net.getIterationCount() : graph.getIterationCount();
    }

    public int epoch() {
        return net != null ? net.getEpochCount() : graph.getEpochCount();
    }

    public boolean truncatedBackprop() {
        BackpropType type = net != null ? net.getLayerWiseConfigurations().getBackpropType()
                : graph.getConfiguration().getBackpropType();
        return type == BackpropType.TruncatedBPTT;
    }

    /**
     * Forward and backward pass again on the input, labels and masks the network holds from the current
     * step: overwrites the gradient view and the score.
     */
    public void recomputeGradientAndScore() {
        if (net != null) {
            net.computeGradientAndScore();
        } else {
            graph.computeGradientAndScore();
        }
    }

    public void setScore(double score) {
        if (net != null) {
            net.setScore(score);
        } else {
            graph.setScore(score);
        }
    }

    /** Every parameter variable in flattened order, from the network's updater blocks. */
    public List<Variable> variables() {
        BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) (net != null ? net.getUpdater() : graph.getUpdater());
        List<Variable> out = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                out.add(new Variable(p.getLayer(), p.getParamName(), p.getParamOffsetStart(), p.getParamOffsetEnd(),
                        p.getParamView(), p.getGradView()));
            }
        }
        return out;
    }

    /**
     * The variable {@code name} of the layer called {@code layer}; for a MultiLayerNetwork {@code layer} may
     * also be the layer's index.
     *
     * @throws IllegalArgumentException naming what is missing and what exists
     */
    public Variable variable(String layer, String name) {
        List<Variable> all = variables();
        List<String> layerNames = new ArrayList<>();
        Trainable target = null;
        for (Variable v : all) {
            String layerName = v.layer().getConfig().getLayerName();
            if (!layerNames.contains(layerName)) {
                layerNames.add(layerName);
            }
            if (layerName.equals(layer)) {
                target = v.layer();
            }
        }
        if (target == null && net != null && layer.matches("\\d+")) {
            int index = Integer.parseInt(layer);
            if (index < net.getnLayers()) {
                target = net.getLayer(index);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("no layer '" + layer + "' with parameters in this network; layers with parameters: "
                    + layerNames + (net != null ? " (or their index)" : ""));
        }
        List<String> names = new ArrayList<>();
        for (Variable v : all) {
            if (v.layer() == target) {
                if (v.name().equals(name)) {
                    return v;
                }
                names.add(v.name());
            }
        }
        throw new IllegalArgumentException("layer '" + layer + "' has no parameter '" + name + "'; its parameters: " + names);
    }
}
