/**
 * Framework-free sharpness-aware training: {@link io.github.descent4j.core.sharpness.SharpnessAwareMinimization}
 * (SAM, Foret et al. 2021; ASAM, Kwon et al. 2021) over a {@link io.github.descent4j.core.sharpness.GradientOracle},
 * and {@link io.github.descent4j.core.sharpness.BalancednessAwareRegularization} (nBAR/oBAR, Li, Zhang and He
 * 2024) for scale-invariant factor pairs. Both wrap a {@link io.github.descent4j.core.FlatOptimiser} as the
 * base optimiser.
 */
package io.github.descent4j.core.sharpness;
