package io.github.descent4j.dl4j.average;

import io.github.descent4j.core.average.AveragingRule;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import io.github.descent4j.dl4j.internal.ConfigJson;

import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Weight averaging for a Deeplearning4j 1.0.0-M2.1 {@code MultiLayerNetwork} or {@code ComputationGraph}: an
 * exponential moving average (EMA) or stochastic weight averaging (SWA; Izmailov et al., UAI 2018) of the trained
 * parameters, updated after every optimiser step exactly as torch's {@code AveragedModel.update_parameters} (see
 * {@link AveragingRule}: the first update copies, then {@code avg = d·avg + (1 − d)·θ} or the equal average; the
 * first {@code startStep} optimiser steps are ignored), added in one line:
 * <pre>
 *   WeightAveraging ema = WeightAveraging.ema(0.999);
 *   net.addListeners(ema);
 *   net.fit(train, epochs);
 *   ema.swapIn();  net.evaluate(test);  ema.swapOut();        // or: MultiLayerNetwork averaged = ema.averagedCopy();
 * </pre>
 * <ul>
 *   <li><b>When</b>: DL4J calls {@code iterationDone(model, iteration, epoch)} after each optimiser step, with the
 *       0-based index of that step (the model's iteration count before it is advanced), so step t = iteration + 1
 *       counts optimiser steps across {@code fit} calls and a save/restore. DL4J applies layer constraints after its
 *       listeners, so a network with constraints is refused (the average would miss them).</li>
 *   <li><b>Cost</b>: the update is a BLAS scale and axpy over the network's flat parameter view
 *       ({@code avg = keep·avg + take·θ}, {@link AveragingRule#keepWeight}/{@link AveragingRule#takeWeight}) in the
 *       network's data type, with no allocation per step; the average is one array the size of the parameters,
 *       allocated outside any workspace at the first update.</li>
 *   <li><b>BatchNorm</b>: DL4J stores a batch-norm layer's running mean and variance as parameters of the flat view,
 *       so they are averaged with everything else (torch's {@code use_buffers=True}). The statistics that fit
 *       averaged weights best are recomputed by {@link #recomputeBatchNormStatistics} (torch's {@code update_bn}).</li>
 *   <li><b>Saving</b>: {@link #writeTo} adds the state ({@link WeightAverageState}) to a {@code ModelSerializer} file as
 *       the object {@value #MODEL_FILE_ENTRY}; {@link #readFrom} returns a listener that, added to the restored
 *       network, continues bit for bit.</li>
 * </ul>
 * One listener serves one network: it binds to the first one it sees (or {@link #bind}) and refuses others.
 * Training while the average is swapped in is refused. Not thread-safe, like the network it follows. The
 * configuration (mode, decay, startStep) is JSON ({@link #toJson()}, e.g. {@code {"mode":"EMA","decay":0.999,
 * "startStep":0}}) and compares by value ({@link #equals}); the average itself is not part of it (see
 * {@link #state()}). It is {@link Serializable}: a copy carries the configuration only and starts unbound, with no
 * average.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class WeightAveraging extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The key of the state object in a {@code ModelSerializer} file ({@code objects/} + this). */
    public static final String MODEL_FILE_ENTRY = "descent4j-weight-average";

    private final AveragingRule rule;
    // Runtime state is transient: a serialised copy (Java or Kryo, e.g. the one Spark ships to a worker) is a fresh,
    // unbound listener with the same rule; save the average with writeTo/state().
    private transient Model network;
    /** The average, shaped and typed as the network's flat parameters; null before the first update. */
    private transient INDArray average;
    private transient long averaged;
    /** The trained parameters while the average is swapped in (allocated at the first swap). */
    private transient INDArray trained;
    private transient boolean swappedIn;

    private WeightAveraging(AveragingRule rule) {
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /** Averages with the given rule. */
    public static WeightAveraging of(AveragingRule rule) {
        return new WeightAveraging(rule);
    }

    /**
     * Jackson's entry ({@link #fromJson}); also usable directly.
     *
     * @param mode {@code EMA} or {@code SWA}
     * @param decay EMA's decay in [0, 1); 0 (or absent) for SWA
     * @param startStep optimiser steps ignored before the first update, &gt;= 0
     * @throws io.github.descent4j.core.InvalidHyperparameterException naming mode, decay or startStep
     */
    @JsonCreator
    public static WeightAveraging of(@JsonProperty("mode") String mode, @JsonProperty("decay") double decay,
                                     @JsonProperty("startStep") long startStep) {
        AveragingRule.Mode m;
        try {
            m = mode == null ? null : AveragingRule.Mode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw new io.github.descent4j.core.InvalidHyperparameterException("mode", "mode must be EMA or SWA, got '" + mode + "'");
        }
        return of(AveragingRule.of(m, decay, startStep));
    }

    /** EMA with decay d in [0, 1) from the first step. */
    public static WeightAveraging ema(double decay) {
        return of(AveragingRule.ema(decay));
    }

    /** EMA with decay d in [0, 1), ignoring the first {@code startStep} optimiser steps. */
    public static WeightAveraging ema(double decay, long startStep) {
        return of(AveragingRule.ema(decay, startStep));
    }

    /** SWA of every optimiser step after the first {@code startStep}. */
    public static WeightAveraging swa(long startStep) {
        return of(AveragingRule.swa(startStep));
    }

    /** A listener continuing from a saved state; it binds to the network it is then added to. */
    public static WeightAveraging fromState(WeightAverageState state) {
        WeightAveraging l = new WeightAveraging(state.rule());
        if (state.averagedCount() > 0) {
            DataType type = DataType.valueOf(state.dataType());
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                INDArray values = state.doubles() != null ? Nd4j.createFromArray(state.doubles())
                        : Nd4j.createFromArray(state.floats()).castTo(type);
                l.average = values.reshape('c', state.shape());
            }
            l.averaged = state.averagedCount();
        }
        return l;
    }

    /** Reads the state {@link #writeTo} added to a {@code ModelSerializer} file. */
    public static WeightAveraging readFrom(File modelFile) {
        if (!ModelSerializer.listObjectsInFile(modelFile).contains(MODEL_FILE_ENTRY)) {
            throw new IllegalArgumentException(modelFile + " holds no weight average (" + MODEL_FILE_ENTRY
                    + "); was WeightAveraging.writeTo called after saving the model?");
        }
        WeightAverageState state = ModelSerializer.getObjectFromFile(modelFile, MODEL_FILE_ENTRY);
        return fromState(state);
    }

    public AveragingRule rule() {
        return rule;
    }

    @JsonProperty("mode")
    private String jsonMode() {
        return rule.mode().name();
    }

    @JsonProperty("decay")
    private double jsonDecay() {
        return rule.decay();
    }

    @JsonProperty("startStep")
    private long jsonStartStep() {
        return rule.startStep();
    }

    /** This configuration as JSON, e.g. {@code {"mode":"SWA","decay":0.0,"startStep":100}}. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads {@link #toJson()}'s form (a fresh listener, bound to no network).
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException for a bad mode, decay or startStep
     */
    public static WeightAveraging fromJson(String json) {
        return ConfigJson.read(json, WeightAveraging.class);
    }

    /** Equal when the rules are equal (the configuration; the average and the bound network are not compared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof WeightAveraging other && other.rule.equals(rule);
    }

    @Override
    public int hashCode() {
        return rule.hashCode();
    }

    /** n: the updates taken so far. */
    public long averagedCount() {
        return averaged;
    }

    /** Whether the network currently holds the average. */
    public boolean isSwappedIn() {
        return swappedIn;
    }

    /** The average as a detached copy, shaped as the network's flat parameters. */
    public INDArray average() {
        requireAverage("read the average");
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return average.dup();
        }
    }

    /**
     * Binds this listener to {@code model} (done by the first {@code iterationDone} otherwise), checking that a
     * restored average fits it.
     *
     * @throws IllegalStateException when already bound to another network
     * @throws IllegalArgumentException for a model that is neither a MultiLayerNetwork nor a ComputationGraph, has
     *     layer constraints, or does not fit the restored average
     */
    public void bind(Model model) {
        if (network == model) {
            return;
        }
        if (network != null) {
            throw new IllegalStateException("this WeightAveraging follows another network; use one listener per network");
        }
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new IllegalArgumentException("weight averaging follows a MultiLayerNetwork or ComputationGraph, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        requireNoConstraints(model);
        INDArray params = model.params();
        if (average != null && (average.length() != params.length() || average.dataType() != params.dataType())) {
            throw new IllegalArgumentException("the restored average has " + average.length() + " " + average.dataType()
                    + " values but the network " + params.length() + " " + params.dataType() + " parameters");
        }
        if (average != null) {
            average = average.reshape(params.shape());
        }
        network = model;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        bind(model);
        if (swappedIn) {
            throw new IllegalStateException("the network was trained while the weight average was swapped in; call swapOut() "
                    + "before training");
        }
        if (!rule.averages(iteration + 1L)) {
            return;
        }
        INDArray params = model.params();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (average == null) {
                average = params.dup();
            } else if (averaged == 0) {
                average.assign(params);
            } else {
                Level1 blas = Nd4j.getBlasWrapper().level1();
                blas.scal(params.length(), rule.keepWeight(averaged), average);
                blas.axpy(params.length(), rule.takeWeight(averaged), params, average);
            }
        }
        averaged++;
    }

    /** Puts the average into the network (keeping the trained parameters aside) for evaluation or inference. */
    public void swapIn() {
        requireAverage("swap it in");
        if (swappedIn) {
            throw new IllegalStateException("the weight average is already swapped in");
        }
        INDArray params = network.params();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (trained == null) {
                trained = params.dup();
            } else {
                trained.assign(params);
            }
        }
        params.assign(average);
        swappedIn = true;
    }

    /** Puts the trained parameters back. */
    public void swapOut() {
        if (!swappedIn) {
            throw new IllegalStateException("the weight average is not swapped in");
        }
        network.params().assign(trained);
        swappedIn = false;
    }

    /**
     * A copy of the network holding the average (configuration, updater state, iteration and epoch counts of the
     * network, without this listener), for evaluation or saving; the network itself is unchanged.
     */
    @SuppressWarnings("unchecked")
    public <M extends Model> M averagedCopy() {
        requireAverage("copy it");
        Model copy;
        List<TrainingListener> others = new ArrayList<>();
        Collection<TrainingListener> listeners = network instanceof MultiLayerNetwork net ? net.getListeners()
                : ((ComputationGraph) network).getListeners();
        for (TrainingListener l : listeners) {
            if (l != this) {
                others.add(l);
            }
        }
        if (network instanceof MultiLayerNetwork net) {
            MultiLayerNetwork c = net.clone();
            c.setListeners(others);
            copy = c;
        } else {
            ComputationGraph graph = (ComputationGraph) network;
            ComputationGraph c = graph.clone();
            c.setListeners(others);   // the clone shares the original's listener list otherwise
            c.getConfiguration().setIterationCount(graph.getIterationCount());   // clone() resets the counts
            c.getConfiguration().setEpochCount(graph.getEpochCount());
            copy = c;
        }
        copy.params().assign(average);
        return (M) copy;
    }

    /**
     * Recomputes the batch-norm running statistics that go with the averaged weights, as torch's {@code update_bn}
     * (one pass over {@code data} in training mode, each batch weighing the same; see {@code BatchNormStatistics}),
     * and stores them in the average; the network's own trained parameters and statistics are left as they were
     * (unless the average is swapped in, when the network holds the new statistics too). Further training blends the
     * stored statistics with the network's again, as every other averaged parameter.
     *
     * @return the number of batch-norm layers updated (0 when the network has none)
     */
    public int recomputeBatchNormStatistics(DataSetIterator data) {
        requireAverage("recompute its batch-norm statistics");
        Objects.requireNonNull(data, "data");
        boolean wasIn = swappedIn;
        if (!wasIn) {
            swapIn();
        }
        try {
            int layers = BatchNormStatistics.recompute(network, data);
            average.assign(network.params());
            return layers;
        } finally {
            if (!wasIn) {
                swapOut();
            }
        }
    }

    /** The state to continue from (see {@link #fromState}). */
    public WeightAverageState state() {
        if (average == null || averaged == 0) {
            return new WeightAverageState(rule, 0, null, new long[0], null, null);
        }
        INDArray values = average.reshape(average.length());
        return average.dataType() == DataType.DOUBLE
                ? new WeightAverageState(rule, averaged, "DOUBLE", average.shape(), values.toDoubleVector(), null)
                : new WeightAverageState(rule, averaged, average.dataType().name(), average.shape(), null, values.toFloatVector());
    }

    /**
     * Adds the state to a model file written by {@code ModelSerializer.writeModel} (as the object
     * {@value #MODEL_FILE_ENTRY}). Refused while the average is swapped in, since the file should then hold the
     * trained parameters.
     */
    public void writeTo(File modelFile) {
        if (swappedIn) {
            throw new IllegalStateException("swap the average out before saving: the model file should hold the trained "
                    + "parameters, and this state the average");
        }
        ModelSerializer.addObjectToFile(modelFile, MODEL_FILE_ENTRY, state());
    }

    private void requireAverage(String what) {
        if (network == null || average == null || averaged == 0) {
            throw new IllegalStateException("no weight average to " + what + " yet: " + averaged + " updates (" + rule
                    + "; the average starts after startStep optimiser steps" + (network == null ? ", and no network is bound" : "")
                    + ")");
        }
    }

    private static void requireNoConstraints(Model model) {
        List<Layer> layers = new ArrayList<>();
        if (model instanceof MultiLayerNetwork net) {
            for (NeuralNetConfiguration conf : net.getLayerWiseConfigurations().getConfs()) {
                layers.add(conf.getLayer());
            }
        } else {
            for (GraphVertex vertex : ((ComputationGraph) model).getConfiguration().getVertices().values()) {
                if (vertex instanceof LayerVertex lv) {
                    layers.add(lv.getLayerConf().getLayer());
                }
            }
        }
        for (Layer layer : layers) {
            if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
                throw new IllegalArgumentException("layer " + layer.getLayerName() + " has constraints " + layer.getConstraints()
                        + ": DL4J applies them after its listeners, so a weight average would miss them");
            }
        }
    }

    @Override
    public String toString() {
        return "WeightAveraging(" + rule + ", averagedCount=" + averaged + (swappedIn ? ", swapped in" : "") + ")";
    }
}
