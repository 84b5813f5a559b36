package io.github.descent4j.dl4j.clip;

import org.deeplearning4j.nn.api.Model;

/** Receives the global gradient norm of every step from {@link GlobalNormClipping}, before clipping. */
@FunctionalInterface
public interface GlobalNormReport {
    /**
     * @param model the network being trained
     * @param iteration its iteration count at this step (before the update)
     * @param epoch its epoch count
     * @param norm the global norm of the gradient the updaters would have seen, before clipping
     * @param coefficient the factor the gradient was multiplied by (1 when it was not clipped)
     */
    void onGlobalNorm(Model model, int iteration, int epoch, double norm, double coefficient);
}
