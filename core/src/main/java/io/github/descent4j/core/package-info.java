/**
 * Framework-free optimiser math: each algorithm is one {@link io.github.descent4j.core.UpdateRule}
 * (a fused elementwise kernel over plain arrays with its state kept outside it), plus validation
 * ({@link io.github.descent4j.core.Check}) and the Selective Projection Decay math. The same updates also
 * exist as composable transforms ({@link io.github.descent4j.core.transform}). The Tribuo and
 * Deeplearning4j modules are thin adapters over these.
 */
package io.github.descent4j.core;
