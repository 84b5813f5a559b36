package io.github.descent4j.tribuo.stopping;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.Output;

/**
 * Early stopping for descent4j's linear trainers ({@code LinearClassificationTrainer}, {@code LinearRegressionTrainer},
 * {@code LinearMultiLabelTrainer}; see {@code LinearTrainingLoop}): at the end of every epoch the loop measures
 * {@link #getMetric() metric} on the validation data at the current parameters, and
 * <pre>
 *   improved  ⇔  value &lt; best − minDelta          (LOSS: lower is better)
 *             ⇔  value &gt; best + minDelta          (ACCURACY: higher is better)
 *   the first epoch always sets best; on improvement best = value and the parameters are saved
 *   training stops after `patience` consecutive epochs without improvement
 *   the model gets the saved parameters: those at the end of the best epoch
 * </pre>
 * as Keras's {@code EarlyStopping(min_delta, patience, restore_best_weights=True)}. Epochs count from 0 as in
 * {@code TrainingProgress.epoch()}; the kept model equals the model of the same trainer run for {@code bestEpoch + 1}
 * epochs. An epoch cut short by {@code maxSteps} or a listener's stop request is evaluated too.
 * <p>
 * Metrics, both weighted by the validation examples' weights ({@code Σ w_i m_i / Σ w_i}):
 * <ul>
 *   <li>{@link Metric#LOSS}: the trainer's objective as a loss, lower is better. Tribuo's classification objectives
 *       report negated losses ({@code LogMulticlass} returns log p(y)); the loop negates them back, so this is the
 *       real cross-entropy or hinge loss, the same quantity as the training loss it logs.</li>
 *   <li>{@link Metric#ACCURACY}: classification only, the fraction of examples whose highest score is their label
 *       (the prediction of the {@code LinearSGDModel}); refused by the regression and multi-label trainers.</li>
 * </ul>
 * The validation data is a {@link ConfigurableDataSource} (configurable, so a trainer configured with it round-trips
 * through OLCUT XML and its provenance) or, in code, a {@link Dataset}; exactly one of them. A Dataset is not part
 * of the configuration: its provenance is recorded in the model's run provenance instead (as for every run, see
 * {@code LinearTrainingLoop}), and a configuration rebuilt from the trainer's provenance lacks it and is refused.
 * Features unknown to the training data are dropped, as at prediction time; an output unknown to it is refused.
 * <p>
 * Optimiser state is not rolled back (training stops there), and an optimiser's {@code finalise} that replaces the
 * parameters (Tribuo's {@code ParameterAveraging}) is overridden by the restored best parameters.
 */
public final class EarlyStopping implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** What is measured on the validation data at the end of every epoch. */
    public enum Metric {
        /** The objective's loss (the real loss, also for Tribuo's negated classification objectives); lower is better. */
        LOSS,
        /** Classification accuracy; higher is better. */
        ACCURACY
    }

    @Config(description = "Validation data measured at the end of every epoch. Required unless a Dataset is given in code.")
    private ConfigurableDataSource<?> validationData;

    @Config(description = "What is measured on the validation data: LOSS (lower is better) or ACCURACY (classification only).")
    private Metric metric = Metric.LOSS;

    @Config(description = "Stop after this many consecutive epochs without improvement, >= 1.")
    private int patience = 5;

    @Config(description = "The smallest change of the metric that counts as an improvement, a finite number >= 0.")
    private double minDelta = 0.0;

    private Dataset<?> validationDataset;

    /** For OLCUT. */
    private EarlyStopping() {}

    /**
     * Early stopping on a configurable data source.
     *
     * @param validationData the validation data
     * @param metric what is measured
     * @param patience epochs without improvement before stopping, &gt;= 1
     * @param minDelta the smallest improvement, finite and &gt;= 0
     */
    public EarlyStopping(ConfigurableDataSource<?> validationData, Metric metric, int patience, double minDelta) {
        this(validationData, null, metric, patience, minDelta);
    }

    /**
     * Early stopping on a dataset given in code (recorded in the model's run provenance, not in the configuration).
     *
     * @param validationData the validation data
     * @param metric what is measured
     * @param patience epochs without improvement before stopping, &gt;= 1
     * @param minDelta the smallest improvement, finite and &gt;= 0
     */
    public EarlyStopping(Dataset<?> validationData, Metric metric, int patience, double minDelta) {
        this(null, validationData, metric, patience, minDelta);
    }

    private EarlyStopping(ConfigurableDataSource<?> source, Dataset<?> dataset, Metric metric, int patience, double minDelta) {
        this.validationData = source;
        this.validationDataset = dataset;
        this.metric = metric;
        this.patience = patience;
        this.minDelta = minDelta;
        validate();
    }

    private void validate() {
        if (validationData == null && validationDataset == null) {
            throw new InvalidHyperparameterException("validationData", "validationData must be set: a ConfigurableDataSource "
                    + "in the configuration or a Dataset in code (a Dataset given in code is not part of the configuration)");
        }
        if (metric == null) {
            throw new InvalidHyperparameterException("metric", "metric must be LOSS or ACCURACY, got null");
        }
        Check.atLeast("patience", patience, 1);
        Check.nonNegative("minDelta", minDelta);
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
     * Refuses a metric the trainer cannot measure.
     *
     * @param trainer the trainer's name, for the message
     * @param classification whether the trainer classifies (and so can measure accuracy)
     * @throws InvalidHyperparameterException naming {@code metric}
     */
    public void requireApplicable(String trainer, boolean classification) {
        if (metric == Metric.ACCURACY && !classification) {
            throw new InvalidHyperparameterException("metric", "metric ACCURACY applies to classification only; "
                    + trainer + " supports metric LOSS");
        }
    }

    /**
     * The validation data as a dataset of the training data's output type: the Dataset given in code, or a new
     * {@link MutableDataset} of the configured source.
     *
     * @param trainingData the training data (its output factory must be of the same class)
     * @throws IllegalArgumentException if the validation outputs are of another type, or there is no example
     */
    @SuppressWarnings("unchecked")
    public <T extends Output<T>> Dataset<T> validationDataFor(Dataset<T> trainingData) {
        Class<?> expected = trainingData.getOutputFactory().getClass();
        Class<?> given = (validationDataset != null ? validationDataset.getOutputFactory() : validationData.getOutputFactory()).getClass();
        if (!expected.equals(given)) {
            throw new IllegalArgumentException("early stopping's validation data has outputs of " + given.getName()
                    + " but the training data has outputs of " + expected.getName());
        }
        Dataset<T> data = validationDataset != null ? (Dataset<T>) validationDataset
                : new MutableDataset<>((ConfigurableDataSource<T>) validationData);
        if (data.size() == 0) {
            throw new IllegalArgumentException("early stopping's validation data is empty");
        }
        return data;
    }

    /** Whether the validation data is a Dataset given in code (not part of the configuration). */
    public boolean hasDatasetInCode() {
        return validationDataset != null;
    }

    /** What is measured. */
    public Metric getMetric() {
        return metric;
    }

    /** Whether a higher metric is better (accuracy). */
    public boolean higherIsBetter() {
        return metric == Metric.ACCURACY;
    }

    /** Epochs without improvement before stopping. */
    public int getPatience() {
        return patience;
    }

    /** The smallest improvement. */
    public double getMinDelta() {
        return minDelta;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "EarlyStopping");
    }

    @Override
    public String toString() {
        return "EarlyStopping(metric=" + metric + ",patience=" + patience + ",minDelta=" + minDelta + ",validationData="
                + (validationDataset != null ? "dataset of " + validationDataset.size() : String.valueOf(validationData)) + ")";
    }
}
