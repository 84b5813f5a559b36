package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAnyGetter;
import org.nd4j.shade.jackson.annotation.JsonAnySetter;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
 *   <li>JSON: the {@code @class} property DL4J's {@code IUpdater} declares, {@code learningRate}, the
 *       {@code learningRateSchedule} when set, and one number per hyperparameter under its name, so a
 *       configuration round-trips through {@code MultiLayerConfiguration.toJson()/fromJson()} (and YAML)
 *       without any registration.</li>
 *   <li>All optimiser state, including the step counter and scalar state such as AdaGrad-Norm's b², lives
 *       in the updater state view array (see {@link UpdateRuleGradientUpdater} for the layout), so
 *       {@code ModelSerializer} saves and restores it completely.</li>
 * </ul>
 * This class holds the hyperparameters other than the learning rate by name ({@link #hyperparameter},
 * {@link #setHyperparameter}) for JSON, equality, {@code toString} and validation; a configuration declares
 * their names and defaults, a builder and its rule. What remains per configuration (a getter, a setter and a
 * builder method per hyperparameter) is the bean API DL4J's own Lombok-generated updaters offer, which plain
 * Java cannot derive from the names.
 * <p>
 * Hyperparameters are validated when a configuration is built or changed, and again when it is
 * instantiated (a configuration read from hand-edited JSON is checked there), with an
 * {@link io.github.descent4j.core.InvalidHyperparameterException} naming the parameter.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class UpdateRuleUpdater implements IUpdater {
    private static final long serialVersionUID = 2L;

    /** Constant learning rate, > 0; ignored when {@link #learningRateSchedule} is set. */
    protected double learningRate;

    /** Learning-rate schedule over (iteration, epoch), or null for the constant {@link #learningRate}. */
    @JsonProperty("learningRateSchedule")
    protected ISchedule learningRateSchedule;

    /**
     * Momentum (Adam's β₁) schedule over (iteration, epoch), or null for the configured value; only for rules that
     * accept one ({@link UpdateRule#acceptsMomentumSchedule()}), e.g. a one-cycle schedule's momentum.
     */
    @JsonProperty("momentumSchedule")
    protected ISchedule momentumSchedule;

    /** The names of the other hyperparameters, fixed per class; {@link #values} in the same order. */
    private final String[] names;
    private double[] values;

    /**
     * A configuration; validates every hyperparameter.
     *
     * @param names the hyperparameters other than the learning rate, as they appear in JSON and {@code toString}
     * @param values their values, in the order of {@code names}
     * @throws io.github.descent4j.core.InvalidHyperparameterException naming the offending hyperparameter
     */
    protected UpdateRuleUpdater(double learningRate, ISchedule learningRateSchedule, String[] names, double... values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException(names.length + " hyperparameter names but " + values.length + " values");
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.names = names.clone();
        this.values = values.clone();
        validate();
    }

    /**
     * Builds the rule from the configured hyperparameters ({@link #hyperparameter}); the rule's constructor
     * validates them.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException naming the offending field
     */
    protected abstract UpdateRule createRule();

    /**
     * The value of hyperparameter {@code name}.
     *
     * @throws IllegalArgumentException when this configuration has no such hyperparameter
     */
    protected final double hyperparameter(String name) {
        return values[indexOf(name)];
    }

    /** Sets hyperparameter {@code name} and re-validates, keeping the old value if the new one is invalid. */
    protected final void setHyperparameter(String name, double value) {
        int i = indexOf(name);
        double old = values[i];
        values[i] = value;
        try {
            validate();
        } catch (RuntimeException e) {
            values[i] = old;
            throw e;
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + " has no hyperparameter '" + name
                + "'; it has learningRate and " + Arrays.toString(names));
    }

    /** Validates every hyperparameter; called by constructors, setters and {@link #instantiate}. */
    protected final UpdateRule validate() {
        if (learningRateSchedule == null) {
            Check.positive("learningRate", learningRate);
        }
        UpdateRule rule = createRule();
        if (momentumSchedule != null && !rule.acceptsMomentumSchedule()) {
            throw new InvalidHyperparameterException("momentumSchedule", getClass().getSimpleName()
                    + " has no momentum a schedule can drive (Adam's β₁ and heavy-ball momentum can); remove momentumSchedule");
        }
        if (rule.readsParameters()) {
            // A GradientUpdater sees only the gradient: decoupled decay belongs to DL4J's WeightDecay.
            throw new IllegalStateException(getClass().getSimpleName() + ": rule " + rule.getClass().getSimpleName()
                    + " reads the parameters, which a DL4J GradientUpdater never sees; use WeightDecay(coeff, true)");
        }
        return rule;
    }

    /**
     * The numbers of the JSON form, in the alphabetical order of DL4J's mapper (which does not sort a map
     * property among the others): so a configuration without a schedule writes the same text as when these
     * were fields.
     */
    @JsonAnyGetter
    private Map<String, Object> numbersForJson() {
        Map<String, Object> out = new TreeMap<>();
        out.put("learningRate", learningRate);
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], values[i]);
        }
        return out;
    }

    /**
     * Reads one number of the JSON form. Values are checked at {@link #instantiate}, as for hand-edited JSON;
     * unknown names are ignored, as DL4J's mapper ignores unknown properties.
     */
    @JsonAnySetter
    private void numberFromJson(String name, Object value) {
        double v;
        if (value instanceof Number number) {
            v = number.doubleValue();
        } else if (value instanceof String text) {
            try {
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new InvalidHyperparameterException(name, name + " must be a number, got '" + text + "'");
            }
        } else {
            throw new InvalidHyperparameterException(name, name + " must be a number, got " + value);
        }
        if (name.equals("learningRate")) {
            learningRate = v;
            return;
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                values[i] = v;
            }
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

    /** The scheduled momentum of this iteration and epoch, or NaN without a momentum schedule. */
    double momentumAt(int iteration, int epoch) {
        return momentumSchedule == null ? Double.NaN : momentumSchedule.valueAt(iteration, epoch);
    }

    /** The momentum schedule, or null. */
    public ISchedule getMomentumSchedule() {
        return momentumSchedule;
    }

    /**
     * Sets the momentum (Adam's β₁) schedule; null returns to the configured value.
     *
     * @throws InvalidHyperparameterException when this algorithm has no schedulable momentum
     */
    public void setMomentumSchedule(ISchedule momentumSchedule) {
        ISchedule old = this.momentumSchedule;
        this.momentumSchedule = momentumSchedule;
        try {
            validate();
        } catch (RuntimeException e) {
            this.momentumSchedule = old;
            throw e;
        }
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
            copy.values = values.clone();
            copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
            copy.momentumSchedule = momentumSchedule == null ? null : momentumSchedule.clone();
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
                && Objects.equals(momentumSchedule, other.momentumSchedule)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass().getName(), learningRate, learningRateSchedule, momentumSchedule) * 31
                + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName()).append("(learningRate=").append(learningRate);
        if (learningRateSchedule != null) {
            s.append(",learningRateSchedule=").append(learningRateSchedule);
        }
        if (momentumSchedule != null) {
            s.append(",momentumSchedule=").append(momentumSchedule);
        }
        for (int i = 0; i < names.length; i++) {
            s.append(',').append(names[i]).append('=').append(values[i]);
        }
        return s.append(')').toString();
    }

    /**
     * Builder base: the learning rate and its schedule, common to every algorithm, and the other
     * hyperparameters by name, starting from the configuration's defaults.
     *
     * @param <B> the concrete builder
     */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        protected double learningRate;
        protected ISchedule learningRateSchedule;
        protected ISchedule momentumSchedule;
        private final String[] names;
        private final double[] values;

        protected Builder(double defaultLearningRate, String[] names, double... defaults) {
            this.learningRate = defaultLearningRate;
            this.names = names;
            this.values = defaults.clone();
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

        /** Momentum (Adam's β₁) schedule over (iteration, epoch), e.g. {@code oneCycle.momentum()}; checked by {@code build()}. */
        public B momentumSchedule(ISchedule momentumSchedule) {
            this.momentumSchedule = momentumSchedule;
            return (B) this;
        }

        /** Sets hyperparameter {@code name} (checked by {@code build()}). */
        protected final B set(String name, double value) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    values[i] = value;
                    return (B) this;
                }
            }
            throw new IllegalArgumentException("no hyperparameter '" + name + "' in " + Arrays.toString(names));
        }

        /** Applies the builder's momentum schedule to a built configuration (validating it). */
        protected final <U extends UpdateRuleUpdater> U withMomentum(U built) {
            if (momentumSchedule != null) {
                built.setMomentumSchedule(momentumSchedule);
            }
            return built;
        }

        /** The hyperparameters set so far, in the order of the names. */
        protected final double[] values() {
            return values.clone();
        }
    }
}
