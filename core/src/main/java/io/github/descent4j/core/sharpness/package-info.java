/**
 * Framework-free sharpness-aware training: {@link io.github.descent4j.core.sharpness.SharpnessAwareMinimization}
 * (SAM, Foret et al. 2021; ASAM, Kwon et al. 2021) over a {@link io.github.descent4j.core.sharpness.GradientOracle},
 * and {@link io.github.descent4j.core.sharpness.BalancednessAwareRegularization} (nBAR/oBAR, Li, Zhang and He
 * 2024) for scale-invariant factor pairs. Both wrap any {@link io.github.descent4j.core.Optimiser} as the base
 * optimiser, so they stack over the other wrappers (Selective Projection Decay, per-tensor learning rates).
 * The SAM/ASAM sequence itself is {@link io.github.descent4j.core.sharpness.SharpnessAwareStep}, which framework
 * adapters drive over their own {@link io.github.descent4j.core.sharpness.PerturbationTarget}.
 */
package io.github.descent4j.core.sharpness;
