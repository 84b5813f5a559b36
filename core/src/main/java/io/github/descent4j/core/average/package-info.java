/**
 * Weight averaging in the sense of torch's {@code torch.optim.swa_utils.AveragedModel}: an exponential moving
 * average (EMA) or the equal average of stochastic weight averaging (SWA; Izmailov et al. 2018) of the parameters
 * after each optimiser step. {@link io.github.descent4j.core.average.AveragingRule} is the immutable configuration
 * and the arithmetic; {@link io.github.descent4j.core.average.ParameterAverage} keeps the average of flat
 * {@code double[]} tensors. See {@code docs/weight-averaging.md}.
 */
package io.github.descent4j.core.average;
