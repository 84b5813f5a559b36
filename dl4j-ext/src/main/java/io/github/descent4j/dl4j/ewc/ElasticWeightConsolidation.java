package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Elastic Weight Consolidation (Kirkpatrick et al. 2017, PNAS, "Overcoming catastrophic forgetting in neural
 * networks") for Deeplearning4j 1.0.0-M2.1, as a {@link Regularization} over any updater.
 * <p>
 * Penalty, per parameter array with diagonal Fisher F and old-task optimum θ* (both stored here):
 * <pre>
 *   Ω(θ) = (λ/2) · Σᵢ Fᵢ (θᵢ − θ*ᵢ)²          (reported by {@link #score})
 *   g   ← g + λ · F ⊙ (θ − θ*)                 ({@link #apply}, BEFORE_UPDATER, as DL4J's L2)
 * </pre>
 * computed in double precision and added to the gradient in the network's data type. λ = 0 leaves the
 * gradient untouched (bit-identical to no regularisation). F is the diagonal empirical Fisher of the old
 * task ({@link DiagonalFisher}).
 * <p>
 * <b>Usage</b>: {@link #install(MultiLayerNetwork, DataSetIterator, double)} (or the {@code ComputationGraph}
 * overload) returns a copy of a pre-trained
 * network with one EWC instance per trainable layer, in the layer's weight and bias lists; or build one with
 * {@link #of(double, MultiLayerNetwork, Map)} and set it with {@code .regularization(List.of(ewc))} /
 * {@code .regularizationBias(List.of(ewc))} on the layer builders. Not on the global
 * {@code NeuralNetConfiguration.Builder}: DL4J 1.0.0-M2.1 lists a global regularisation twice per layer, so EWC
 * would act with 2λ (gradient and score alike; DL4J lists its own global L2 twice in the same way).
 * <p>
 * <b>Persistence</b> follows SPD's anchor: F and θ* are part of this configuration's JSON as base64 IEEE
 * doubles (one {@link EwcSegment} per parameter array, written once per document through Jackson object
 * ids even when the weight and bias lists share the instance), never as JSON number arrays; so
 * {@code ModelSerializer} save → restore and {@code net.clone()} keep them. The JSON grows by about
 * 2 · 8 · 4/3 ≈ 21 bytes per covered parameter. Segments are matched to parameter arrays by their offset
 * in the flattened parameters and their length. Details in {@code docs/ewc.md}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class ElasticWeightConsolidation implements Regularization {
    private static final long serialVersionUID = 1L;

    private final double lambda;
    private final List<EwcSegment> segments;

    private ElasticWeightConsolidation(double lambda, List<EwcSegment> segments) {
        this.lambda = checkedLambda(lambda);
        if (segments == null || segments.isEmpty()) {
            throw new InvalidHyperparameterException("fisher", "EWC needs the Fisher and anchor of at least one parameter array, got none");
        }
        List<EwcSegment> copy = new ArrayList<>(segments.size());
        for (EwcSegment s : segments) {
            if (s == null) {
                throw new InvalidHyperparameterException("fisher", "EWC segment is null");
            }
            copy.add(s.validated());
        }
        this.segments = copy; // a plain list, never handed out mutable: Kryo cannot rebuild List.copyOf's classes
    }

    @JsonCreator
    private static ElasticWeightConsolidation fromJson(@JsonProperty("lambda") Double lambda,
                                                       @JsonProperty("segments") List<EwcSegment> segments) {
        if (lambda == null) {
            throw new InvalidHyperparameterException("lambda", "lambda is missing; it must be a finite number >= 0");
        }
        return new ElasticWeightConsolidation(lambda, segments);
    }

    private static double checkedLambda(double lambda) {
        if (!Double.isFinite(lambda) || lambda < 0) {
            throw new InvalidHyperparameterException("lambda", "lambda must be a finite number >= 0, got " + lambda);
        }
        return lambda;
    }

    // ---- factories ----

    /**
     * EWC for the parameters named in {@code fisher} (keys as {@code net.getParam} takes them, e.g.
     * {@code "0_W"}), anchored at their current values in {@code net} (θ* = the old-task optimum).
     *
     * @param lambda strength λ, finite, ≥ 0
     * @param net    the network trained on the old task (its parameters are copied now)
     * @param fisher per parameter name, the diagonal Fisher shaped like the parameter (copied)
     * @throws InvalidHyperparameterException naming {@code lambda}, {@code fisher} or the parameter (unknown
     *         name, shape mismatch, negative or non-finite values)
     */
    public static ElasticWeightConsolidation of(double lambda, MultiLayerNetwork net, Map<String, INDArray> fisher) {
        checkedLambda(lambda);
        if (net == null) {
            throw new InvalidHyperparameterException("net", "the old-task network is null");
        }
        return of(lambda, net.paramTable(), fisher);
    }

    /**
     * As {@link #of(double, MultiLayerNetwork, Map)} for a computation graph (keys as {@code graph.getParam}
     * takes them, e.g. {@code "dense_W"}).
     */
    public static ElasticWeightConsolidation of(double lambda, ComputationGraph graph, Map<String, INDArray> fisher) {
        checkedLambda(lambda);
        if (graph == null) {
            throw new InvalidHyperparameterException("graph", "the old-task graph is null");
        }
        return of(lambda, graph.paramTable(), fisher);
    }

    private static ElasticWeightConsolidation of(double lambda, Map<String, INDArray> table, Map<String, INDArray> fisher) {
        if (fisher == null || fisher.isEmpty()) {
            throw new InvalidHyperparameterException("fisher", "the Fisher map is missing or empty");
        }
        List<EwcSegment> list = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : fisher.entrySet()) {
            INDArray param = table.get(e.getKey());
            if (param == null) {
                throw new InvalidHyperparameterException(e.getKey(), "the network has no parameter " + e.getKey()
                        + "; it has " + table.keySet());
            }
            INDArray f = e.getValue();
            if (f == null || !java.util.Arrays.equals(f.shape(), param.shape())) {
                throw new InvalidHyperparameterException(e.getKey(), "Fisher for parameter " + e.getKey() + " has shape "
                        + (f == null ? "null" : java.util.Arrays.toString(f.shape())) + " but the parameter has shape "
                        + java.util.Arrays.toString(param.shape()));
            }
            list.add(EwcSegment.of(e.getKey(), param.offset(), valuesOf(f, param.ordering()), valuesOf(param, param.ordering())));
        }
        return new ElasticWeightConsolidation(lambda, list);
    }

    /**
     * A copy of {@code pretrained} (same parameters, fresh updater state) whose every trainable layer
     * ({@link BaseLayer} with parameters) carries its own EWC instance, appended to its weight and bias
     * regularisation lists, with F computed by {@link DiagonalFisher#compute} on {@code oldTask} and θ* the
     * pre-trained parameters. The configuration keeps its JSON/YAML round trip.
     *
     * @throws InvalidHyperparameterException naming {@code lambda}, {@code pretrained} or {@code oldTask}
     */
    public static MultiLayerNetwork install(MultiLayerNetwork pretrained, DataSetIterator oldTask, double lambda) {
        checkedLambda(lambda);
        if (pretrained == null) {
            throw new InvalidHyperparameterException("pretrained", "the pre-trained network (pretrained) is null");
        }
        return install(pretrained, DiagonalFisher.compute(pretrained, oldTask), lambda);
    }

    /**
     * As {@link #install(MultiLayerNetwork, DataSetIterator, double)} with a Fisher computed beforehand (by
     * {@link DiagonalFisher#compute} on the same network), so several strengths can be tried without
     * recomputing it. Every trained parameter of {@code pretrained} must have an entry.
     *
     * @throws InvalidHyperparameterException naming {@code lambda}, {@code pretrained}, {@code fisher} or the
     *         parameter whose entry is missing or misshapen
     */
    public static MultiLayerNetwork install(MultiLayerNetwork pretrained, Map<String, INDArray> fisher, double lambda) {
        checkInstall(lambda, pretrained, "network", fisher);
        MultiLayerConfiguration conf = pretrained.getLayerWiseConfigurations().clone();
        Layer[] layers = pretrained.getLayers();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i].numParams() == 0 || !(conf.getConf(i).getLayer() instanceof BaseLayer)) {
                continue;
            }
            ElasticWeightConsolidation ewc = of(lambda, pretrained, entries(fisher, String.valueOf(i),
                    layers[i].paramTable().keySet()));
            BaseLayer layerConf = (BaseLayer) conf.getConf(i).getLayer();
            layerConf.setRegularization(appended(layerConf.getRegularization(), ewc));
            layerConf.setRegularizationBias(appended(layerConf.getRegularizationBias(), ewc));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(pretrained.params().dup(), false);
        return net;
    }

    /**
     * A copy of a pre-trained computation graph with EWC on every trainable layer vertex, as
     * {@link #install(MultiLayerNetwork, DataSetIterator, double)} does for a multi-layer network; the
     * Fisher comes from {@link DiagonalFisher#compute(ComputationGraph, DataSetIterator)} (one input, one output).
     */
    public static ComputationGraph install(ComputationGraph pretrained, DataSetIterator oldTask, double lambda) {
        checkedLambda(lambda);
        if (pretrained == null) {
            throw new InvalidHyperparameterException("pretrained", "the pre-trained graph (pretrained) is null");
        }
        return install(pretrained, DiagonalFisher.compute(pretrained, oldTask), lambda);
    }

    /** As {@link #install(ComputationGraph, DataSetIterator, double)} with a Fisher computed beforehand. */
    public static ComputationGraph install(ComputationGraph pretrained, Map<String, INDArray> fisher, double lambda) {
        checkInstall(lambda, pretrained, "graph", fisher);
        ComputationGraphConfiguration conf = pretrained.getConfiguration().clone();
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            org.deeplearning4j.nn.api.Layer runtime = pretrained.getLayer(v.getKey());
            if (!(v.getValue() instanceof LayerVertex lv) || runtime == null || runtime.numParams() == 0
                    || !(lv.getLayerConf().getLayer() instanceof BaseLayer layerConf)) {
                continue;
            }
            ElasticWeightConsolidation ewc = of(lambda, pretrained.paramTable(), entries(fisher, v.getKey(),
                    runtime.paramTable().keySet()));
            layerConf.setRegularization(appended(layerConf.getRegularization(), ewc));
            layerConf.setRegularizationBias(appended(layerConf.getRegularizationBias(), ewc));
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(pretrained.params().dup(), false);
        return graph;
    }

    private static void checkInstall(double lambda, Object pretrained, String kind, Map<String, INDArray> fisher) {
        checkedLambda(lambda);
        if (pretrained == null) {
            throw new InvalidHyperparameterException("pretrained", "the pre-trained " + kind + " (pretrained) is null");
        }
        if (fisher == null) {
            throw new InvalidHyperparameterException("fisher", "the Fisher map is missing");
        }
    }

    private static Map<String, INDArray> entries(Map<String, INDArray> fisher, String layer, Iterable<String> keys) {
        Map<String, INDArray> mine = new java.util.LinkedHashMap<>();
        for (String key : keys) {
            String full = layer + "_" + key;
            if (!fisher.containsKey(full)) {
                throw new InvalidHyperparameterException(full, "the Fisher map has no entry for parameter " + full);
            }
            mine.put(full, fisher.get(full));
        }
        return mine;
    }

    private static List<Regularization> appended(List<Regularization> list, Regularization r) {
        List<Regularization> out = list == null ? new ArrayList<>() : new ArrayList<>(list);
        out.add(r);
        return out;
    }

    static double[] valuesOf(INDArray a, char order) {
        return a.dup(order).reshape(order, new long[]{a.length()}).toDoubleVector();
    }

    // ---- the regularisation ----

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Adds λ·F⊙(θ − θ*) to the gradient view of this parameter array. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (lambda == 0.0) {
            return;
        }
        EwcSegment s = segmentFor(param);
        if (gradView.length() != param.length() || gradView.ordering() != param.ordering()) {
            throw new IllegalStateException("EWC: gradient view of parameter " + s.name() + " does not match the parameter");
        }
        double[] theta = valuesOf(param, param.ordering());
        double[] f = s.fisher();
        double[] a = s.anchor();
        double[] add = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            add[i] = lambda * f[i] * (theta[i] - a[i]);
        }
        gradView.addi(Nd4j.createFromArray(add).castTo(gradView.dataType()).reshape(gradView.ordering(), gradView.shape()));
    }

    /** (λ/2)·Σ F(θ − θ*)² for this parameter array. */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        if (lambda == 0.0) {
            return 0.0;
        }
        EwcSegment s = segmentFor(param);
        double[] theta = valuesOf(param, param.ordering());
        double[] f = s.fisher();
        double[] a = s.anchor();
        double sum = 0;
        for (int i = 0; i < theta.length; i++) {
            double d = theta[i] - a[i];
            sum += f[i] * d * d;
        }
        return 0.5 * lambda * sum;
    }

    /**
     * The segment of this parameter array, matched by offset in the flattened parameters and length.
     *
     * @throws IllegalStateException naming the parameter when none matches or the length differs
     */
    private EwcSegment segmentFor(INDArray param) {
        long offset = param.offset();
        for (EwcSegment s : segments) {
            if (s.offset() == offset) {
                if (s.length() != param.length()) {
                    throw new IllegalStateException("EWC: parameter " + s.name() + " at offset " + offset + " has "
                            + param.length() + " values but its stored Fisher and anchor have " + s.length()
                            + " (architecture changed? install EWC again)");
                }
                return s;
            }
        }
        throw new IllegalStateException("EWC has no Fisher and anchor for the parameter array at offset " + offset
                + " (" + param.length() + " values); it holds " + segments);
    }

    // ---- configuration ----

    /** The strength λ. */
    public double getLambda() {
        return lambda;
    }

    /** Names of the parameter arrays covered, e.g. {@code [0_W, 0_b]}. */
    public List<String> parameterNames() {
        List<String> names = new ArrayList<>(segments.size());
        for (EwcSegment s : segments) {
            names.add(s.name());
        }
        return names;
    }

    @JsonProperty("lambda")
    private double lambdaForJson() {
        return lambda;
    }

    @JsonProperty("segments")
    private List<EwcSegment> segmentsForJson() {
        return segments;
    }

    /** Shares the immutable segments. */
    @Override
    public ElasticWeightConsolidation clone() {
        return new ElasticWeightConsolidation(lambda, segments);
    }

    /** Equal λ and segments, bit for bit. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ElasticWeightConsolidation)) {
            return false;
        }
        ElasticWeightConsolidation other = (ElasticWeightConsolidation) o;
        if (Double.compare(lambda, other.lambda) != 0 || segments.size() != other.segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            if (!segments.get(i).sameContent(other.segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lambda, segments.size());
    }

    @Override
    public String toString() {
        return "ElasticWeightConsolidation(lambda=" + lambda + ", parameters=" + parameterNames() + ")";
    }
}
