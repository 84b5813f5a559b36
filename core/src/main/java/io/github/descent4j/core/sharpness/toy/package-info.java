/**
 * The scale-invariant toy problems of Li, Zhang and He, "Implicit Regularization of Sharpness-Aware Minimization
 * for Scale-Invariant Problems" (NeurIPS 2024), Appendix A.4, on which SAM's implicit balancedness is visible:
 * {@link io.github.descent4j.core.sharpness.toy.NonOverparametrisedProblem} (NOP, matrix factorisation) and
 * {@link io.github.descent4j.core.sharpness.toy.OverparametrisedProblem} (OP, a scalar target), each with an
 * additive noise of strength α, and {@link io.github.descent4j.core.sharpness.toy.BalancednessExperiment}, which
 * runs SGD or SAM ({@link io.github.descent4j.core.sharpness.SharpnessAwareMinimization} over plain SGD) on them
 * and records the balancedness B = ½(‖x‖² − ‖y‖²). The protocol and measured numbers are in
 * {@code docs/sharpness-toy.md}.
 */
package io.github.descent4j.core.sharpness.toy;
