package io.github.descent4j.dl4j.layerwise;

import io.github.descent4j.dl4j.updater.UpdateRuleUpdater;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.schedule.ISchedule;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Gives each layer of a built (or transfer-learned) Deeplearning4j network its own learning rate, drawn
 * from a {@link LearningRateDistribution} over the depth of the network: Kenneweg et al. (2024),
 * "Learning Rate Distributions over Layers Reduce Forgetting", fine-tune with such per-layer multipliers;
 * {@link LearningRateDistribution#layerwiseDecay layer-wise decay} is the convention of ELECTRA (Clark et
 * al. 2020) and BEiT (Bao et al. 2022).
 * <pre>
 *   MultiLayerNetwork tuned = new TransferLearning.Builder(pretrained)
 *       .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
 *       .setFeatureExtractor(0)
 *       .build();
 *   LayerwiseLearningRates.apply(tuned, LearningRateDistribution.layerwiseDecay(0.7));
 * </pre>
 * <b>Which layers, in which order.</b> The depth is the number of layers that train: layers with at
 * least one parameter whose updater has a learning rate. Frozen layers ({@code FrozenLayer},
 * {@code FrozenLayerWithBackprop}, as {@code TransferLearning.setFeatureExtractor} makes them), layers
 * without parameters (activation, pooling, dropout …) and parameters whose updater is {@code NoOp} (a
 * batch normalisation's running mean and variance) are skipped and keep their configuration. Layer 0 of
 * the distribution is the trainable layer nearest the input, the last one the head (multiplier 1 under
 * layer-wise decay). A {@link MultiLayerNetwork} is ordered by layer index; a {@link ComputationGraph}
 * by DL4J's topological order of its vertices ({@link ComputationGraph#topologicalSortOrder()}, the order
 * of its parameter vector and updater). In a branching graph parallel branches are therefore
 * interleaved in that order: the position of a layer, not its distance from the input, sets its
 * multiplier; give an {@link LearningRateDistribution#explicit explicit} distribution if the branches
 * should be treated alike.
 * <p>
 * <b>What changes.</b> Every updater configuration of a trainable layer (weights and, when configured
 * separately, biases) is replaced by a clone whose learning-rate schedule is a {@link ScaledSchedule} of
 * the layer's original rate or schedule by the layer's multiplier. The original updater instances are
 * never modified: {@code FineTuneConfiguration} assigns one shared instance to every layer. Applying a
 * distribution to a network that already has one replaces it (the {@link ScaledSchedule}'s base is the
 * original rate), so {@code apply(net, flat())} restores the original rates. The configurations stay
 * JSON/YAML-serializable and {@code ModelSerializer} saves and restores them.
 * <p>
 * <b>Optimiser state.</b> DL4J merges consecutive parameters with equal updater configurations into
 * one updater block and lays its state out per block; per-layer rates split the blocks. When the network
 * already has an updater (it trained, or was restored with its updater state), the updater is rebuilt
 * for the new blocks and each parameter's state (Adam's moments, a momentum, descent4j's buffers and
 * step counter) is copied into its new place, so training resumes exactly: with multiplier 1 everywhere
 * the next step is bit-for-bit the step without the distribution. Block-level state (descent4j's step
 * counter and scalars such as AdaGrad-Norm's b²) goes to every part of a split block; a merged block
 * continues with that of its first part.
 * Any {@link IUpdater} with a learning rate works (DL4J's {@code Sgd}, {@code Adam}, {@code Nesterovs},
 * {@code AdaGrad}, {@code RmsProp}, {@code AdaMax}, {@code Nadam}, {@code AMSGrad}, {@code AdaBelief} and
 * the descent4j updaters) whose state entries are per-parameter arrays.
 * <p>
 * A {@code WeightDecay} regularisation with the learning rate applied ({@code applyLR = true}) reads the
 * updater's rate, so it scales with the layer's multiplier too; L1/L2 do not. A multiplier of 0 sets the
 * rate to 0: the layer's parameters stay put (apart from a decay that does not apply the rate) while its
 * optimiser state still updates.
 * <p>
 * The network's configuration objects are changed in place and the method is not thread-safe; call it
 * between fits. On failure nothing is changed.
 */
public final class LayerwiseLearningRates {

    private LayerwiseLearningRates() {}

    /**
     * Applies {@code distribution} over the trainable layers of a multi-layer network, by layer index.
     *
     * @param network      an initialised network
     * @param distribution the multipliers over depth
     * @return the multiplier given to each trainable layer, by layer index, input side first
     * @throws InvalidHyperparameterException for a null argument, an uninitialised network, a network
     *                                        without trainable layers, an updater without a learning rate
     *                                        (other than {@code NoOp}) or an unsupported layer type
     */
    public static Map<Integer, Double> apply(MultiLayerNetwork network, LearningRateDistribution distribution) {
        requireNonNull("network", network);
        requireNonNull("distribution", distribution);
        if (network.getLayers() == null) {
            throw new InvalidHyperparameterException("network", "network must be initialised (call init()) first");
        }
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            Layer configuration = network.getLayerWiseConfigurations().getConf(i).getLayer();
            Target target = new Target(String.valueOf(i), configuration, network.getLayer(i));
            if (target.trains()) {
                targets.add(target);
            }
        }
        double[] multipliers = multipliers(targets, distribution, "network");
        BaseMultiLayerUpdater<?> current = updater(network.getUpdater(false));
        rescale(targets, multipliers, current, () -> new MultiLayerUpdater(network), network::setUpdater);
        Map<Integer, Double> applied = new LinkedHashMap<>();
        for (int k = 0; k < targets.size(); k++) {
            applied.put(Integer.parseInt(targets.get(k).name), multipliers[k]);
        }
        return Collections.unmodifiableMap(applied);
    }

    /**
     * Applies {@code distribution} over the trainable layers of a computation graph, in DL4J's
     * topological order of its vertices.
     *
     * @param graph        an initialised graph
     * @param distribution the multipliers over depth
     * @return the multiplier given to each trainable layer, by vertex name, in depth order
     * @throws InvalidHyperparameterException for a null argument, an uninitialised graph, a graph without
     *                                        trainable layers, an updater without a learning rate (other
     *                                        than {@code NoOp}) or an unsupported layer type
     */
    public static Map<String, Double> apply(ComputationGraph graph, LearningRateDistribution distribution) {
        requireNonNull("graph", graph);
        requireNonNull("distribution", distribution);
        if (graph.getVertices() == null) {
            throw new InvalidHyperparameterException("graph", "graph must be initialised (call init()) first");
        }
        List<Target> targets = new ArrayList<>();
        GraphVertex[] vertices = graph.getVertices();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex vertex = vertices[index];
            if (!vertex.hasLayer()) {
                continue;
            }
            String name = vertex.getVertexName();
            if (!(graph.getConfiguration().getVertices().get(name) instanceof LayerVertex layerVertex)) {
                continue;
            }
            Target target = new Target(name, layerVertex.getLayerConf().getLayer(), vertex.getLayer());
            if (target.trains()) {
                targets.add(target);
            }
        }
        double[] multipliers = multipliers(targets, distribution, "graph");
        BaseMultiLayerUpdater<?> current = graph.getUpdater(false);
        rescale(targets, multipliers, current, () -> new ComputationGraphUpdater(graph),
                rebuilt -> graph.setUpdater((ComputationGraphUpdater) rebuilt));
        Map<String, Double> applied = new LinkedHashMap<>();
        for (int k = 0; k < targets.size(); k++) {
            applied.put(targets.get(k).name, multipliers[k]);
        }
        return Collections.unmodifiableMap(applied);
    }

    // ---- shared machinery ----

    /** A layer: its name, the configuration to change and the runtime layer whose updater reads it. */
    private record Target(String name, Layer configuration, Trainable runtime) {

        /**
         * Whether the layer trains, judged by the updaters DL4J's updater blocks will use: those of the
         * runtime layer's configuration (wrappers such as {@code LastTimeStep} answer only there). Throws for
         * an updater that trains without a learning rate.
         */
        boolean trains() {
            if (configuration instanceof FrozenLayer || configuration instanceof FrozenLayerWithBackprop) {
                // FrozenLayerWithBackprop's runtime layer reports its inner layer's updater: judge by the wrapper.
                return false;
            }
            boolean trains = false;
            for (String parameter : runtime.paramTable(false).keySet()) {
                IUpdater updater = runtime.getConfig().getUpdaterByParam(parameter);
                if (updater == null || updater instanceof NoOp) {
                    continue;
                }
                if (!updater.hasLearningRate()) {
                    throw new InvalidHyperparameterException("updater", "layer '" + label() + "' parameter '" + parameter
                            + "': " + updater.getClass().getSimpleName() + " has no learning rate to scale");
                }
                trains = true;
            }
            return trains;
        }

        String label() {
            String layerName = configuration.getLayerName();
            return layerName == null || layerName.equals(name) ? name : name + " (" + layerName + ")";
        }
    }

    private static double[] multipliers(List<Target> targets, LearningRateDistribution distribution, String parameter) {
        if (targets.isEmpty()) {
            throw new InvalidHyperparameterException(parameter, parameter + " has no layer that trains (every layer is"
                    + " frozen, has no parameters or a NoOp updater): nothing to distribute learning rates over");
        }
        return distribution.multipliers(targets.size());
    }

    private static BaseMultiLayerUpdater<?> updater(Object updater) {
        if (updater == null || updater instanceof BaseMultiLayerUpdater<?>) {
            return (BaseMultiLayerUpdater<?>) updater;
        }
        throw new InvalidHyperparameterException("network", "network's updater " + updater.getClass().getName()
                + " is not a BaseMultiLayerUpdater, whose blocks this class re-lays out");
    }

    /**
     * Rescales every target, then rebuilds the updater and carries its state over; on any failure the
     * original configurations (and the original updater) are put back.
     */
    private static void rescale(List<Target> targets, double[] multipliers, BaseMultiLayerUpdater<?> current,
                                Supplier<BaseMultiLayerUpdater<?>> rebuild,
                                Consumer<BaseMultiLayerUpdater<?>> install) {
        // Captured before anything changes: an unsupported state layout fails here, with nothing modified.
        UpdaterStateSnapshot snapshot = current == null ? null : UpdaterStateSnapshot.capture(current);
        List<Runnable> undo = new ArrayList<>();
        try {
            for (int k = 0; k < targets.size(); k++) {
                Target target = targets.get(k);
                Set<IUpdater> created = Collections.newSetFromMap(new IdentityHashMap<>());
                rescale(target.configuration(), multipliers[k], target.label(), undo, created);
                requireSeenByRuntime(target, created);
            }
            if (snapshot != null) {
                BaseMultiLayerUpdater<?> rebuilt = rebuild.get();
                snapshot.restoreInto(rebuilt);
                install.accept(rebuilt);
            }
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            throw e;
        }
    }

    /** DL4J's updater reads the runtime layer's configuration: every trained parameter must now see a scaled clone. */
    private static void requireSeenByRuntime(Target target, Set<IUpdater> created) {
        for (String parameter : target.runtime().paramTable(false).keySet()) {
            IUpdater used = target.runtime().getConfig().getUpdaterByParam(parameter);
            if (used != null && !(used instanceof NoOp) && !created.contains(used)) {
                throw new IllegalStateException("layer '" + target.label() + "' parameter '" + parameter
                        + "': the runtime layer reads another updater configuration than the one in the network's"
                        + " configuration, which was rescaled");
            }
        }
    }

    /** Replaces the layer's updater configurations (weights, biases) by scaled clones; records how to undo it. */
    private static void rescale(Layer layer, double factor, String label, List<Runnable> undo, Set<IUpdater> created) {
        if (layer instanceof BaseLayer base) {
            IUpdater weights = base.getIUpdater();
            IUpdater biases = base.getBiasUpdater();
            IUpdater scaledWeights = scaled(weights, factor, label, created);
            IUpdater scaledBiases = scaled(biases, factor, label, created);
            undo.add(() -> {
                base.setIUpdater(weights);
                base.setBiasUpdater(biases);
            });
            base.setIUpdater(scaledWeights);
            base.setBiasUpdater(scaledBiases);
        } else if (layer instanceof AbstractSameDiffLayer sameDiff) {
            IUpdater weights = sameDiff.getUpdater();
            IUpdater biases = sameDiff.getBiasUpdater();
            IUpdater scaledWeights = scaled(weights, factor, label, created);
            IUpdater scaledBiases = scaled(biases, factor, label, created);
            undo.add(() -> {
                sameDiff.setUpdater(weights);
                sameDiff.setBiasUpdater(biases);
            });
            sameDiff.setUpdater(scaledWeights);
            sameDiff.setBiasUpdater(scaledBiases);
        } else if (layer instanceof Bidirectional bidirectional) {
            rescale(bidirectional.getFwd(), factor, label, undo, created);
            if (bidirectional.getBwd() != bidirectional.getFwd()) {
                rescale(bidirectional.getBwd(), factor, label, undo, created);
            }
        } else if (layer instanceof BaseWrapperLayer wrapper) {
            rescale(wrapper.getUnderlying(), factor, label, undo, created);
        } else {
            throw new InvalidHyperparameterException("network", "layer '" + label + "' of type "
                    + layer.getClass().getName() + ": no known place for its updater configuration (supported:"
                    + " BaseLayer, AbstractSameDiffLayer, Bidirectional and BaseWrapperLayer subclasses)");
        }
    }

    /** A clone of {@code updater} whose learning rate is {@code factor} × its unscaled rate or schedule. */
    private static IUpdater scaled(IUpdater updater, double factor, String label, Set<IUpdater> created) {
        if (updater == null || updater instanceof NoOp) {
            return updater;
        }
        if (!updater.hasLearningRate()) {
            throw new InvalidHyperparameterException("updater", "layer '" + label + "': "
                    + updater.getClass().getSimpleName() + " has no learning rate to scale");
        }
        double rate;
        ISchedule schedule;
        if (updater instanceof UpdateRuleUpdater ours) {
            rate = ours.getLearningRate();
            schedule = ours.getLearningRateSchedule();
        } else {
            rate = (Double) read(updater, "getLearningRate", double.class, label);
            schedule = (ISchedule) read(updater, "getLearningRateSchedule", ISchedule.class, label);
        }
        if (schedule instanceof ScaledSchedule previous) {
            // Replace an earlier distribution rather than compound it.
            if (previous.getBase() != null) {
                schedule = previous.getBase();
            } else {
                rate = previous.getValue();
                schedule = null;
            }
        }
        IUpdater copy = updater.clone();
        copy.setLrAndSchedule(rate, schedule != null ? new ScaledSchedule(schedule, factor) : new ScaledSchedule(rate, factor));
        created.add(copy);
        return copy;
    }

    /**
     * Reads the learning rate or schedule of a DL4J updater configuration: {@link IUpdater} has no getter
     * for them, but every DL4J updater with a learning rate declares {@code getLearningRate()} and
     * {@code getLearningRateSchedule()}.
     */
    private static Object read(IUpdater updater, String getter, Class<?> type, String label) {
        try {
            Method method = updater.getClass().getMethod(getter);
            if (!type.isAssignableFrom(method.getReturnType())) {
                throw new NoSuchMethodException(getter + " returns " + method.getReturnType().getName());
            }
            return method.invoke(updater);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new InvalidHyperparameterException("updater", "layer '" + label + "': " + updater.getClass().getName()
                    + " has a learning rate but no public " + getter + "() returning " + type.getSimpleName()
                    + " to read it by (" + e + ")");
        }
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new InvalidHyperparameterException(name, name + " must not be null");
        }
    }
}
