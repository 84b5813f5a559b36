package io.github.descent4j.tribuo.optim;

import io.github.descent4j.tribuo.internal.TribuoTensors;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * The Tribuo adapter shared by every descent4j optimiser: it drives one framework-free
 * {@link UpdateRule} over Tribuo tensors.
 * <p>
 * Conventions, matching Tribuo 4.3.2's own optimisers:
 * <ul>
 *   <li>{@link #step} receives the <em>negative</em> loss gradient (Tribuo's objectives return it) and
 *       returns the amount {@code Parameters.update} adds, mutating and returning the same tensors.</li>
 *   <li>Optimiser state is held in dense {@link Parameters#getEmptyCopy()} tensors.</li>
 *   <li>Sparse gradients ({@code DenseSparseMatrix}, {@code SparseVector}) are updated lazily: only
 *       the coordinates present in this step's gradient have their state advanced and their parameter
 *       moved, exactly like Tribuo's own AdaGrad, so a sparse step costs time proportional to its
 *       active entries. Rules with a global gradient norm still see the exact norm (absent entries are 0).</li>
 *   <li>The {@code weight} argument scales the learning rate of the step, as in Tribuo's {@code SGD}
 *       (where the momentum buffer sees the raw gradient and the step is {@code lr * weight * buffer}).
 *       Scaling the gradient instead, as Tribuo's AdaGrad does, would be a no-op for every sign-based
 *       method, so it would silently ignore example weights.</li>
 *   <li>A gradient holding NaN or ±∞ is rejected with a
 *       {@link io.github.descent4j.core.NonFiniteGradientException} naming the tensor, before any state or
 *       parameter is touched.</li>
 * </ul>
 */
public abstract class UpdateRuleOptimiser implements StochasticGradientOptimiser {

    /** Learning rate, > 0. */
    @Config(mandatory = true, description = "Learning rate (step size), a finite number > 0.")
    protected double learningRate;

    private UpdateRule rule;
    private Parameters parameters;
    private Tensor[][] buffers;
    private double[] scalars;
    private long steps;
    private double scheduledMomentum = Double.NaN;
    private final StepContext context = new StepContext();

    /** For OLCUT. */
    protected UpdateRuleOptimiser() {}

    /**
     * @param learningRate learning rate, > 0
     */
    protected UpdateRuleOptimiser(double learningRate) {
        this.learningRate = learningRate;
    }

    /**
     * Builds the rule from the configured fields; the rule's constructor validates them.
     *
     * @throws InvalidHyperparameterException naming the offending field
     */
    protected abstract UpdateRule createRule();

    /** Validates every hyperparameter; called by subclass constructors. */
    protected final void validate() {
        Check.positive("learningRate", learningRate);
        rule = createRule();
    }

    @Override
    public void postConfig() {
        try {
            validate();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
    }

    /**
     * Whether the rule has a momentum a schedule can drive (Adam's β₁, heavy-ball momentum), see
     * {@link #setScheduledMomentum}.
     */
    public boolean acceptsMomentumSchedule() {
        if (rule == null) {
            validate();
        }
        return rule.acceptsMomentumSchedule();
    }

    /**
     * Sets the momentum (Adam's β₁) of the following steps, as a one-cycle schedule does
     * ({@link io.github.descent4j.tribuo.schedule.ScheduledOptimiser}); NaN returns to the configured value. Not part
     * of the configuration.
     *
     * @throws IllegalStateException when the rule has no schedulable momentum
     */
    public void setScheduledMomentum(double momentum) {
        if (!Double.isNaN(momentum) && !acceptsMomentumSchedule()) {
            throw new IllegalStateException(this + " has no momentum a schedule can drive");
        }
        scheduledMomentum = momentum;
    }

    /** The configured learning rate. */
    public double getLearningRate() {
        return learningRate;
    }

    @Override
    public void initialise(Parameters parameters) {
        if (rule == null) {
            validate();
        }
        this.parameters = parameters;
        this.buffers = new Tensor[parameters.get().length][];
        for (int b = 0; b < buffers.length; b++) {
            buffers[b] = new Tensor[rule.bufferCount()];
        }
        for (int k = 0; k < rule.bufferCount(); k++) {
            Tensor[] state = parameters.getEmptyCopy();
            for (int t = 0; t < state.length; t++) {
                buffers[t][k] = state[t];
            }
        }
        this.scalars = new double[rule.scalarCount()];
        rule.initialiseScalars(scalars);
        this.steps = 0;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        if (parameters == null) {
            throw new IllegalStateException(this + " was not initialised: call initialise(Parameters) before step");
        }
        Check.finite("weight", weight);
        Tensor[] params = parameters.get();
        double squaredNorm = 0;
        if (rule.usesGlobalGradientNorm()) {
            // The norm pass doubles as the finiteness check: a finite Σg² proves every entry finite, so the
            // entry-by-entry scan (which locates the bad entry) only runs when the sum is not finite.
            TribuoTensors.requireSameShapes(params, updates);
            for (Tensor update : updates) {
                squaredNorm += TribuoTensors.squaredNorm(update);
            }
            if (!Double.isFinite(squaredNorm)) {
                TribuoTensors.requireValidGradients(params, updates);
            }
        } else {
            TribuoTensors.requireValidGradients(params, updates);
        }
        steps++;
        context.sign = -1.0;   // Tribuo passes −∇loss and adds the result
        context.learningRate = learningRate * weight;
        context.step = steps;
        context.momentum = scheduledMomentum;
        context.gradientSquaredNorm = rule.usesGlobalGradientNorm() ? squaredNorm : Double.NaN;
        rule.beginStep(scalars, context);
        double[][] rowBuffers = new double[rule.bufferCount()][];
        boolean readsParameters = rule.readsParameters();
        for (int t = 0; t < updates.length; t++) {
            Tensor[] stateOfTensor = buffers[t];
            Tensor param = params[t];
            TribuoTensors.forEachRow(updates[t], (row, values, indices, count) -> {
                for (int b = 0; b < rowBuffers.length; b++) {
                    rowBuffers[b] = TribuoTensors.denseRow(stateOfTensor[b], row);
                }
                double[] paramRow = readsParameters ? TribuoTensors.denseRow(param, row) : null;
                rule.apply(context, values, indices, 0, count, paramRow, rowBuffers, 0);
            });
        }
        return updates;
    }

    /** Number of steps taken since {@link #initialise}. */
    public long getStepCount() {
        return steps;
    }

    /**
     * A copy of the rule's scalar state (for example AdaGrad-Norm's accumulated b²); empty for rules
     * without scalar state.
     */
    public double[] getScalarState() {
        return scalars == null ? new double[0] : scalars.clone();
    }

    /**
     * The live state buffer {@code buffer} of parameter tensor {@code tensor}, for inspection and tests.
     */
    public Tensor getStateBuffer(int tensor, int buffer) {
        if (buffers == null) {
            throw new IllegalStateException("not initialised");
        }
        return buffers[tensor][buffer];
    }

    @Override
    public void reset() {
        parameters = null;
        buffers = null;
        scalars = null;
        steps = 0;
    }

    @Override
    public abstract UpdateRuleOptimiser copy();

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }
}
