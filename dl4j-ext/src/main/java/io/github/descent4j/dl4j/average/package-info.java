/**
 * Weight averaging (EMA and SWA, torch's {@code AveragedModel}) for DL4J networks:
 * {@link io.github.descent4j.dl4j.average.WeightAveraging}, a training listener with swap-in/out, averaged copies,
 * batch-norm statistics recomputation (torch's {@code update_bn}) and save/restore of its state
 * ({@link io.github.descent4j.dl4j.average.WeightAverageState}). The arithmetic is
 * {@link io.github.descent4j.core.average.AveragingRule}; see {@code docs/weight-averaging.md}.
 */
package io.github.descent4j.dl4j.average;
