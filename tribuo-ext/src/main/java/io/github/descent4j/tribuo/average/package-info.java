/**
 * Weight averaging (EMA and SWA, torch's {@code AveragedModel}) over any Tribuo optimiser:
 * {@link io.github.descent4j.tribuo.average.WeightAveraging}, whose {@code finalise} returns the averaged model.
 * The arithmetic is {@link io.github.descent4j.core.average.AveragingRule}.
 */
package io.github.descent4j.tribuo.average;
