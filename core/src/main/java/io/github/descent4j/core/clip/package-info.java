/**
 * Gradient clipping by global norm (torch's {@code clip_grad_norm_}) in front of any optimiser; the rule the
 * Tribuo and DL4J adapters apply.
 */
package io.github.descent4j.core.clip;
