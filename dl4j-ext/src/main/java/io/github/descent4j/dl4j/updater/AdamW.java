package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.AdamRule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") for Deeplearning4j, exactly as
 * {@code torch.optim.AdamW}:
 * <pre>
 *   θ ← θ (1 − lr·λ)                                   (decoupled decay, before the Adam step)
 *   m = β₁ m + (1 − β₁) g,   v = β₂ v + (1 − β₂) g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * The Adam part is {@link Adam} (torch's ε placement; see there how DL4J's own Adam differs).
 * <p>
 * <b>The decay.</b> A DL4J updater sees only the gradient, never θ. The decay is therefore DL4J's
 * {@code WeightDecay(λ, applyLR = true)}, which the updater block adds to the update after the updater ran
 * ({@code update += lr·λ·θ}, with the same scheduled lr): {@code θ − update} is then exactly torch's order.
 * One line installs it on every layer that uses AdamW, as weight or bias updater:
 * <pre>
 *   MultiLayerConfiguration conf = AdamW.install(new NeuralNetConfiguration.Builder()
 *       .updater(AdamW.builder().learningRate(1e-3).weightDecay(1e-2).build())
 *       .list()....build());
 * </pre>
 * {@link #install(MultiLayerConfiguration)} (and the {@link ComputationGraphConfiguration} overload) adds the
 * decay to the weight and bias regularisation of each such layer — torch decays every parameter of the group,
 * biases included — and marks the layer's AdamW as installed. A configuration with λ > 0 that was never
 * installed refuses to instantiate, so the decay can be neither forgotten nor applied twice (install refuses a
 * layer that already has a {@code WeightDecay}; in DL4J 1.0.0-M2.1 the global builder's
 * {@code .weightDecay(…)} registers one twice per layer). Like every DL4J regularisation, it does not reach
 * parameters DL4J never regularises (BatchNormalization's γ and β, which torch users usually exclude anyway).
 * Frozen layers are not decayed (their AdamW is only marked: {@code FrozenLayerWithBackprop} runs it on a zeroed
 * gradient, which moves nothing, while a decay would shrink the frozen weights).
 * <p>
 * A caller who adds {@code WeightDecay(λ, true)} by hand (or drives the {@code GradientUpdater} directly and
 * applies the decay itself) declares so with {@link #withDecayInstalled()}.
 * <p>
 * JSON: as {@link Adam} plus {@code weightDecay} and {@code decayInstalled}. State: as {@link Adam}.
 */
public final class AdamW extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** Default learning rate, as torch.optim.AdamW. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** Default decoupled weight decay λ, as torch.optim.AdamW. */
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;
    private static final String[] NAMES = {"beta1", "beta2", "epsilon", "weightDecay"};

    /** True once the decay is registered as the layers' {@code WeightDecay} (by {@link #install} or by hand). */
    @JsonProperty("decayInstalled")
    private boolean decayInstalled;

    /** AdamW with torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 1e-2). */
    public AdamW() {
        this(DEFAULT_LEARNING_RATE);
    }

    /** AdamW with default β₁, β₂, ε and λ. */
    public AdamW(double learningRate) {
        this(learningRate, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON, DEFAULT_WEIGHT_DECAY);
    }

    /**
     * @param learningRate > 0
     * @param beta1 in [0, 1)
     * @param beta2 in [0, 1)
     * @param epsilon > 0
     * @param weightDecay decoupled decay λ, finite and >= 0 (0 is plain {@link Adam})
     */
    public AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        this(learningRate, null, beta1, beta2, epsilon, weightDecay);
    }

    private AdamW(double learningRate, ISchedule learningRateSchedule, double... values) {
        super(learningRate, learningRateSchedule, NAMES, values);
    }

    /** A builder starting from torch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Installs the decoupled decay of every AdamW in {@code conf} (weight and bias updaters, inside wrapper and
     * bidirectional layers) as the layer's {@code WeightDecay(λ, true)} and marks those updaters installed.
     * Idempotent; modifies and returns {@code conf}.
     *
     * @throws IllegalStateException when a layer using AdamW with λ > 0 already has another {@code WeightDecay}
     */
    public static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
        DecoupledDecayInstallation.install(conf);
        return conf;
    }

    /** As {@link #install(MultiLayerConfiguration)}, over every layer vertex of a graph. */
    public static ComputationGraphConfiguration install(ComputationGraphConfiguration conf) {
        DecoupledDecayInstallation.install(conf);
        return conf;
    }

    /** A copy that declares the decay installed (the caller applies {@code WeightDecay(λ, true)} itself). */
    public AdamW withDecayInstalled() {
        AdamW copy = clone();
        copy.decayInstalled = true;
        return copy;
    }

    /** Whether the decay was declared installed. */
    public boolean isDecayInstalled() {
        return decayInstalled;
    }

    /** True when λ > 0 and the decay is not yet installed. */
    boolean needsInstallation() {
        return getWeightDecay() != 0 && !decayInstalled;
    }

    @Override
    protected UpdateRule createRule() {
        Check.nonNegative("weightDecay", hyperparameter("weightDecay"));
        // The decay itself is DL4J's WeightDecay (see the class comment); the updater runs Adam.
        return new AdamRule(hyperparameter("beta1"), hyperparameter("beta2"), hyperparameter("epsilon"), 0.0);
    }

    @Override
    public UpdateRuleGradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        requireInstalled();
        return super.instantiate(viewArray, initializeViewArray);
    }

    @Override
    public UpdateRuleGradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        requireInstalled();
        return super.instantiate(updaterState, initializeStateArrays);
    }

    private void requireInstalled() {
        if (needsInstallation()) {
            throw new IllegalStateException("AdamW weightDecay=" + getWeightDecay() + " is not installed: a DL4J updater "
                    + "never sees the parameters, so the decoupled decay is the layers' WeightDecay. Build the network "
                    + "from AdamW.install(conf), or add WeightDecay(weightDecay, true) yourself and use withDecayInstalled()");
        }
    }

    public double getBeta1() {
        return hyperparameter("beta1");
    }

    /** Sets β₁, in [0, 1). */
    public void setBeta1(double beta1) {
        setHyperparameter("beta1", beta1);
    }

    public double getBeta2() {
        return hyperparameter("beta2");
    }

    /** Sets β₂, in [0, 1). */
    public void setBeta2(double beta2) {
        setHyperparameter("beta2", beta2);
    }

    public double getEpsilon() {
        return hyperparameter("epsilon");
    }

    /** Sets ε, > 0. */
    public void setEpsilon(double epsilon) {
        setHyperparameter("epsilon", epsilon);
    }

    public double getWeightDecay() {
        return hyperparameter("weightDecay");
    }

    /**
     * Sets λ, finite and >= 0. On an installed configuration this does not change the installed
     * {@code WeightDecay}: set λ before {@link #install}.
     */
    public void setWeightDecay(double weightDecay) {
        setHyperparameter("weightDecay", weightDecay);
    }

    @Override
    public AdamW clone() {
        return (AdamW) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((AdamW) o).decayInstalled == decayInstalled;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 2 + (decayInstalled ? 1 : 0);
    }

    @Override
    public String toString() {
        String s = super.toString();
        return s.substring(0, s.length() - 1) + ",decayInstalled=" + decayInstalled + ")";
    }

    /** Builder for {@link AdamW}. */
    public static final class Builder extends UpdateRuleUpdater.Builder<Builder> {
        private Builder() {
            super(DEFAULT_LEARNING_RATE, NAMES, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON,
                    DEFAULT_WEIGHT_DECAY);
        }

        /** β₁, in [0, 1). */
        public Builder beta1(double beta1) {
            return set("beta1", beta1);
        }

        /** β₂, in [0, 1). */
        public Builder beta2(double beta2) {
            return set("beta2", beta2);
        }

        /** ε, > 0. */
        public Builder epsilon(double epsilon) {
            return set("epsilon", epsilon);
        }

        /** Decoupled weight decay λ, finite and >= 0. */
        public Builder weightDecay(double weightDecay) {
            return set("weightDecay", weightDecay);
        }

        /** The configuration (not yet installed); validates every hyperparameter. */
        public AdamW build() {
            return new AdamW(learningRate, learningRateSchedule, values());
        }
    }
}
