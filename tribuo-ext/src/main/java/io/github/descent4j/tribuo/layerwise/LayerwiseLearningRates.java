package io.github.descent4j.tribuo.layerwise;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

import java.util.Arrays;

/**
 * Per-tensor learning-rate multipliers over any Tribuo optimiser, for learning-rate distributions over
 * layers (Kenneweg et al. 2024, "Learning Rate Distributions over Layers Reduce Forgetting").
 * <pre>
 *   Δθ_k = multipliers[k] * base.step(g)_k       for parameter tensor k in Parameters.get() order
 * </pre>
 * Tribuo's linear models have one tensor (weights with the bias column); factorization machines have
 * the bias vector, the linear weights, then one factor matrix per output. Scaling the base step equals
 * scaling its learning rate for every base optimiser whose step is linear in the learning rate (all of
 * descent4j's, and Tribuo's SGD, AdaGrad and RMSProp).
 */
public final class LayerwiseLearningRates extends ForwardingOptimiser {

    @Config(mandatory = true, description = "The base optimiser whose step is scaled per tensor.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "One learning-rate multiplier per parameter tensor (Parameters.get() order), each a finite number >= 0.")
    private double[] multipliers;

    /** For OLCUT. */
    private LayerwiseLearningRates() {}

    /**
     * @param base the base optimiser
     * @param multipliers one multiplier per parameter tensor, each finite and >= 0 (copied)
     */
    public LayerwiseLearningRates(StochasticGradientOptimiser base, double... multipliers) {
        if (base == null) {
            throw new IllegalArgumentException("base optimiser must not be null");
        }
        this.base = base;
        this.multipliers = multipliers == null ? null : multipliers.clone();
        validate();
    }

    private void validate() {
        if (multipliers == null || multipliers.length == 0) {
            throw new InvalidHyperparameterException("multipliers", "multipliers must hold one value per parameter tensor, got none");
        }
        for (int k = 0; k < multipliers.length; k++) {
            Check.nonNegative("multipliers[" + k + "]", multipliers[k]);
        }
    }

    @Override
    public void postConfig() {
        try {
            validate();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", "multipliers", e.getMessage());
        }
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public void initialise(Parameters parameters) {
        int tensors = parameters.get().length;
        if (tensors != multipliers.length) {
            throw new IllegalArgumentException("multipliers has " + multipliers.length + " entries but the model has "
                    + tensors + " parameter tensors");
        }
        super.initialise(parameters);
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        Tensor[] proposed = super.step(updates, weight);
        for (int k = 0; k < proposed.length; k++) {
            if (multipliers[k] != 1.0) {
                proposed[k].scaleInPlace(multipliers[k]);
            }
        }
        return proposed;
    }

    /** A copy of the multipliers. */
    public double[] getMultipliers() {
        return multipliers.clone();
    }

    @Override
    public LayerwiseLearningRates copy() {
        return new LayerwiseLearningRates(base.copy(), multipliers);
    }

    @Override
    public String toString() {
        return "LayerwiseLearningRates(base=" + base + ",multipliers=" + Arrays.toString(multipliers) + ")";
    }
}
