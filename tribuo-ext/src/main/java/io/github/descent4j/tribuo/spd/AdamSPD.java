package io.github.descent4j.tribuo.spd;

import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.Check;
import org.tribuo.math.StochasticGradientOptimiser;

/**
 * AdamSPD (Tian et al. 2024): {@link SelectiveProjectionDecay} over descent4j's {@link Adam}, configured
 * as one object. Equivalent to {@code new SelectiveProjectionDecay(new Adam(lr, β₁, β₂, ε), λ)}.
 */
public final class AdamSPD extends ForwardingOptimiser {

    @Config(mandatory = true, description = "Learning rate (step size), a finite number > 0.")
    private double learningRate;

    @Config(description = "Exponential decay β₁ of the first moment, in [0, 1).")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay β₂ of the second moment, in [0, 1).")
    private double beta2 = 0.999;

    @Config(description = "Denominator stabiliser ε, a finite number > 0.")
    private double epsilon = 1e-8;

    @Config(mandatory = true, description = "Projection strength λ, a finite number >= 0 (not scaled by the learning rate).")
    private double lambda;

    @Config(description = "Decay toward zero instead of toward the parameters at initialisation.")
    private boolean anchorAtZero = false;

    private SelectiveProjectionDecay delegate;

    /** For OLCUT. */
    private AdamSPD() {}

    /** AdamSPD with β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public AdamSPD(double learningRate, double lambda) {
        this(learningRate, 0.9, 0.999, 1e-8, lambda, false);
    }

    /**
     * @param learningRate learning rate, > 0
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1)
     * @param epsilon stabiliser, > 0
     * @param lambda projection strength, >= 0
     * @param anchorAtZero decay toward zero instead of the initial parameters
     */
    public AdamSPD(double learningRate, double beta1, double beta2, double epsilon, double lambda, boolean anchorAtZero) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.lambda = lambda;
        this.anchorAtZero = anchorAtZero;
        build();
    }

    private void build() {
        Check.nonNegative("lambda", lambda);
        delegate = new SelectiveProjectionDecay(new Adam(learningRate, beta1, beta2, epsilon), lambda, anchorAtZero);
    }

    @Override
    public void postConfig() {
        validateConfigured(this::build);
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return delegate;
    }

    /** For each parameter tensor, how many steps applied the projection. */
    public long[] getApplicationCounts() {
        return delegate.getApplicationCounts();
    }

    @Override
    public AdamSPD copy() {
        return new AdamSPD(learningRate, beta1, beta2, epsilon, lambda, anchorAtZero);
    }

    @Override
    public String toString() {
        return "AdamSPD(learningRate=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon
                + ",lambda=" + lambda + ",anchorAtZero=" + anchorAtZero + ")";
    }
}
