package io.github.descent4j.tribuo.decay;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.transform.AddDecayedWeights;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import org.tribuo.common.sgd.FMParameters;
import io.github.descent4j.tribuo.train.FeatureMajorLinearParameters;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;

import java.util.Arrays;

/**
 * Decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") over any Tribuo
 * optimiser: descent4j's own and Tribuo's SGD, AdaGrad or RMSProp. Torch's AdamW decay, optax's
 * {@code add_decayed_weights} before the learning-rate scaling:
 * <pre>
 *   θ ← θ − lr · weight · λ · θ        for every decayed weight (θ the parameters before this step)
 *   then the base step:  θ ← θ + base.step(−∇ℓ, weight)
 * </pre>
 * {@code lr} is this wrapper's own {@code learningRate}, not read from the base (Tribuo's optimisers do not expose
 * theirs, and a base may schedule it); set it to the base's learning rate for torch's {@code θ(1 − lr·λ)}.
 * {@code weight} is the example weight Tribuo passes to {@code step} (1 in descent4j's loop), applied to the decay as
 * descent4j's optimisers apply it to their learning rate. Tribuo hands optimisers the negative loss gradient and adds
 * what they return, so {@link #step} returns {@code base.step(g, weight) − lr·weight·λ·θ}; the base sees the parameters
 * before the decay. The arithmetic is core's {@link AddDecayedWeights} with coefficient {@code lr·weight·λ}. Over
 * descent4j's {@code Adam} with {@code excludeBias = false} this is exactly its {@code AdamW}.
 * <p>
 * This is not L2 regularisation through the loss ({@code ℓ + λ/2·‖θ‖²}, gradient {@code ∇ℓ + λθ}): for plain SGD
 * the two coincide, but an adaptive optimiser (Adam, AdaGrad, RMSProp) rescales the L2 gradient per coordinate,
 * while the decoupled decay shrinks every weight by the same factor {@code 1 − lr·weight·λ}.
 * <p>
 * <b>What is decayed.</b> With {@code excludeBias} (the default) the bias is left alone; where it is depends on the
 * model's parameters, read at {@link #initialise}:
 * <ul>
 *   <li>{@link LinearParameters} (Tribuo's linear trainers): one weight matrix {@code [outputs, features + 1]}
 *       whose last column is the bias; every other column decays.</li>
 *   <li>{@link FeatureMajorLinearParameters} (descent4j's linear trainers): the transpose,
 *       {@code [features + 1, outputs]}; every row but the last (the bias) decays.</li>
 *   <li>{@link FMParameters} (factorization machines): tensor 0, the bias vector, does not decay; tensor 1, the
 *       linear weights (no bias column), and every factor matrix do.</li>
 *   <li>Any other {@link Parameters}: refused, since where its bias lies is unknown; with {@code excludeBias = false}
 *       every parameter of every tensor decays, for any model.</li>
 * </ul>
 * <b>Sparse gradients.</b> The decay applies to every decayed weight at every step, also when the gradient (and so
 * a lazy base step, like Tribuo's AdaGrad or descent4j's optimisers) touches only the features present in the
 * batch; a sparse base update ({@code DenseSparseMatrix}, {@code SparseVector}) is returned as a dense one, so a
 * step costs time proportional to the model size. (descent4j's {@code AdamW} instead decays only the coordinates
 * present, like its lazy step.)
 * <pre>
 *   new LinearSGDTrainer(objective, new DecoupledWeightDecay(new AdaGrad(0.1), 0.1, 1e-3), epochs, seed)
 * </pre>
 */
public final class DecoupledWeightDecay extends ForwardingOptimiser {

    @Config(mandatory = true, description = "The optimiser whose step follows the decay.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "Learning rate lr of the decay theta <- theta - lr*weight*weightDecay*theta, "
            + "a finite number > 0 (usually the base optimiser's learning rate).")
    private double learningRate;

    @Config(mandatory = true, description = "Decoupled weight decay lambda, a finite number >= 0; multiplied by learningRate.")
    private double weightDecay;

    @Config(description = "Leave the bias alone: the last column of a linear model's weight matrix, a factorization "
            + "machine's bias vector. Other parameter layouts are refused unless false (then everything decays).")
    private boolean excludeBias = true;

    /** Per parameter tensor: what decays (resolved at {@link #initialise}). */
    private Layout[] layout;
    private Parameters parameters;
    private final StepContext context = new StepContext();

    /** What decays in one parameter tensor. */
    private enum Layout { ALL, ALL_BUT_LAST_COLUMN, ALL_BUT_LAST_ROW, NONE }

    /** For OLCUT. */
    private DecoupledWeightDecay() {}

    /**
     * Decay that leaves the bias alone.
     *
     * @param base the optimiser whose step follows the decay
     * @param learningRate lr of the decay, finite and &gt; 0
     * @param weightDecay λ, finite and &gt;= 0
     */
    public DecoupledWeightDecay(StochasticGradientOptimiser base, double learningRate, double weightDecay) {
        this(base, learningRate, weightDecay, true);
    }

    /**
     * @param base the optimiser whose step follows the decay
     * @param learningRate lr of the decay, finite and &gt; 0
     * @param weightDecay λ, finite and &gt;= 0
     * @param excludeBias leave the bias alone (see the class comment for where it is)
     */
    public DecoupledWeightDecay(StochasticGradientOptimiser base, double learningRate, double weightDecay,
                                boolean excludeBias) {
        if (base == null) {
            throw new IllegalArgumentException("base must be an optimiser, got null");
        }
        this.base = base;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.excludeBias = excludeBias;
        validate();
    }

    private void validate() {
        Check.positive("learningRate", learningRate);
        Check.nonNegative("weightDecay", weightDecay);
    }

    @Override
    public void postConfig() {
        validateConfigured(this::validate);
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public void initialise(Parameters parameters) {
        Tensor[] tensors = parameters.get();
        Layout[] resolved = new Layout[tensors.length];
        if (!excludeBias) {
            Arrays.fill(resolved, Layout.ALL);
        } else if (parameters instanceof FeatureMajorLinearParameters && tensors.length == 1 && tensors[0] instanceof DenseMatrix) {
            resolved[0] = Layout.ALL_BUT_LAST_ROW;
        } else if (parameters instanceof LinearParameters && tensors.length == 1 && tensors[0] instanceof DenseMatrix) {
            resolved[0] = Layout.ALL_BUT_LAST_COLUMN;
        } else if (parameters instanceof FMParameters && tensors.length >= 2) {
            Arrays.fill(resolved, Layout.ALL);
            resolved[0] = Layout.NONE;
        } else {
            throw new IllegalArgumentException("DecoupledWeightDecay with excludeBias = true knows where the bias is only in "
                    + "Tribuo's LinearParameters (the last column of the weight matrix) and FMParameters (tensor 0, the bias "
                    + "vector); got " + parameters.getClass().getName() + " with " + tensors.length
                    + " tensors. Set excludeBias = false to decay every parameter.");
        }
        super.initialise(parameters);
        this.layout = resolved;
        this.parameters = parameters;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        if (parameters == null) {
            throw new IllegalStateException(this + " was not initialised: call initialise(Parameters) before step");
        }
        Check.finite("weight", weight);
        Tensor[] params = parameters.get();
        TribuoTensors.requireSameShapes(params, updates);
        Tensor[] proposed = super.step(updates, weight);
        // The same association as descent4j's AdamW: (lr·weight)·λ.
        double coefficient = (learningRate * weight) * weightDecay;
        if (coefficient == 0) {
            return proposed;
        }
        AddDecayedWeights decay = new AddDecayedWeights(Math.abs(coefficient));
        // AddDecayedWeights adds sign·|c|·θ; sign −1 is Tribuo's convention (the update is added), and a negative
        // example weight flips the decay as it flips the base step.
        context.sign = coefficient > 0 ? -1.0 : 1.0;
        for (int t = 0; t < proposed.length; t++) {
            if (layout[t] == Layout.NONE) {
                continue;
            }
            Tensor out = proposed[t] instanceof DenseMatrix || proposed[t] instanceof DenseVector
                    ? proposed[t] : densified(proposed[t], params[t]);
            int rows = params[t].getShape().length == 1 ? 1 : params[t].getShape()[0];
            if (layout[t] == Layout.ALL_BUT_LAST_ROW) {
                rows--;
            }
            for (int r = 0; r < rows; r++) {
                double[] row = TribuoTensors.denseRow(out, r);
                double[] theta = TribuoTensors.denseRow(params[t], r);
                int end = layout[t] == Layout.ALL_BUT_LAST_COLUMN ? row.length - 1 : row.length;
                decay.apply(context, row, null, 0, end, theta, null, 0);
            }
            proposed[t] = out;
        }
        return proposed;
    }

    /** A dense tensor of {@code like}'s shape holding the stored values of a sparse update. */
    private static Tensor densified(Tensor sparse, Tensor like) {
        int[] shape = like.getShape();
        Tensor dense = shape.length == 1 ? new DenseVector(shape[0]) : new DenseMatrix(shape[0], shape[1]);
        TribuoTensors.forEachRow(sparse, (row, values, indices, count) -> {
            double[] target = TribuoTensors.denseRow(dense, row);
            for (int i = 0; i < count; i++) {
                target[indices == null ? i : indices[i]] += values[i];
            }
        });
        return dense;
    }

    @Override
    public void reset() {
        super.reset();
        parameters = null;
        layout = null;
    }

    /** The learning rate of the decay. */
    public double getLearningRate() {
        return learningRate;
    }

    /** The decay coefficient λ. */
    public double getWeightDecay() {
        return weightDecay;
    }

    /** Whether the bias is left alone. */
    public boolean isExcludeBias() {
        return excludeBias;
    }

    @Override
    public DecoupledWeightDecay copy() {
        return new DecoupledWeightDecay(base.copy(), learningRate, weightDecay, excludeBias);
    }

    @Override
    public String toString() {
        return "DecoupledWeightDecay(base=" + base + ",learningRate=" + learningRate + ",weightDecay=" + weightDecay
                + ",excludeBias=" + excludeBias + ")";
    }
}
