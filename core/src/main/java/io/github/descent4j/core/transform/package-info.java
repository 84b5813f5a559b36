/**
 * Composable update transforms in the sense of optax (Babuschkin et al. 2020): small
 * {@link io.github.descent4j.core.transform.Transform}s (scale by the learning rate, sign, momentum, Adam's
 * moments, decoupled decay, global-norm clipping and normalisation, AdaGrad(-Norm) scaling, Lion's
 * direction), each an {@link io.github.descent4j.core.UpdateRule}, composed by
 * {@link io.github.descent4j.core.transform.TransformChain} and written as text specs such as
 * {@code clipByGlobalNorm(maxNorm=1.0) | scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()}.
 * The fused rules of {@link io.github.descent4j.core.rules} stay the fast path; each equals a chain
 * (see {@code docs/transforms.md}).
 */
package io.github.descent4j.core.transform;
