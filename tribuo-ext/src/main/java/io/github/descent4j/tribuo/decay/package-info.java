/**
 * Decoupled weight decay (torch's AdamW decay, optax's {@code add_decayed_weights}) over any Tribuo optimiser,
 * leaving the bias alone: {@link io.github.descent4j.tribuo.decay.DecoupledWeightDecay}.
 */
package io.github.descent4j.tribuo.decay;
