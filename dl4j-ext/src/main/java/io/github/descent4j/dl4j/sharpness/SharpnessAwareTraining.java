package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.dl4j.internal.ConfigJson;
import io.github.descent4j.dl4j.internal.FlatNetwork;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.sharpness.SharpnessAwareStep;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
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
 * The sequence is descent4j-core's {@link SharpnessAwareStep#run} and the arithmetic of ε its
 * {@link SharpnessPerturbation#squaredNorm} and {@link SharpnessPerturbation#addPerturbation}, run over the
 * network's flattened parameters in cache-sized double-precision chunks ({@code NetworkPerturbationTarget}).
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
 * JSON-serializable ({@link #toJson()}, {@link #fromJson(String)}) and {@link Serializable}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class SharpnessAwareTraining extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
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

    /** One SAM/ASAM step ({@link SharpnessAwareStep#run}) over the network's flat views; see the class comment. */
    @Override
    public void onGradientCalculation(Model model) {
        FlatNetwork network = FlatNetwork.of(model, "SharpnessAwareTraining");
        if (network.truncatedBackprop()) {
            throw new UnsupportedOperationException("SharpnessAwareTraining does not support truncated BPTT: "
                    + "the second pass would start from the recurrent state the first pass left");
        }
        NetworkPerturbationTarget target = new NetworkPerturbationTarget(network, model);
        if (target.hasTrainable()) {
            // ε = 0 stops the sequence before the second pass: the gradient at θ + ε is the one already in the view
            SharpnessAwareStep.run(SharpnessPerturbation.of(rho, adaptive, eta), target);
        }
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
