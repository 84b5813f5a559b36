/**
 * A small, framework-free Bayesian optimiser for minimising a black-box function over a box: a seeded
 * Latin-hypercube initial design, a Gaussian-process surrogate with a Matérn 5/2 kernel whose
 * hyperparameters are fitted by the log marginal likelihood, and expected improvement as the acquisition.
 * Kenneweg et al. (2024) search their layer-wise learning-rate distributions by Bayesian optimisation but
 * do not specify the surrogate or acquisition; the choices here are our design (see
 * {@code docs/layerwise-search.md}).
 */
package io.github.descent4j.core.layerwise.search;
