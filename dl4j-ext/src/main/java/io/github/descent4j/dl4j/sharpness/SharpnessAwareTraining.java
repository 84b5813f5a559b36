package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.internal.ChunkScratch;
import io.github.descent4j.dl4j.internal.ConfigJson;
import io.github.descent4j.dl4j.internal.FlatNetwork;
import io.github.descent4j.dl4j.internal.Staging;
import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sharpness-Aware Minimization (SAM; Foret, Kleiner, Mobahi and Neyshabur, "Sharpness-Aware Minimization for
 * Efficiently Improving Generalization", ICLR 2021) and Adaptive SAM (ASAM; Kwon, Kim, Park and Choi, ICML 2021)
 * for a Deeplearning4j 1.0.0-M2.1 {@code MultiLayerNetwork} or {@code ComputationGraph}, over whatever
 * updaters the network has, added in one line:
 * <pre>
 *   net.addListeners(SharpnessAwareTraining.sam(0.05));        // or .asam(0.5), .asam(0.5, 0.01)
 *   net.fit(trainIterator, epochs);
 * </pre>
 * <b>The step</b>, with g = ∇L(θ) on the minibatch and every norm over all trainable parameters together:
 * <pre>
 *   SAM:   ε = ρ · g / ‖g‖                       ASAM:  T = |θ| + η,  ε = ρ · T² ⊙ g / ‖T ⊙ g‖
 *   (ε = 0 when the norm is 0)
 *   g′ = ∇L(θ + ε) on the same minibatch;  θ restored exactly;  the updaters step from θ with g′
 * </pre>
 * The arithmetic of ε is descent4j-core's ({@link SharpnessPerturbation#squaredNorm},
 * {@link SharpnessPerturbation#scale}, {@link SharpnessPerturbation#addPerturbation}),
 * run over the network's flattened parameters in cache-sized double-precision chunks.
 * <p>
 * <b>How it hooks in.</b> DL4J's optimiser computes the gradient and score, calls every listener's
 * {@code onGradientCalculation}, and only then hands the gradient view to the updater. This listener, in that
 * call: perturbs θ by ε, runs the forward and backward pass again on the input, labels and masks the network
 * still holds from this step (so the same minibatch, workspaces as configured), restores θ from a copy, and
 * leaves g′ in the gradient view for the updater. Hence it works with any updater, per-layer updaters and
 * every {@code fit} variant, and costs one extra forward and backward pass per step.
 * <ul>
 *   <li><b>Score</b>: the score the network reports (listeners, {@code net.score()}) is L(θ), the loss before
 *       the step, not L(θ + ε).</li>
 *   <li><b>BatchNorm</b>: DL4J updates a BatchNormalization layer's running mean and variance (or log-std) by
 *       writing the step to those parameters' gradient entries, which have a {@code NoOp} updater. Such
 *       parameters (also frozen layers') are not perturbed, do not count in the norm, and keep the gradient
 *       entries of the first pass, so running statistics are updated once, from the batch at θ.</li>
 *   <li><b>Which gradient</b>: the loss gradient as DL4J hands it to the updater, i.e. divided by the minibatch
 *       size where DL4J divides it; regularisation (L2, weight decay) and gradient normalisation are applied by
 *       DL4J's updater afterwards, to g′, so ε comes from the loss alone (as in the reference implementations,
 *       where weight decay belongs to the base optimiser).</li>
 *   <li>Dropout and weight noise draw new masks in the second pass. Other listeners see
 *       {@code onForwardPass}/{@code onBackwardPass} twice per step. Truncated BPTT is rejected: its second
 *       pass would start from an advanced recurrent state.</li>
 *   <li>A gradient holding NaN or ±∞ raises a {@link NonFiniteGradientException} before anything is changed.</li>
 * </ul>
 * The object holds configuration only (ρ, adaptive, η), so one instance may serve several networks; it is
 * JSON-serializable ({@link #toJson()}, {@link #fromJson(String)}).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class SharpnessAwareTraining extends BaseTrainingListener {
    private static final int CHUNK = UpdateRuleGradientUpdater.CHUNK;
    @JsonProperty("rho")
    private final double rho;
    @JsonProperty("adaptive")
    private final boolean adaptive;
    @JsonProperty("eta")
    private final double eta;

    @JsonCreator
    private SharpnessAwareTraining(@JsonProperty("rho") double rho, @JsonProperty("adaptive") boolean adaptive,
                                   @JsonProperty("eta") double eta) {
        SharpnessPerturbation.of(rho, adaptive, eta);   // validates: rho > 0, eta >= 0, eta = 0 for SAM
        this.rho = rho;
        this.eta = eta;
        this.adaptive = adaptive;
    }

    /**
     * SAM: ε = ρ g / ‖g‖.
     *
     * @param rho the neighbourhood radius ρ, a finite number &gt; 0 (Foret et al. use 0.05)
     */
    public static SharpnessAwareTraining sam(double rho) {
        return new SharpnessAwareTraining(rho, false, 0.0);
    }

    /** ASAM without the η offset, T = |θ| (davda54/sam's {@code adaptive=True}). */
    public static SharpnessAwareTraining asam(double rho) {
        return new SharpnessAwareTraining(rho, true, 0.0);
    }

    /**
     * ASAM with Kwon et al.'s offset: T = |θ| + η.
     *
     * @param rho the radius ρ, a finite number &gt; 0 (ASAM uses larger ρ than SAM, e.g. 0.5 to 2)
     * @param eta the offset η, a finite number &gt;= 0 (the paper uses 0.01)
     */
    public static SharpnessAwareTraining asam(double rho, double eta) {
        return new SharpnessAwareTraining(rho, true, eta);
    }

    public double getRho() {
        return rho;
    }

    public boolean isAdaptive() {
        return adaptive;
    }

    /** ASAM's offset η (0 for SAM). */
    public double getEta() {
        return eta;
    }

    @Override
    public void onGradientCalculation(Model model) {
        FlatNetwork network = FlatNetwork.of(model, "SharpnessAwareTraining");
        if (network.truncatedBackprop()) {
            throw new UnsupportedOperationException("SharpnessAwareTraining does not support truncated BPTT: "
                    + "the second pass would start from the recurrent state the first pass left");
        }
        INDArray params = network.params();
        INDArray gradients = network.gradients();
        List<FlatNetwork.Variable> trainable = new ArrayList<>();
        List<FlatNetwork.Variable> fixed = new ArrayList<>();
        for (FlatNetwork.Variable v : network.variables()) {
            (v.trainable() ? trainable : fixed).add(v);
        }
        if (trainable.isEmpty()) {
            return;
        }
        ChunkScratch scratch = ChunkScratch.get();
        double[] thetaChunk = scratch.first;
        double[] gradChunk = scratch.second;
        Staging theta = scratch.staging(params, "SharpnessAwareTraining");
        Staging grad = scratch.staging(gradients, "SharpnessAwareTraining");
        double batch = Math.max(1, model.batchSize());

        double squaredNorm = 0.0;
        for (FlatNetwork.Variable v : trainable) {
            double divisor = v.dividedByMinibatch() ? batch : 1.0;
            for (long from = v.start(); from < v.end(); from += CHUNK) {
                int n = (int) Math.min(CHUNK, v.end() - from);
                readChunk(grad, from, n, divisor, gradChunk);
                if (adaptive) {
                    theta.read(from, thetaChunk, n);
                }
                squaredNorm += SharpnessPerturbation.squaredNorm(adaptive, eta, thetaChunk, gradChunk, 0, n);
            }
        }
        if (!Double.isFinite(squaredNorm)) {
            throw nonFinite(trainable, grad, gradChunk);
        }
        double scale = SharpnessPerturbation.scale(rho, squaredNorm);
        if (scale == 0.0) {
            return;   // ε = 0: the gradient at θ + ε is the one already in the view
        }

        double score = model.score();
        INDArray saved = params.dup();
        List<INDArray> fixedGradients = new ArrayList<>();
        for (FlatNetwork.Variable v : fixed) {
            fixedGradients.add(range(gradients, v).dup());
        }
        try {
            for (FlatNetwork.Variable v : trainable) {
                double divisor = v.dividedByMinibatch() ? batch : 1.0;
                for (long from = v.start(); from < v.end(); from += CHUNK) {
                    int n = (int) Math.min(CHUNK, v.end() - from);
                    readChunk(grad, from, n, divisor, gradChunk);
                    theta.read(from, thetaChunk, n);
                    SharpnessPerturbation.addPerturbation(adaptive, eta, scale, thetaChunk, gradChunk, 0, n, thetaChunk);
                    theta.write(from, thetaChunk, n);
                }
            }
            network.recomputeGradientAndScore();
        } finally {
            params.assign(saved);
            for (int i = 0; i < fixed.size(); i++) {
                range(gradients, fixed.get(i)).assign(fixedGradients.get(i));
            }
            network.setScore(score);
        }
    }

    private static INDArray range(INDArray flat, FlatNetwork.Variable v) {
        return flat.reshape(flat.length()).get(NDArrayIndex.interval(v.start(), v.end()));
    }

    /** Chunk [from, from + n) of the gradient, divided as DL4J's updater will see it. */
    private static void readChunk(Staging grad, long from, int n, double divisor, double[] out) {
        grad.read(from, out, n);
        if (divisor != 1.0) {
            for (int i = 0; i < n; i++) {
                out[i] /= divisor;
            }
        }
    }

    private static NonFiniteGradientException nonFinite(List<FlatNetwork.Variable> variables, Staging grad, double[] chunk) {
        for (int t = 0; t < variables.size(); t++) {
            FlatNetwork.Variable v = variables.get(t);
            for (long from = v.start(); from < v.end(); from += chunk.length) {
                int n = (int) Math.min(chunk.length, v.end() - from);
                grad.read(from, chunk, n);
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(chunk[i])) {
                        return new NonFiniteGradientException(t, "flat index " + (from - v.start() + i), chunk[i], v.describe());
                    }
                }
            }
        }
        // every entry finite but Σ g² overflowed
        return new NonFiniteGradientException(-1, "the sum of squares", Double.POSITIVE_INFINITY, "gradient too large to normalise");
    }

    // ---- configuration: JSON, equality ----

    /** This configuration as JSON, e.g. {@code {"rho":0.05,"adaptive":false,"eta":0.0}}. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads {@link #toJson()}'s form.
     *
     * @throws InvalidHyperparameterException for out-of-range values, naming the parameter
     */
    public static SharpnessAwareTraining fromJson(String json) {
        return ConfigJson.read(json, SharpnessAwareTraining.class);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SharpnessAwareTraining other)) {
            return false;
        }
        return Double.compare(rho, other.rho) == 0 && adaptive == other.adaptive && Double.compare(eta, other.eta) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rho, adaptive, eta);
    }

    @Override
    public String toString() {
        return adaptive ? "SharpnessAwareTraining(ASAM, rho=" + rho + ", eta=" + eta + ")"
                : "SharpnessAwareTraining(SAM, rho=" + rho + ")";
    }
}
