package io.github.descent4j.dl4j.internal;

import io.github.descent4j.dl4j.batch.AdaptiveBatchTrainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.Map;

/**
 * The two DL4J network types behind one interface for {@link AdaptiveBatchTrainer} and gradient accumulation: compute a raw gradient
 * on a batch without stepping, then apply a given gradient through the network's own updater, exactly as
 * DL4J's {@code StochasticGradientDescent} optimiser does inside {@code fit} (updater: division by the
 * batch size, regularisation, gradient normalisation, the update rule; then {@code params −= update},
 * listeners, iteration count, constraints).
 */
public abstract class TrainableNetwork {
    private final Model model;

    private TrainableNetwork(Model model) {
        this.model = model;
    }

    public static TrainableNetwork of(MultiLayerNetwork net) {
        return of(net, "the adaptive-batch driver");
    }

    public static TrainableNetwork of(ComputationGraph graph) {
        return of(graph, "the adaptive-batch driver");
    }

    /** @param user who needs the network, for the refusals (e.g. "gradient accumulation") */
    public static TrainableNetwork of(MultiLayerNetwork net, String user) {
        return new Multilayer(net, user);
    }

    /** @param user who needs the network, for the refusals */
    public static TrainableNetwork of(ComputationGraph graph, String user) {
        return new Graph(graph, user);
    }

    /** Sets inputs, labels and masks, runs forward and backward; the raw gradient is in {@link #gradientView()}. */
    public abstract void computeGradient(DataSet batch);

    /** The flattened gradient array the last {@link #computeGradient} wrote (the sum over the batch's examples). */
    public abstract INDArray gradientView();

    /** The score of the last {@link #computeGradient} (mean loss over its examples plus regularisation). */
    public final double score() {
        return model.score();
    }

    /** Number of parameters. */
    public final long parameterCount() {
        return model.numParams();
    }

    /** One ordinary DL4J training step on {@code batch} ({@code fit}). */
    public abstract void fit(DataSet batch);

    /**
     * Applies {@code rawGradient} (the sum of the examples' gradients, as {@link #computeGradient} leaves it)
     * of a batch of {@code batchSize} examples through the network's updater, then reports {@code score} to
     * the training listeners, advances the iteration count and applies constraints.
     */
    public final void applyGradient(INDArray rawGradient, int batchSize, double score) {
        INDArray view = gradientView();
        view.assign(rawGradient);
        int iteration = iterationCount();
        int epoch = epochCount();
        Collection<TrainingListener> listeners = listeners();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            FlatNetwork.withStepBatchSize(batchSize, () -> {
                for (TrainingListener listener : listeners) {
                    listener.onGradientCalculation(model);
                }
            });
        }
        update(iteration, epoch, batchSize);
        INDArray params = model.params();
        // DL4J's step function for SGD-type optimisers: params −= update (the views differ only in rank)
        params.subi(view.reshape(params.shape()));
        setScore(score);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (TrainingListener listener : listeners) {
                listener.iterationDone(model, iteration, epoch);
            }
        }
        setIterationCount(iteration + 1);
        model.applyConstraints(iteration + 1, epoch);
    }

    /** Epoch bookkeeping as {@code fit(DataSetIterator)} does it. */
    public final void epochStart() {
        for (TrainingListener listener : listeners()) {
            listener.onEpochStart(model);
        }
    }

    public final void epochEnd() {
        for (TrainingListener listener : listeners()) {
            listener.onEpochEnd(model);
        }
        incrementEpochCount();
    }

    abstract Collection<TrainingListener> listeners();

    abstract void update(int iteration, int epoch, int batchSize);

    abstract void setScore(double score);

    abstract int iterationCount();

    abstract int epochCount();

    abstract void setIterationCount(int iteration);

    abstract void incrementEpochCount();

    /**
     * Rejects networks whose gradient of a batch is not the sum of per-example gradients (batch
     * normalisation: a micro-batch's statistics differ from the batch's, and its running averages would be
     * advanced once per micro-batch) or that DL4J trains with truncated backpropagation through time.
     */
    static void requireSeparable(String what, String user, Iterable<Layer> layers, BackpropType backpropType) {
        if (backpropType == BackpropType.TruncatedBPTT) {
            throw new IllegalArgumentException(what + " uses truncated BPTT; " + user + " needs standard backpropagation "
                    + "(a truncated pass carries recurrent state between segments, so a segment is not a separable batch)");
        }
        for (Layer layer : layers) {
            if (layer instanceof BatchNormalization) {
                throw new IllegalArgumentException(what + " has a BatchNormalization layer ("
                        + layer.getLayerName() + "): its micro-batch gradients do not add up to the batch "
                        + "gradient (each is normalised by its own statistics, and the running averages would advance once "
                        + "per micro-batch), so " + user + " cannot treat them as one batch");
            }
        }
    }

    private static final class Multilayer extends TrainableNetwork {
        private final MultiLayerNetwork net;

        Multilayer(MultiLayerNetwork net, String user) {
            super(net);
            this.net = net;
            if (net.params() == null || net.params().isEmpty()) {
                net.init(); // as fit does
            }
            java.util.List<Layer> layers = new java.util.ArrayList<>();
            for (NeuralNetConfiguration conf : net.getLayerWiseConfigurations().getConfs()) {
                layers.add(conf.getLayer());
            }
            requireSeparable("the MultiLayerNetwork", user, layers, net.getLayerWiseConfigurations().getBackpropType());
        }

        @Override
        public void computeGradient(DataSet batch) {
            net.setInput(batch.getFeatures());
            net.setLabels(batch.getLabels());
            net.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
            net.computeGradientAndScore();
        }

        @Override
        public INDArray gradientView() {
            return net.getFlattenedGradients();
        }

        @Override
        public void fit(DataSet batch) {
            net.fit(batch);
        }

        @Override
        Collection<TrainingListener> listeners() {
            return net.getListeners();
        }

        @Override
        void update(int iteration, int epoch, int batchSize) {
            net.getUpdater().update(net, net.gradient(), iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        void setScore(double score) {
            net.setScore(score);
        }

        @Override
        int iterationCount() {
            return net.getIterationCount();
        }

        @Override
        int epochCount() {
            return net.getEpochCount();
        }

        @Override
        void setIterationCount(int iteration) {
            net.setIterationCount(iteration);
        }

        @Override
        void incrementEpochCount() {
            net.incrementEpochCount();
        }
    }

    private static final class Graph extends TrainableNetwork {
        private final ComputationGraph graph;

        Graph(ComputationGraph graph, String user) {
            super(graph);
            this.graph = graph;
            if (graph.params() == null || graph.params().isEmpty()) {
                graph.init(); // as fit does
            }
            if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
                throw new IllegalArgumentException(user + " trains a ComputationGraph from a "
                        + "DataSet, which needs exactly 1 input and 1 output; this graph has "
                        + graph.getNumInputArrays() + " inputs and " + graph.getNumOutputArrays() + " outputs");
            }
            java.util.List<Layer> layers = new java.util.ArrayList<>();
            for (Map.Entry<String, GraphVertex> vertex : graph.getConfiguration().getVertices().entrySet()) {
                if (vertex.getValue() instanceof LayerVertex) {
                    layers.add(((LayerVertex) vertex.getValue()).getLayerConf().getLayer());
                }
            }
            requireSeparable("the ComputationGraph", user, layers, graph.getConfiguration().getBackpropType());
        }

        @Override
        public void computeGradient(DataSet batch) {
            graph.setInputs(batch.getFeatures());
            graph.setLabels(batch.getLabels());
            graph.setLayerMaskArrays(
                    batch.getFeaturesMaskArray() == null ? null : new INDArray[] {batch.getFeaturesMaskArray()},
                    batch.getLabelsMaskArray() == null ? null : new INDArray[] {batch.getLabelsMaskArray()});
            graph.computeGradientAndScore();
        }

        @Override
        public INDArray gradientView() {
            return graph.getFlattenedGradients();
        }

        @Override
        public void fit(DataSet batch) {
            graph.fit(batch);
        }

        @Override
        Collection<TrainingListener> listeners() {
            return graph.getListeners();
        }

        @Override
        void update(int iteration, int epoch, int batchSize) {
            graph.getUpdater().update(graph.gradient(), iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        void setScore(double score) {
            graph.setScore(score);
        }

        @Override
        int iterationCount() {
            return graph.getIterationCount();
        }

        @Override
        int epochCount() {
            return graph.getEpochCount();
        }

        @Override
        void setIterationCount(int iteration) {
            graph.getConfiguration().setIterationCount(iteration);
        }

        @Override
        void incrementEpochCount() {
            graph.incrementEpochCount();
        }
    }
}
