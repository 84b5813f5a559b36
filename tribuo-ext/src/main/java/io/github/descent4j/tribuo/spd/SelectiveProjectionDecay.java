package io.github.descent4j.tribuo.spd;

import io.github.descent4j.tribuo.internal.TribuoTensors;
import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.spd.SelectiveProjectionStep;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;

import java.util.Arrays;

/**
 * Selective Projection Decay (Tian et al. 2024, "Rethinking Weight Decay for Robust Fine-Tuning of
 * Foundation Models"; the authors' {@code adamSPD.py}) over any Tribuo optimiser: descent4j's own and
 * Tribuo's SGD, AdaGrad or RMSProp.
 * <p>
 * Per parameter tensor, after the base optimiser proposes θ̃ from θ:
 * <pre>
 *   c = −⟨g, θ − θ₀⟩                 (g the loss gradient of this step)
 *   if c &lt; 0:  r  = clamp((‖θ̃ − θ₀‖ − ‖θ − θ₀‖) / ‖θ̃ − θ₀‖, 0, 1)     (r = 0 when θ̃ = θ₀)
 *              θ̃ ← θ̃ − λ * r * (θ̃ − θ₀)
 * </pre>
 * θ₀ is a copy of the parameters when {@link #initialise} is called, unless an explicit anchor is given
 * (for example a pre-trained model's weights) or {@code anchorAtZero} is set. λ is not scaled by the
 * learning rate or by the example weight.
 * <p>
 * On sparse gradients the base step is lazy, but the projection moves the whole tensor toward θ₀ as in
 * the paper, so a step where it applies returns a dense update and costs time proportional to the tensor
 * size. Deciding whether it applies costs only the active entries.
 */
public final class SelectiveProjectionDecay extends ForwardingOptimiser {

    @Config(mandatory = true, description = "The base optimiser whose proposed step is projected.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "Projection strength λ, a finite number >= 0 (not scaled by the learning rate).")
    private double lambda;

    @Config(description = "Decay toward zero instead of toward the parameters at initialisation.")
    private boolean anchorAtZero = false;

    private Tensor[] explicitAnchor;

    private Parameters parameters;
    private Tensor[] anchor;
    private long[] applications;
    private long steps;

    /** For OLCUT. */
    private SelectiveProjectionDecay() {}

    /**
     * SPD toward the parameters at initialisation.
     *
     * @param base the base optimiser
     * @param lambda projection strength, >= 0
     */
    public SelectiveProjectionDecay(StochasticGradientOptimiser base, double lambda) {
        this(base, lambda, false, null);
    }

    /**
     * SPD toward an explicit anchor, e.g. a pre-trained model's parameters (copied here).
     *
     * @param base the base optimiser
     * @param lambda projection strength, >= 0
     * @param anchor θ₀, one tensor per parameter tensor in {@code Parameters.get()} order; for a linear model in
     *     Tribuo's layout {@code [outputs, features + 1]} (a {@code LinearSGDModel}'s weights), also when descent4j's
     *     trainers train the transpose ({@code FeatureMajorLinearParameters})
     */
    public SelectiveProjectionDecay(StochasticGradientOptimiser base, double lambda, Tensor[] anchor) {
        this(base, lambda, false, copyOf(anchor));
    }

    /**
     * @param base the base optimiser
     * @param lambda projection strength, >= 0
     * @param anchorAtZero decay toward zero instead of the initial parameters
     */
    public SelectiveProjectionDecay(StochasticGradientOptimiser base, double lambda, boolean anchorAtZero) {
        this(base, lambda, anchorAtZero, null);
    }

    private SelectiveProjectionDecay(StochasticGradientOptimiser base, double lambda, boolean anchorAtZero, Tensor[] anchor) {
        if (base == null) {
            throw new IllegalArgumentException("base optimiser must not be null");
        }
        this.base = base;
        this.lambda = lambda;
        this.anchorAtZero = anchorAtZero;
        this.explicitAnchor = anchor;
        Check.nonNegative("lambda", lambda);
    }

    @Override
    public void postConfig() {
        validateConfigured(() -> Check.nonNegative("lambda", lambda));
    }

    @Override
    public void initialise(Parameters parameters) {
        Tensor[] params = parameters.get();
        if (explicitAnchor != null) {
            // anchors are given in Tribuo's layout; descent4j's linear trainers train the transpose
            boolean transposed = parameters instanceof FeatureMajorLinearParameters && explicitAnchor.length == 1
                    && explicitAnchor[0] instanceof DenseMatrix;
            Tensor[] given = transposed
                    ? new Tensor[]{FeatureMajorLinearParameters.transpose((DenseMatrix) explicitAnchor[0])} : explicitAnchor;
            if (given.length != params.length) {
                throw new IllegalArgumentException("anchor has " + given.length + " tensors but the model has "
                        + params.length + " parameter tensors");
            }
            for (int t = 0; t < params.length; t++) {
                if (!Arrays.equals(given[t].getShape(), params[t].getShape())) {
                    throw new IllegalArgumentException(transposed
                            ? "anchor has shape " + Arrays.toString(explicitAnchor[0].getShape()) + " but the linear model's "
                                    + "weights are " + Arrays.toString(new int[]{params[0].getShape()[1], params[0].getShape()[0]})
                                    + " in Tribuo's layout [outputs, features + 1]"
                            : "anchor tensor " + t + " has shape " + Arrays.toString(given[t].getShape())
                                    + " but parameter tensor " + t + " has shape " + Arrays.toString(params[t].getShape()));
                }
            }
            anchor = transposed ? given : copyOf(given);
        } else if (anchorAtZero) {
            anchor = parameters.getEmptyCopy();
        } else {
            anchor = copyOf(params);
        }
        this.parameters = parameters;
        this.applications = new long[params.length];
        this.steps = 0;
        super.initialise(parameters);
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        if (parameters == null) {
            throw new IllegalStateException(this + " was not initialised: call initialise(Parameters) before step");
        }
        Tensor[] params = parameters.get();
        // Checked here too: the base may be one of Tribuo's optimisers, which would spread a NaN.
        TribuoTensors.requireValidGradients(params, updates);
        TensorProjectionTarget target = new TensorProjectionTarget(params, anchor, updates);
        // c must be read before the base optimiser overwrites the gradient with its step.
        double[][] begun = SelectiveProjectionStep.begin(target);
        steps++;
        target.proposed(super.step(updates, weight));
        boolean[] applied = SelectiveProjectionStep.finish(target, lambda, begun);
        for (int t = 0; t < applied.length; t++) {
            applications[t] += applied[t] ? 1 : 0;
        }
        return target.updates();
    }

    private static Tensor[] copyOf(Tensor[] tensors) {
        if (tensors == null) {
            throw new IllegalArgumentException("anchor must not be null");
        }
        Tensor[] copy = new Tensor[tensors.length];
        for (int t = 0; t < tensors.length; t++) {
            copy[t] = tensors[t].copy();
        }
        return copy;
    }

    /** The anchor θ₀ in use (live), or null before {@link #initialise}. */
    public Tensor[] getAnchor() {
        return anchor;
    }

    /** For each parameter tensor, how many steps since {@link #initialise} applied the projection. */
    public long[] getApplicationCounts() {
        return applications == null ? new long[0] : applications.clone();
    }

    /** Number of steps since {@link #initialise}. */
    public long getStepCount() {
        return steps;
    }

    /** The projection strength λ. */
    public double getLambda() {
        return lambda;
    }

    @Override
    public void reset() {
        super.reset();
        parameters = null;
        anchor = null;
        applications = null;
        steps = 0;
    }

    @Override
    public SelectiveProjectionDecay copy() {
        return new SelectiveProjectionDecay(base.copy(), lambda, anchorAtZero,
                explicitAnchor == null ? null : copyOf(explicitAnchor));
    }

    @Override
    public String toString() {
        String anchorText = explicitAnchor != null ? "explicit" : (anchorAtZero ? "zero" : "initial");
        return "SelectiveProjectionDecay(base=" + base + ",lambda=" + lambda + ",anchor=" + anchorText + ")";
    }
}
