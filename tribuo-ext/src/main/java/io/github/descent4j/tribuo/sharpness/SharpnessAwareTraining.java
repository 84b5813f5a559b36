package io.github.descent4j.tribuo.sharpness;

import io.github.descent4j.tribuo.train.loop.LinearTrainingLoop;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;

/**
 * Configuration of sharpness-aware training for descent4j's linear trainers: SAM (Foret, Kleiner, Mobahi and
 * Neyshabur, "Sharpness-Aware Minimization for Efficiently Improving Generalization", ICLR 2021) or ASAM
 * (Kwon, Kim, Park and Choi, "ASAM: Adaptive Sharpness-Aware Minimization for Scale-Invariant Learning of
 * Deep Neural Networks", ICML 2021). Each step of the loop, with g the minibatch's mean loss gradient at θ
 * and norms over the whole weight matrix (bias column included):
 * <pre>
 *   SAM:   ε = ρ · g / ‖g‖
 *   ASAM:  ε = ρ · T² ⊙ g / ‖T ⊙ g‖,   T = |θ| + η   (η = 0: davda54/sam's variant; Kwon et al. use 0.01)
 *   g′ = gradient at θ + ε on the same minibatch, θ restored exactly, the optimiser steps with g′
 * </pre>
 * (ε = 0 when the norm is 0). The math is {@link SharpnessPerturbation}; see {@link LinearTrainingLoop} for
 * how the loop applies it. Immutable once configured, so one instance can be shared by trainers and runs.
 */
public final class SharpnessAwareTraining implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(mandatory = true, description = "Neighbourhood radius rho, a finite number > 0.")
    private double rho;

    @Config(description = "ASAM: scale the perturbation elementwise by T = |theta| + eta. False: SAM.")
    private boolean adaptive = false;

    @Config(description = "ASAM's offset eta, a finite number >= 0 (0: davda54/sam's variant; the ASAM paper uses 0.01). "
            + "Must be 0 when adaptive is false.")
    private double eta = 0.0;

    /** For OLCUT. */
    private SharpnessAwareTraining() {}

    /**
     * @param rho the radius ρ, a finite number &gt; 0
     * @param adaptive ASAM instead of SAM
     * @param eta ASAM's offset η, a finite number &gt;= 0; must be 0 for SAM
     * @throws InvalidHyperparameterException naming the offending field
     */
    public SharpnessAwareTraining(double rho, boolean adaptive, double eta) {
        this.rho = rho;
        this.adaptive = adaptive;
        this.eta = eta;
        perturbation();
    }

    /** SAM with radius ρ. */
    public static SharpnessAwareTraining sam(double rho) {
        return new SharpnessAwareTraining(rho, false, 0.0);
    }

    /** ASAM with radius ρ and no offset (T = |θ|), as davda54/sam. */
    public static SharpnessAwareTraining asam(double rho) {
        return new SharpnessAwareTraining(rho, true, 0.0);
    }

    /** ASAM with radius ρ and Kwon et al.'s offset η (T = |θ| + η). */
    public static SharpnessAwareTraining asam(double rho, double eta) {
        return new SharpnessAwareTraining(rho, true, eta);
    }

    @Override
    public void postConfig() {
        try {
            perturbation();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
    }

    /**
     * The core perturbation this configuration describes.
     *
     * @throws InvalidHyperparameterException naming the offending field
     */
    public SharpnessPerturbation perturbation() {
        return SharpnessPerturbation.of(rho, adaptive, eta);
    }

    /** ρ. */
    public double getRho() {
        return rho;
    }

    /** Whether this is ASAM. */
    public boolean isAdaptive() {
        return adaptive;
    }

    /** η (0 for SAM). */
    public double getEta() {
        return eta;
    }

    /** An equal, independent instance. */
    public SharpnessAwareTraining copy() {
        return new SharpnessAwareTraining(rho, adaptive, eta);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SharpnessAwareTraining");
    }

    @Override
    public String toString() {
        return "SharpnessAwareTraining(rho=" + rho + ",adaptive=" + adaptive + ",eta=" + eta + ")";
    }
}
