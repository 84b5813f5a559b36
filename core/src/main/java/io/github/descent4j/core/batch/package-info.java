/**
 * Adaptive batch-size tests: the norm, inner-product and augmented (inner-product plus orthogonality)
 * tests of Lau, Liu and Kolar (2024), "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive Gradient
 * Methods" (reference code: timlautk/AdAdaGrad, {@code tests.py}).
 * <p>
 * {@link io.github.descent4j.core.batch.BatchStatistics} computes the sample statistics of one batch of
 * per-example gradients (or estimates them from micro-batch mean gradients, for frameworks without
 * per-example gradients); {@link io.github.descent4j.core.batch.AdaptiveBatchSize} is the stateful driver
 * that turns them into a non-decreasing trajectory of batch sizes capped at {@code b_max}. Everything is
 * framework-free float64 math on a flattened parameter vector.
 */
package io.github.descent4j.core.batch;
