package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.internal.ChunkScratch;
import io.github.descent4j.dl4j.internal.ConfigJson;
import io.github.descent4j.dl4j.internal.FlatNetwork;
import io.github.descent4j.dl4j.lora.LoraDenseLayer;
import io.github.descent4j.dl4j.lora.LoraOutputLayer;
import io.github.descent4j.core.sharpness.AlphaSchedule;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization.Variant;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Balancedness-Aware Regularization (BAR; Li, Zhang and He, "Implicit Regularization of Sharpness-Aware
 * Minimization for Scale-Invariant Problems", NeurIPS 2024, Algorithms 2 and 3) for named
 * {@linkplain FactorPair factor pairs} of a Deeplearning4j 1.0.0-M2.1 {@code MultiLayerNetwork} or
 * {@code ComputationGraph}, over whatever updater those parameters have:
 * <pre>
 *   BalancednessAwareTraining bar = BalancednessAwareTraining.nbar(AlphaScheduleConfig.linear(0.5, 1000),
 *           FactorPair.weights("0", "1"));
 *   bar.attachTo(net);                   // checks the pairs, then net.addListeners(bar)
 *   net.fit(trainIterator, epochs);
 *   double[] b = bar.balancedness(net);  // B = ½(‖x‖² − ‖y‖²) per pair, e.g. to plot over time
 * </pre>
 * For LoRA, as in the paper's experiments, one line puts BAR on every {@code LoraDense} layer's adapter pair
 * (x = A [nIn, r], y = B [r, nOut], whose product the layer uses as (α/r)·A·B, so B = ½(‖A‖² − ‖B‖²)):
 * <pre>
 *   BalancednessAwareTraining bar = BalancednessAwareTraining.nbar(AlphaScheduleConfig.linear(0.5, 1000)).onLora(net);
 * </pre>
 * <b>The step</b>, at iteration t with α_t from the schedule, η_t the learning rate of x's updater
 * ({@code IUpdater.getLearningRate(t, epoch)}), and g_x, g_y the gradients of this step taken before any
 * rescale (as DL4J's updater sees them: divided by the minibatch size where DL4J divides):
 * <pre>
 *   nBAR:  if ‖g_x‖ ≥ ‖g_y‖:  x ← (1 + α_t η_t) x,  y ← (1 − α_t η_t) y    else the reverse
 *   oBAR:  if ‖x‖ ≥ ‖y‖:      x ← (1 − α_t η_t) x,  y ← (1 + α_t η_t) y    else the reverse
 *   then the updaters step every parameter from the gradients of this step (computed before the rescale)
 * </pre>
 * The decision, the factors and α_t η_t are descent4j-core's
 * ({@link BalancednessAwareRegularization#scaleFactors}, {@link BalancednessAwareRegularization#alphaEta});
 * this class computes the norms over the network's arrays in double precision and applies the factors.
 * <p>
 * <b>How it hooks in.</b> DL4J's optimiser calls {@code onGradientCalculation} after the backward pass and
 * before the updater; the rescale happens there, in place, and the updater's step is then subtracted from the
 * rescaled parameters, which is exactly the rule above. Regularisations that read the parameters (L2,
 * weight decay) see the rescaled x and y. One BAR step per iteration, t being the network's iteration count.
 * <p>
 * <b>Pairs</b> must be 2-D parameters with x's column count equal to y's row count (the product x·y, as for
 * consecutive layers' {@code W}), of layers with an updater that has a learning rate, and no parameter may
 * appear twice. x and y must have the same learning rate: {@link #attachTo} checks it at the current
 * iteration and each step checks it again (with learning-rate schedules that differ, the step that finds them
 * unequal fails with an {@link IllegalStateException}). Violations raise an {@link IllegalArgumentException}
 * naming the pair and what is wrong. The object holds configuration only and is JSON-serializable and
 * {@link Serializable}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class BalancednessAwareTraining extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;

    @JsonProperty("variant")
    private final Variant variant;
    @JsonProperty("alpha")
    private final AlphaScheduleConfig alpha;
    @JsonProperty("pairs")
    private final List<FactorPair> pairs;

    @JsonCreator
    private BalancednessAwareTraining(@JsonProperty("variant") Variant variant, @JsonProperty("alpha") AlphaScheduleConfig alpha,
                                      @JsonProperty("pairs") List<FactorPair> pairs) {
        if (variant == null) {
            throw new IllegalArgumentException("variant must be NBAR or OBAR, got null");
        }
        if (alpha == null) {
            throw new IllegalArgumentException("alpha schedule must not be null");
        }
        if (pairs == null || pairs.isEmpty() || pairs.contains(null)) {
            throw new IllegalArgumentException("BAR needs at least one factor pair and no null pairs, got " + pairs);
        }
        this.variant = variant;
        this.alpha = alpha;
        // A plain ArrayList, never modified: Kryo (Spark's serialiser) cannot rebuild List.copyOf's immutable list.
        this.pairs = new ArrayList<>(pairs);
    }

    /** nBAR: grow the factor with the larger gradient norm. */
    public static BalancednessAwareTraining nbar(AlphaScheduleConfig alpha, FactorPair... pairs) {
        return new BalancednessAwareTraining(Variant.NBAR, alpha, Arrays.asList(pairs));
    }

    /** oBAR: shrink the factor with the larger norm. */
    public static BalancednessAwareTraining obar(AlphaScheduleConfig alpha, FactorPair... pairs) {
        return new BalancednessAwareTraining(Variant.OBAR, alpha, Arrays.asList(pairs));
    }

    /**
     * nBAR whose pairs are still to be chosen: {@code nbar(alpha).onLora(net)} attaches it to every LoRA pair of
     * {@code net}.
     */
    public static Unpaired nbar(AlphaScheduleConfig alpha) {
        return new Unpaired(Variant.NBAR, alpha);
    }

    /** oBAR whose pairs are still to be chosen; see {@link #nbar(AlphaScheduleConfig)}. */
    public static Unpaired obar(AlphaScheduleConfig alpha) {
        return new Unpaired(Variant.OBAR, alpha);
    }

    /** A BAR variant and α schedule without factor pairs yet. */
    public static final class Unpaired {
        private final Variant variant;
        private final AlphaScheduleConfig alpha;

        private Unpaired(Variant variant, AlphaScheduleConfig alpha) {
            if (alpha == null) {
                throw new IllegalArgumentException("alpha schedule must not be null");
            }
            this.variant = variant;
            this.alpha = alpha;
        }

        /**
         * BAR on {@link FactorPair#lora the (A, B) pair} of every trainable {@code LoraDense} layer of the network, in
         * layer order (layers wrapped as frozen are left out), checked and attached as by {@link #attachTo}. A and B
         * of one layer share the layer's updater, so their learning rates are equal.
         *
         * @return the attached listener
         * @throws IllegalArgumentException when the network has no trainable LoRA layer, or is neither a
         *                                  MultiLayerNetwork nor a ComputationGraph
         */
        public BalancednessAwareTraining onLora(Model model) {
            FlatNetwork.of(model, "BalancednessAwareTraining");
            List<FactorPair> pairs = loraPairs(model);
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("BalancednessAwareTraining.onLora: the network has no trainable LoraDense layer"
                        + " (layers: " + layerSummary(model) + "); add adapters first, or name factor pairs with nbar/obar(alpha, pairs)");
            }
            return new BalancednessAwareTraining(variant, alpha, pairs).attachTo(model);
        }
    }

    private static Layer[] layersOf(Model model) {
        return model instanceof MultiLayerNetwork net ? net.getLayers() : ((ComputationGraph) model).getLayers();
    }

    /** The (A, B) pair of every {@code LoraDense} runtime layer (a frozen wrapper is another class), by name. */
    private static List<FactorPair> loraPairs(Model model) {
        List<FactorPair> out = new ArrayList<>();
        for (Layer layer : layersOf(model)) {
            if (layer instanceof LoraDenseLayer || layer instanceof LoraOutputLayer) {
                String name = layer.conf().getLayer().getLayerName();
                out.add(FactorPair.lora(name != null ? name : String.valueOf(layer.getIndex())));
            }
        }
        return out;
    }

    private static String layerSummary(Model model) {
        List<String> out = new ArrayList<>();
        for (Layer layer : layersOf(model)) {
            out.add(layer.conf().getLayer().getLayerName() + " (" + layer.getClass().getSimpleName() + ")");
        }
        return out.toString();
    }

    public Variant getVariant() {
        return variant;
    }

    public AlphaScheduleConfig getAlpha() {
        return alpha;
    }

    public List<FactorPair> getPairs() {
        return Collections.unmodifiableList(pairs);
    }

    /**
     * Checks every pair against the network (see the class comment), then adds this listener to it.
     *
     * @return this
     * @throws IllegalArgumentException naming the first invalid pair and the problem
     */
    public BalancednessAwareTraining attachTo(Model model) {
        FlatNetwork network = FlatNetwork.of(model, "BalancednessAwareTraining");
        for (Resolved r : resolve(network)) {
            r.learningRate(network.iteration(), network.epoch());
        }
        model.addListeners(this);
        return this;
    }

    /** B = ½(‖x‖² − ‖y‖²) of each pair at the network's current parameters, in {@link #getPairs()} order. */
    public double[] balancedness(Model model) {
        List<Resolved> resolved = resolve(FlatNetwork.of(model, "BalancednessAwareTraining"));
        double[] out = new double[resolved.size()];
        ChunkScratch scratch = ChunkScratch.get();
        for (int i = 0; i < out.length; i++) {
            Resolved r = resolved.get(i);
            out[i] = BalancednessAwareRegularization.balancednessFromSquaredNorms(
                    squaredNorm(r.x.paramView(), scratch), squaredNorm(r.y.paramView(), scratch));
        }
        return out;
    }

    @Override
    public void onGradientCalculation(Model model) {
        FlatNetwork network = FlatNetwork.of(model, "BalancednessAwareTraining");
        int iteration = network.iteration();
        int epoch = network.epoch();
        double batch = Math.max(1, model.batchSize());
        AlphaSchedule schedule = alpha.schedule();
        ChunkScratch scratch = ChunkScratch.get();
        List<Resolved> resolved = resolve(network);
        // every decision reads this step's parameters and gradients before any pair is rescaled
        double[][] factors = new double[resolved.size()][];
        for (int i = 0; i < factors.length; i++) {
            Resolved r = resolved.get(i);
            double alphaEta = BalancednessAwareRegularization.alphaEta(schedule, iteration, r.learningRate(iteration, epoch));
            double gxDivisor = r.x.dividedByMinibatch() ? batch : 1.0;
            double gyDivisor = r.y.dividedByMinibatch() ? batch : 1.0;
            factors[i] = BalancednessAwareRegularization.scaleFactors(variant,
                    squaredNorm(r.x.paramView(), scratch), squaredNorm(r.y.paramView(), scratch),
                    squaredNorm(r.x.gradView(), scratch) / (gxDivisor * gxDivisor),
                    squaredNorm(r.y.gradView(), scratch) / (gyDivisor * gyDivisor), alphaEta);
        }
        for (int i = 0; i < factors.length; i++) {
            for (int k = 0; k < 2; k++) {
                INDArray factor = k == 0 ? resolved.get(i).x.paramView() : resolved.get(i).y.paramView();
                scratch.staging(factor, "BalancednessAwareTraining").multiply(factor.length(), factors[i][k], scratch.first);
            }
        }
    }

    /** A pair found in a network. */
    private record Resolved(int index, FactorPair pair, FlatNetwork.Variable x, FlatNetwork.Variable y) {
        /** η_t of x's updater, after checking that y's updater has the same. */
        double learningRate(int iteration, int epoch) {
            double eta = rate(x, iteration, epoch);
            double etaY = rate(y, iteration, epoch);
            if (Double.compare(eta, etaY) != 0) {
                throw new IllegalStateException("BAR pair " + index + " " + pair + ": x's updater has learning rate " + eta
                        + " but y's has " + etaY + " at iteration " + iteration + "; BAR's step needs one learning rate per pair");
            }
            return eta;
        }

        private double rate(FlatNetwork.Variable v, int iteration, int epoch) {
            IUpdater updater = v.layer().getConfig().getUpdaterByParam(v.name());
            if (updater == null || !updater.hasLearningRate()) {
                throw new IllegalArgumentException("BAR pair " + index + " " + pair + ": " + v.describe() + " has updater "
                        + updater + ", which has no learning rate for BAR's α·η");
            }
            return updater.getLearningRate(iteration, epoch);
        }
    }

    private List<Resolved> resolve(FlatNetwork network) {
        List<Resolved> out = new ArrayList<>(pairs.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            FactorPair p = pairs.get(i);
            FlatNetwork.Variable x = find(network, i, p, p.getXLayer(), p.getXParam(), "x");
            FlatNetwork.Variable y = find(network, i, p, p.getYLayer(), p.getYParam(), "y");
            long[] xs = shapeOf(x);
            long[] ys = shapeOf(y);
            if (xs.length != 2 || ys.length != 2) {
                throw invalid(i, p, "x and y must be matrices, got shapes " + Arrays.toString(xs) + " and " + Arrays.toString(ys));
            }
            if (xs[1] != ys[0]) {
                throw invalid(i, p, "x's columns must equal y's rows (the product x·y), got x " + Arrays.toString(xs)
                        + " and y " + Arrays.toString(ys));
            }
            for (FlatNetwork.Variable v : List.of(x, y)) {
                if (!seen.add(v.start() + ":" + v.end())) {
                    throw invalid(i, p, v.describe() + " appears twice among the pairs");
                }
            }
            out.add(new Resolved(i, p, x, y));
        }
        return out;
    }

    private static FlatNetwork.Variable find(FlatNetwork network, int index, FactorPair pair, String layer, String param, String role) {
        FlatNetwork.Variable v;
        try {
            v = network.variable(layer, param);
        } catch (IllegalArgumentException e) {
            throw invalid(index, pair, role + ": " + e.getMessage());
        }
        if (!v.trainable()) {
            throw invalid(index, pair, role + " = " + v.describe() + " is not trained by an updater (NoOp)");
        }
        return v;
    }

    private static long[] shapeOf(FlatNetwork.Variable v) {
        INDArray shaped = v.layer().paramTable(false).get(v.name());
        return shaped == null ? v.paramView().shape() : shaped.shape();
    }

    private static IllegalArgumentException invalid(int index, FactorPair pair, String problem) {
        return new IllegalArgumentException("BAR pair " + index + " " + pair + ": " + problem);
    }

    private static double squaredNorm(INDArray array, ChunkScratch scratch) {
        return scratch.staging(array, "BalancednessAwareTraining").squaredNorm(array.length(), scratch.first);
    }

    // ---- configuration: JSON, equality ----

    /** This configuration as JSON: variant, α schedule and pairs. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /** Reads {@link #toJson()}'s form; invalid values raise the same exceptions as the factories. */
    public static BalancednessAwareTraining fromJson(String json) {
        return ConfigJson.read(json, BalancednessAwareTraining.class);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BalancednessAwareTraining other && variant == other.variant && alpha.equals(other.alpha)
                && pairs.equals(other.pairs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(variant, alpha, pairs);
    }

    @Override
    public String toString() {
        return "BalancednessAwareTraining(" + variant + ", alpha=" + alpha + ", pairs=" + pairs + ")";
    }
}
