package io.github.descent4j.tribuo.batch;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchTestKind;

/**
 * Configuration of adaptive batch sizes (Lau, Liu, Kolar 2024, "AdAdaGrad") for descent4j's linear
 * trainers: which test drives the batch size (norm η, inner-product θ, augmented θ and ν), the initial batch
 * size {@code b0} and the cap {@code b_max}. Immutable once configured; each training run gets a fresh
 * {@link AdaptiveBatchSize} schedule from {@link #newSchedule()}, so one instance can be shared by
 * trainers and runs. See {@link io.github.descent4j.core.batch.BatchStatistics} for the tests.
 * <p>
 * Parameters the chosen test does not use are still validated (they must be finite and &gt; 0) and
 * recorded in provenance.
 */
public final class AdaptiveBatchSizes implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(description = "Which test drives the batch size: NORM (eta), INNER_PRODUCT (theta) or AUGMENTED (theta and nu).")
    private BatchTestKind testKind = BatchTestKind.NORM;

    @Config(description = "Norm-test parameter eta, a finite number > 0.")
    private double eta = 1.0;

    @Config(description = "Inner-product-test parameter theta, a finite number > 0.")
    private double theta = 1.0;

    @Config(description = "Orthogonality-test parameter nu (augmented test), a finite number > 0.")
    private double nu = 1.0;

    @Config(description = "Initial batch size b0, >= 1.")
    private int initialBatchSize = 1;

    @Config(mandatory = true, description = "Largest batch size b_max, >= initialBatchSize.")
    private int maxBatchSize;

    /** For OLCUT. */
    private AdaptiveBatchSizes() {}

    /**
     * @param testKind the test
     * @param eta norm-test parameter, &gt; 0
     * @param theta inner-product-test parameter, &gt; 0
     * @param nu orthogonality-test parameter, &gt; 0
     * @param initialBatchSize b0, &gt;= 1
     * @param maxBatchSize b_max, &gt;= b0
     * @throws InvalidHyperparameterException naming the offending field
     */
    public AdaptiveBatchSizes(BatchTestKind testKind, double eta, double theta, double nu, int initialBatchSize,
                              int maxBatchSize) {
        this.testKind = testKind;
        this.eta = eta;
        this.theta = theta;
        this.nu = nu;
        this.initialBatchSize = initialBatchSize;
        this.maxBatchSize = maxBatchSize;
        validate();
    }

    /** The norm test with parameter η. */
    public static AdaptiveBatchSizes norm(double eta, int initialBatchSize, int maxBatchSize) {
        return new AdaptiveBatchSizes(BatchTestKind.NORM, eta, 1.0, 1.0, initialBatchSize, maxBatchSize);
    }

    /** The inner-product test with parameter θ. */
    public static AdaptiveBatchSizes innerProduct(double theta, int initialBatchSize, int maxBatchSize) {
        return new AdaptiveBatchSizes(BatchTestKind.INNER_PRODUCT, 1.0, theta, 1.0, initialBatchSize, maxBatchSize);
    }

    /** The augmented inner-product test with parameters θ and ν. */
    public static AdaptiveBatchSizes augmented(double theta, double nu, int initialBatchSize, int maxBatchSize) {
        return new AdaptiveBatchSizes(BatchTestKind.AUGMENTED, 1.0, theta, nu, initialBatchSize, maxBatchSize);
    }

    private void validate() {
        newSchedule();
    }

    @Override
    public void postConfig() {
        try {
            validate();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", fieldName(e.parameter()), e.getMessage());
        }
    }

    /** Maps the core schedule's parameter names onto this class's field names. */
    private static String fieldName(String parameter) {
        switch (parameter) {
            case "kind":
                return "testKind";
            case "b0":
                return "initialBatchSize";
            case "bMax":
                return "maxBatchSize";
            default:
                return parameter;
        }
    }

    /**
     * A fresh schedule starting at {@code b0}.
     *
     * @throws InvalidHyperparameterException naming the offending field
     */
    public AdaptiveBatchSize newSchedule() {
        try {
            return new AdaptiveBatchSize(testKind, eta, theta, nu, initialBatchSize, maxBatchSize);
        } catch (InvalidHyperparameterException e) {
            String field = fieldName(e.parameter());
            if (field.equals(e.parameter())) {
                throw e;
            }
            throw new InvalidHyperparameterException(field, e.getMessage().replace(e.parameter(), field));
        }
    }

    /** The test. */
    public BatchTestKind getTestKind() {
        return testKind;
    }

    /** η. */
    public double getEta() {
        return eta;
    }

    /** θ. */
    public double getTheta() {
        return theta;
    }

    /** ν. */
    public double getNu() {
        return nu;
    }

    /** b0. */
    public int getInitialBatchSize() {
        return initialBatchSize;
    }

    /** b_max. */
    public int getMaxBatchSize() {
        return maxBatchSize;
    }

    /** An equal, independent instance. */
    public AdaptiveBatchSizes copy() {
        return new AdaptiveBatchSizes(testKind, eta, theta, nu, initialBatchSize, maxBatchSize);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "AdaptiveBatchSizes");
    }

    @Override
    public String toString() {
        return "AdaptiveBatchSizes(testKind=" + testKind + ",eta=" + eta + ",theta=" + theta + ",nu=" + nu
                + ",initialBatchSize=" + initialBatchSize + ",maxBatchSize=" + maxBatchSize + ")";
    }
}
