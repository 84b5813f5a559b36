package io.github.descent4j.core.batch;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.NonFiniteGradientException;

/**
 * Sample statistics of one batch of per-example gradients, and the adaptive batch-size tests built on them
 * (Lau, Liu, Kolar 2024, "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive Gradient Methods";
 * reference code timlautk/AdAdaGrad {@code tests.py}).
 * <p>
 * The input is a {@code b × d} matrix whose row {@code i} is the loss gradient {@code g_i} of example
 * {@code i} with respect to the flattened parameter vector. With {@code ḡ = (1/b) Σ_i g_i} and unbiased
 * sample variances {@code Var_i(x_i) = Σ_i (x_i − x̄)² / (b − 1)}:
 * <ul>
 *   <li>{@link #meanGradientNormSquared()} {@code = ‖ḡ‖²};</li>
 *   <li>{@link #traceVariance()} {@code = Σ_j Var_i(g_ij)};</li>
 *   <li>{@link #innerProductVariance()} {@code = Var_i(⟨g_i, ḡ⟩)};</li>
 *   <li>{@link #orthogonalVariance()} {@code = Σ_j Var_i(u_ij)}, with
 *       {@code u_i = g_i − (⟨g_i, ḡ⟩ / ‖ḡ‖²) ḡ} the component of {@code g_i} orthogonal to {@code ḡ};</li>
 *   <li>norm test {@code T_norm = Σ_j Var_i(g_ij) / (η² ‖ḡ‖²)};</li>
 *   <li>inner-product test {@code T_ip = Var_i(⟨g_i, ḡ⟩) / (θ² ‖ḡ‖⁴)};</li>
 *   <li>orthogonality test {@code T_orth = Σ_j Var_i(u_ij) / (ν² ‖ḡ‖²)};</li>
 *   <li>augmented test {@code T_aug = max(T_ip, T_orth)};</li>
 *   <li>next batch size {@code b′ = min(b_max, ⌈max(b, T)⌉)} ({@link #nextBatchSize(int, double, int)}):
 *       the batch never shrinks.</li>
 * </ul>
 * <b>Degenerate inputs</b> (never NaN, never a shrinking batch):
 * <ul>
 *   <li>{@code b = 1}: no variance can be estimated. The variance accessors return 0,
 *       {@link #varianceDefined()} is false, and every test statistic is defined as
 *       {@value #SINGLE_EXAMPLE_STATISTIC}, so the batch grows to 2 (capped at {@code b_max}): the
 *       smallest batch on which the test can run. Keeping 1 would freeze the batch size forever, while
 *       jumping to {@code b_max} would act on no evidence at all.</li>
 *   <li>{@code ḡ = 0} ({@code ‖ḡ‖² = 0}) with some spread among the examples: the statistic is
 *       {@code +∞} and the batch grows to {@code b_max} (the limit of the formula: the noise dominates a
 *       vanishing signal). The projection onto a zero {@code ḡ} is taken as zero, so {@code u_i = g_i}.</li>
 *   <li>No spread and {@code ḡ = 0} (all per-example gradients zero, an exact noiseless stationary point):
 *       the statistic is 0 and the batch is kept; nothing suggests a larger batch would help.</li>
 * </ul>
 * The statistics are scale-invariant; internally the matrix is scaled by an exact power of two so that
 * squares and fourth powers neither overflow nor underflow (results are bit-identical otherwise).
 * Non-finite entries are rejected with a {@link NonFiniteGradientException}.
 */
public final class BatchStatistics {
    /** The test statistic reported for a single-example batch: grow to two examples. */
    public static final double SINGLE_EXAMPLE_STATISTIC = 2.0;

    private final int batchSize;
    private final int dimension;
    private final int exponent; // the input was scaled by 2^-exponent
    private final double meanNormSquared; // scaled
    private final double traceVariance; // scaled
    private final double innerProductVariance; // scaled
    private final double orthogonalVariance; // scaled

    /** For {@link BatchMoments}: the moments of the input scaled by {@code 2^-exponent}. */
    BatchStatistics(int batchSize, int dimension, int exponent, double meanNormSquared, double traceVariance,
            double innerProductVariance, double orthogonalVariance) {
        this.batchSize = batchSize;
        this.dimension = dimension;
        this.exponent = exponent;
        this.meanNormSquared = meanNormSquared;
        this.traceVariance = traceVariance;
        this.innerProductVariance = innerProductVariance;
        this.orthogonalVariance = orthogonalVariance;
    }

    /** Statistics of a per-example gradient matrix given as rows (one per example, all the same length). */
    public static BatchStatistics of(double[][] perExampleGradients) {
        double[] flat = BatchMoments.flatten(perExampleGradients, "per-example gradients");
        return of(flat, perExampleGradients.length, perExampleGradients[0].length);
    }

    /** Statistics of a per-example gradient matrix stored flat, row-major ({@code rows} examples). */
    public static BatchStatistics of(double[] values, int rows, int cols) {
        return BatchMoments.weighted(values, rows, cols, null, rows);
    }

    /**
     * Estimates of the per-example statistics from the mean gradients of {@code m} disjoint micro-batches,
     * for frameworks that compute one gradient per batch but no per-example gradients (Deeplearning4j).
     * <p>
     * Row {@code k} of {@code microBatchMeans} is the mean gradient {@code h_k = (1/s_k) Σ_{i∈B_k} g_i} of
     * micro-batch {@code B_k} of {@code s_k = sizes[k]} examples; {@code b = Σ_k s_k}. With the size-weighted
     * mean {@code ḡ = (1/b) Σ_k s_k h_k} (exactly the mean gradient of all {@code b} examples), the
     * estimates are the between-micro-batch mean squares of a one-way analysis of variance:
     * <ul>
     *   <li>{@code Σ_j Var(g_j) ≈ Σ_k s_k ‖h_k − ḡ‖² / (m − 1)};</li>
     *   <li>{@code Var(⟨g, ḡ⟩) ≈ Σ_k s_k (⟨h_k, ḡ⟩ − ‖ḡ‖²)² / (m − 1)};</li>
     *   <li>{@code Σ_j Var(u_j) ≈ Σ_k s_k ‖u_k‖² / (m − 1)}, {@code u_k = h_k − (⟨h_k, ḡ⟩/‖ḡ‖²) ḡ} (whose
     *       size-weighted mean is 0; {@code u_k = h_k} when {@code ḡ = 0}).</li>
     * </ul>
     * <b>Unbiasedness.</b> If the {@code b} per-example gradients are independent draws with mean μ and
     * covariance Σ, then {@code h_k} has covariance {@code Σ / s_k}, and for any fixed vector {@code v}
     * the identity {@code Σ_k s_k ⟨h_k − ḡ, v⟩² = Σ_k s_k ⟨h_k − μ, v⟩² − b ⟨ḡ − μ, v⟩²} gives
     * {@code E[Σ_k s_k ⟨h_k − ḡ, v⟩²] = m vᵀΣv − vᵀΣv = (m − 1) vᵀΣv}, whatever the sizes. Summed over the
     * coordinate directions, the first estimate is exactly unbiased for {@code tr Σ}; with equal sizes
     * {@code s} it is {@code s} times the sample variance of the micro-batch means. The other two use the
     * direction {@code ḡ} estimated from the same batch, as the per-example statistics do: when the
     * gradients are Gaussian, the deviations {@code h_k − ḡ} are independent of {@code ḡ} (the weights
     * {@code s_k} are the precisions), so conditionally on {@code ḡ} they are unbiased for
     * {@code ḡᵀΣḡ} and {@code tr Σ − ḡᵀΣḡ / ‖ḡ‖²}, with the same expectation as the per-example statistics
     * for every {@code m}; for other distributions third moments add a term of order {@code 1/b} that the
     * per-example statistics share. Fewer micro-batches mean fewer degrees of freedom ({@code m − 1}
     * instead of {@code b − 1}): unbiased, but noisier.
     * <p>
     * With every {@code s_k = 1} ({@code m = b}) the result is bit-identical to {@link #of(double[][])} on the
     * same rows. {@link #batchSize()} is {@code b}; the degenerate rules of the class comment apply to
     * {@code ḡ = 0}.
     *
     * @param microBatchMeans {@code m >= 2} rows, the mean gradient of each micro-batch, all the same length
     * @param sizes the number of examples in each micro-batch (each &gt;= 1), one per row
     * @throws IllegalArgumentException on fewer than two micro-batches, mismatched lengths or a size &lt; 1
     * @throws NonFiniteGradientException on a non-finite entry
     */
    public static BatchStatistics ofMicroBatchMeans(double[][] microBatchMeans, int[] sizes) {
        if (microBatchMeans == null || sizes == null || microBatchMeans.length != sizes.length) {
            throw new IllegalArgumentException("micro-batch means: need one size per micro-batch, got "
                    + (microBatchMeans == null ? "no means" : microBatchMeans.length + " means") + " and "
                    + (sizes == null ? "no sizes" : sizes.length + " sizes"));
        }
        if (microBatchMeans.length < 2) {
            throw new IllegalArgumentException("micro-batch means: need at least 2 micro-batches to estimate a "
                    + "variance, got " + microBatchMeans.length);
        }
        return ofMicroBatchMeans(BatchMoments.flatten(microBatchMeans, "micro-batch means"), microBatchMeans.length,
                microBatchMeans[0].length, sizes);
    }

    /**
     * {@link #ofMicroBatchMeans(double[][], int[])} with the means stored flat, row-major ({@code m} rows of
     * {@code cols} values).
     */
    public static BatchStatistics ofMicroBatchMeans(double[] values, int m, int cols, int[] sizes) {
        if (m < 2) {
            throw new IllegalArgumentException("micro-batch means: need at least 2 micro-batches to estimate a "
                    + "variance, got " + m);
        }
        if (sizes == null || sizes.length != m) {
            throw new IllegalArgumentException("micro-batch means: need " + m + " sizes, got "
                    + (sizes == null ? "null" : sizes.length));
        }
        double[] weights = new double[m];
        int b = 0;
        for (int k = 0; k < m; k++) {
            if (sizes[k] < 1) {
                throw new IllegalArgumentException("micro-batch means: size of micro-batch " + k
                        + " must be >= 1, got " + sizes[k]);
            }
            weights[k] = sizes[k];
            b = Math.addExact(b, sizes[k]);
        }
        return BatchMoments.weighted(values, m, cols, weights, b);
    }

    /**
     * Statistics from per-example sufficient statistics instead of the gradient matrix, for callers that
     * have closed forms (e.g. a linear model, where {@code g_i = r_i ⊗ x_i} gives
     * {@code ‖g_i‖² = ‖r_i‖² ‖x_i‖²} and {@code ⟨g_i, ḡ⟩ = r_iᵀ Ḡ x_i}). With {@code b = exampleNormsSquared.length}:
     * <ul>
     *   <li>{@code Σ_j Var_i(g_ij) = (Σ_i ‖g_i‖² − b ‖ḡ‖²) / (b − 1)};</li>
     *   <li>{@code Var_i(⟨g_i, ḡ⟩)}: the unbiased variance of {@code innerProducts};</li>
     *   <li>{@code Σ_j Var_i(u_ij) = Σ_i (‖g_i‖² − ⟨g_i,ḡ⟩² / ‖ḡ‖²) / (b − 1)} (the mean of the {@code u_i} is
     *       0; with {@code ḡ = 0}, {@code u_i = g_i}).</li>
     * </ul>
     * The differences are clamped at 0 (rounding can make them slightly negative). The degenerate rules of
     * the class comment apply unchanged ({@code b = 1}: variances 0; {@code ḡ = 0}).
     *
     * @param dimension the number d of coordinates of the flattened gradient (&gt;= 1; informational)
     * @param meanGradientNormSquared {@code ‖ḡ‖²} of the unweighted mean {@code ḡ = (1/b) Σ_i g_i}
     * @param exampleNormsSquared {@code ‖g_i‖²}, one per example (b &gt;= 1)
     * @param innerProducts {@code ⟨g_i, ḡ⟩}, one per example
     * @throws IllegalArgumentException on mismatched lengths, no examples or a negative norm
     * @throws NonFiniteGradientException on a non-finite input
     */
    public static BatchStatistics ofSufficientStatistics(int dimension, double meanGradientNormSquared,
            double[] exampleNormsSquared, double[] innerProducts) {
        return BatchMoments.sufficient(dimension, meanGradientNormSquared, exampleNormsSquared, innerProducts);
    }

    /** The number of examples b. */
    public int batchSize() {
        return batchSize;
    }

    /** The number of coordinates d of the flattened gradient. */
    public int dimension() {
        return dimension;
    }

    /** False for a single-example batch, whose sample variances are undefined (reported as 0). */
    public boolean varianceDefined() {
        return batchSize > 1;
    }

    /** {@code ‖ḡ‖²} (may overflow to +∞ for enormous gradients; the tests do not). */
    public double meanGradientNormSquared() {
        return Math.scalb(meanNormSquared, 2 * exponent);
    }

    /** {@code Σ_j Var_i(g_ij)}, unbiased; 0 when b = 1. */
    public double traceVariance() {
        return Math.scalb(traceVariance, 2 * exponent);
    }

    /** {@code Var_i(⟨g_i, ḡ⟩)}, unbiased; 0 when b = 1. */
    public double innerProductVariance() {
        return Math.scalb(innerProductVariance, 4 * exponent);
    }

    /** {@code Σ_j Var_i(u_ij)}, unbiased, {@code u_i = g_i − (⟨g_i,ḡ⟩/‖ḡ‖²) ḡ}; 0 when b = 1. */
    public double orthogonalVariance() {
        return Math.scalb(orthogonalVariance, 2 * exponent);
    }

    /** Norm test {@code Σ_j Var_i(g_ij) / (η² ‖ḡ‖²)}; see the class comment for degenerate batches. */
    public double normTest(double eta) {
        Check.positive("eta", eta);
        return ratio(traceVariance, eta * eta * meanNormSquared, 1);
    }

    /** Inner-product test {@code Var_i(⟨g_i, ḡ⟩) / (θ² ‖ḡ‖⁴)}; see the class comment for degenerate batches. */
    public double innerProductTest(double theta) {
        Check.positive("theta", theta);
        return ratio(innerProductVariance, theta * theta * meanNormSquared, meanNormSquared);
    }

    /** Orthogonality test {@code Σ_j Var_i(u_ij) / (ν² ‖ḡ‖²)}; see the class comment for degenerate batches. */
    public double orthogonalityTest(double nu) {
        Check.positive("nu", nu);
        return ratio(orthogonalVariance, nu * nu * meanNormSquared, 1);
    }

    /** Augmented inner-product test {@code max(T_ip(θ), T_orth(ν))}. */
    public double augmentedTest(double theta, double nu) {
        return Math.max(innerProductTest(theta), orthogonalityTest(nu));
    }

    /** The statistic of {@code kind}; parameters the kind does not use are ignored (not validated). */
    public double statistic(BatchTestKind kind, double eta, double theta, double nu) {
        switch (kind) {
            case NORM:
                return normTest(eta);
            case INNER_PRODUCT:
                return innerProductTest(theta);
            case AUGMENTED:
                return augmentedTest(theta, nu);
            default:
                throw new IllegalArgumentException("unknown batch test " + kind);
        }
    }

    /** {@code numerator / (scale1 · scale2)} with the documented degenerate rules; never NaN. */
    private double ratio(double numerator, double scale1, double scale2) {
        if (batchSize == 1) {
            return SINGLE_EXAMPLE_STATISTIC;
        }
        if (numerator == 0) {
            return 0;
        }
        if (meanNormSquared == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double t = numerator / scale1 / scale2; // > 0 over > 0: finite, +∞ or 0, never NaN
        return t;
    }

    /**
     * The next batch size {@code min(bMax, ⌈max(current, statistic)⌉)}: never below {@code current},
     * never above {@code bMax}; {@code +∞} gives {@code bMax}. Once {@code current >= bMax} the answer is
     * {@code bMax}.
     *
     * @throws IllegalArgumentException if {@code current < 1}, {@code bMax < 1} or the statistic is NaN or
     *     negative
     */
    public static int nextBatchSize(int current, double statistic, int bMax) {
        Check.atLeast("current batch size", current, 1);
        Check.atLeast("bMax", bMax, 1);
        if (!(statistic >= 0)) {
            throw new IllegalArgumentException("batch-test statistic must be >= 0, got " + statistic);
        }
        if (current >= bMax) {
            return bMax;
        }
        if (statistic <= current) {
            return current;
        }
        if (statistic >= bMax) {
            return bMax;
        }
        return (int) Math.ceil(statistic);
    }

    @Override
    public String toString() {
        return "BatchStatistics[b=" + batchSize + ", d=" + dimension + ", |gbar|^2=" + meanGradientNormSquared()
                + ", traceVar=" + traceVariance() + ", ipVar=" + innerProductVariance() + ", orthVar="
                + orthogonalVariance() + "]";
    }
}
