package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import io.github.descent4j.tribuo.stopping.EarlyStopping;

/**
 * The settings of one {@link LinearTrainingLoop} run, read from a trainer's configured fields, with the
 * validation and the stored ("canonical") forms of the values every trainer shares.
 *
 * @param adaptiveBatchSizes adaptive batch sizes, or null for fixed minibatches of {@code minibatchSize}
 *     (or the full batch); when set, {@code minibatchSize} is ignored and {@code fullBatch} must be false
 * @param sharpnessAware SAM/ASAM, or null for plain steps
 * @param earlyStopping early stopping on validation data, or null to train every epoch
 * @param threads threads summing the gradient of a batch of more than 2048 examples, >= 1 (the result does not
 *     depend on it; see {@code BatchChunks})
 */
public record TrainingSettings(long seed, int epochs, int minibatchSize, boolean fullBatch, int maxSteps,
                               int loggingInterval, boolean shuffle, AdaptiveBatchSizes adaptiveBatchSizes,
                               SharpnessAwareTraining sharpnessAware, EarlyStopping earlyStopping, int threads) {

    /**
     * The stored form of a trainer's unlimited {@code maxSteps} (-1): the largest cap, read back as -1 by the
     * trainers' {@code getMaxSteps()}, so the loop itself never sees it. See {@link #canonicalLoggingInterval}.
     */
    public static final int NO_STEP_LIMIT = Integer.MAX_VALUE;

    /** Validates the loop settings shared by every trainer. */
    static void validate(int epochs, int minibatchSize, int maxSteps) {
        if (epochs < 1) {
            throw new InvalidHyperparameterException("epochs", "epochs must be >= 1, got " + epochs);
        }
        if (minibatchSize < 1) {
            throw new InvalidHyperparameterException("minibatchSize", "minibatchSize must be >= 1, got " + minibatchSize);
        }
        if (maxSteps < 1 && maxSteps != -1) {
            throw new InvalidHyperparameterException("maxSteps", "maxSteps must be >= 1, or -1 for no limit, got " + maxSteps);
        }
    }

    /** {@link #validate(int, int, int)} plus: adaptive batch sizes exclude full-batch training. */
    public static void validate(int epochs, int minibatchSize, boolean fullBatch, int maxSteps, AdaptiveBatchSizes adaptive) {
        validate(epochs, minibatchSize, maxSteps);
        if (adaptive != null && fullBatch) {
            throw new InvalidHyperparameterException("adaptiveBatchSizes",
                    "adaptiveBatchSizes replaces minibatchSize and fullBatch; it cannot be used with fullBatch = true");
        }
    }

    /** Validates these settings as {@link #validate(int, int, boolean, int, AdaptiveBatchSizes)} and {@link #validateThreads} do. */
    void validate() {
        validate(epochs, minibatchSize, fullBatch, maxSteps, adaptiveBatchSizes);
        validateThreads(threads);
    }

    /** @throws InvalidHyperparameterException naming {@code threads} unless it is >= 1 */
    public static void validateThreads(int threads) {
        if (threads < 1) {
            throw new InvalidHyperparameterException("threads", "threads must be >= 1, got " + threads);
        }
    }

    /**
     * The stored form of a trainer's {@code loggingInterval}: values >= 1 as given; -1 (Tribuo's "no step
     * logging") and 0 as 0, which the loop treats the same (it logs steps only for intervals > 0).
     * <p>
     * Why not keep -1: OLCUT 5.3.1's {@code ConfigurationData.structuralEquals} (behind Tribuo's
     * {@code Helpers.testConfigurableRoundtrip}) compares numeric property values with
     * {@code Util.doubleEquals(a, b)}, i.e. {@code |a - b| <= max(a, b) * ulp(1.0)}, whose tolerance is negative
     * for negative values: a negative value never equals itself, and any trainer configured with -1 (Tribuo's own
     * {@code LinearSGDTrainer} included) fails the comparison. A boxed {@code Integer} left null is no way out
     * either: OLCUT's provenance unboxes it and throws. So the "unset" values are stored non-negative (0 here,
     * {@link #NO_STEP_LIMIT} for {@code maxSteps}), and every valid configuration reads back as an equal one.
     *
     * @throws InvalidHyperparameterException naming {@code loggingInterval} if it is below -1
     */
    public static int canonicalLoggingInterval(int loggingInterval) {
        if (loggingInterval < -1) {
            throw new InvalidHyperparameterException("loggingInterval",
                    "loggingInterval must be >= 1, or -1 (or 0) to log epochs only, got " + loggingInterval);
        }
        return Math.max(0, loggingInterval);
    }

    /**
     * The stored form of a trainer's {@code maxSteps}: values >= 1 as given, -1 (no limit) as
     * {@link #NO_STEP_LIMIT}.
     *
     * @throws InvalidHyperparameterException naming {@code maxSteps} for 0 or values below -1
     */
    public static int canonicalMaxSteps(int maxSteps) {
        validate(1, 1, maxSteps);
        return maxSteps == -1 ? NO_STEP_LIMIT : maxSteps;
    }

    /** A stored {@code maxSteps} as the user sees it: {@link #NO_STEP_LIMIT} reads as -1. */
    public static int visibleMaxSteps(int storedMaxSteps) {
        return storedMaxSteps == NO_STEP_LIMIT ? -1 : storedMaxSteps;
    }
}
