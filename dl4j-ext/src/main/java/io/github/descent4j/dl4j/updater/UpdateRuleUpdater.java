package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The Deeplearning4j updater configuration shared by every descent4j algorithm: it names one
 * framework-free {@link UpdateRule} and instantiates an {@link UpdateRuleGradientUpdater} that drives it
 * over the updater block DL4J hands it.
 * <p>
 * Conventions, matching DL4J's own updaters ({@code Adam}, {@code Sgd}):
 * <ul>
 *   <li>The learning rate is a constant or an {@link ISchedule} (the schedule wins when set), read at
 *       every step as {@code getLearningRate(iteration, epoch)}.</li>
 *   <li>Configurations are plain values: {@code equals}/{@code hashCode} compare the class and every
 *       hyperparameter. DL4J merges consecutive parameters whose updater configurations are equal into
 *       one block and runs one {@link GradientUpdater} over it, so for the global-norm algorithms
 *       ({@link NormalizedSGD}, {@link AdaGradNorm}) "global" means "over the block": the whole network when
 *       the updater is configured once on the {@code NeuralNetConfiguration.Builder}.</li>
 *   <li>JSON: fields only, with the {@code @class} property DL4J's {@code IUpdater} declares, so a
 *       configuration round-trips through {@code MultiLayerConfiguration.toJson()/fromJson()} without any
 *       registration.</li>
 *   <li>All optimiser state, including the step counter and scalar state such as AdaGrad-Norm's b², lives
 *       in the updater state view array (see {@link UpdateRuleGradientUpdater} for the layout), so
 *       {@code ModelSerializer} saves and restores it completely.</li>
 * </ul>
 * Hyperparameters are validated when a configuration is built or changed, and again when it is
 * instantiated (a configuration read from hand-edited JSON is checked there), with an
 * {@link io.github.descent4j.core.InvalidHyperparameterException} naming the parameter.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class UpdateRuleUpdater implements IUpdater {
    private static final long serialVersionUID = 1L;

    /** Constant learning rate, > 0; ignored when {@link #learningRateSchedule} is set. */
    protected double learningRate;

    /** Learning-rate schedule over (iteration, epoch), or null for the constant {@link #learningRate}. */
    protected ISchedule learningRateSchedule;

    protected UpdateRuleUpdater(double learningRate, ISchedule learningRateSchedule) {
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
    }

    /**
     * Builds the rule from the configured hyperparameters; the rule's constructor validates them.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException naming the offending field
     */
    protected abstract UpdateRule createRule();

    /** Hyperparameter names other than the learning rate, in the order of {@link #hyperparameterValues()}. */
    protected abstract String[] hyperparameterNames();

    /** Hyperparameter values other than the learning rate; used by equals, hashCode and toString. */
    protected abstract double[] hyperparameterValues();

    /** Validates every hyperparameter; called by constructors, setters and {@link #instantiate}. */
    protected final UpdateRule validate() {
        if (learningRateSchedule == null) {
            Check.positive("learningRate", learningRate);
        }
        UpdateRule rule = createRule();
        if (rule.readsParameters()) {
            // A GradientUpdater sees only the gradient: decoupled decay belongs to DL4J's WeightDecay.
            throw new IllegalStateException(getClass().getSimpleName() + ": rule " + rule.getClass().getSimpleName()
                    + " reads the parameters, which a DL4J GradientUpdater never sees; use WeightDecay(coeff, true)");
        }
        return rule;
    }

    /** Re-validates after a setter changed a field, restoring the old value if the new one is invalid. */
    protected final void revertUnlessValid(Runnable revert) {
        try {
            validate();
        } catch (RuntimeException e) {
            revert.run();
            throw e;
        }
    }

    @Override
    public long stateSize(long numParams) {
        UpdateRule rule = validate();
        return rule.bufferCount() * numParams + UpdateRuleGradientUpdater.headerLength(rule);
    }

    @Override
    public UpdateRuleGradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        UpdateRuleGradientUpdater updater = new UpdateRuleGradientUpdater(this, validate());
        updater.setStateViewArray(viewArray, viewArray == null ? null : viewArray.shape(),
                viewArray == null ? 'c' : viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public UpdateRuleGradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        UpdateRuleGradientUpdater updater = new UpdateRuleGradientUpdater(this, validate());
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule == null) {
            Check.positive("learningRate", lr);
        }
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    /** The constant learning rate (not used when a schedule is set). */
    public double getLearningRate() {
        return learningRate;
    }

    /** Sets the constant learning rate, > 0. */
    public void setLearningRate(double learningRate) {
        setLrAndSchedule(learningRate, learningRateSchedule);
    }

    /** The learning-rate schedule, or null. */
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    /** Sets the learning-rate schedule; null returns to the constant learning rate. */
    public void setLearningRateSchedule(ISchedule learningRateSchedule) {
        setLrAndSchedule(learningRate, learningRateSchedule);
    }

    @Override
    public UpdateRuleUpdater clone() {
        try {
            UpdateRuleUpdater copy = (UpdateRuleUpdater) super.clone();
            copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        UpdateRuleUpdater other = (UpdateRuleUpdater) o;
        return Double.compare(learningRate, other.learningRate) == 0
                && Objects.equals(learningRateSchedule, other.learningRateSchedule)
                && Arrays.equals(hyperparameterValues(), other.hyperparameterValues());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass().getName(), learningRate, learningRateSchedule) * 31
                + Arrays.hashCode(hyperparameterValues());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName()).append("(learningRate=").append(learningRate);
        if (learningRateSchedule != null) {
            s.append(",learningRateSchedule=").append(learningRateSchedule);
        }
        String[] names = hyperparameterNames();
        double[] values = hyperparameterValues();
        for (int i = 0; i < names.length; i++) {
            s.append(',').append(names[i]).append('=').append(values[i]);
        }
        return s.append(')').toString();
    }

    /**
     * Builder base: the learning rate and its schedule, common to every algorithm.
     *
     * @param <B> the concrete builder
     */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        protected double learningRate;
        protected ISchedule learningRateSchedule;

        protected Builder(double defaultLearningRate) {
            this.learningRate = defaultLearningRate;
        }

        /** Constant learning rate, > 0. */
        public B learningRate(double learningRate) {
            this.learningRate = learningRate;
            return (B) this;
        }

        /** Learning-rate schedule over (iteration, epoch); overrides the constant rate. */
        public B learningRateSchedule(ISchedule learningRateSchedule) {
            this.learningRateSchedule = learningRateSchedule;
            return (B) this;
        }
    }
}
