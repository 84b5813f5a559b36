/**
 * descent4j optimisers as drop-in Tribuo {@link org.tribuo.math.StochasticGradientOptimiser}s, for the
 * stock {@code LinearSGDTrainer}, {@code LogisticRegressionTrainer} and factorization-machine trainers.
 * <p>
 * Every optimiser here is configurable through OLCUT, records its hyperparameters in provenance, and is
 * a thin adapter over the framework-free rules of {@code io.github.descent4j.core}; see
 * {@link io.github.descent4j.tribuo.optim.UpdateRuleOptimiser} for the conventions they share.
 */
package io.github.descent4j.tribuo;

import io.github.descent4j.tribuo.optim.UpdateRuleOptimiser;
