package io.github.descent4j.dl4j.layerwise.search;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The fixed fine-tuning protocol a {@link LayerwiseSearch} evaluates every candidate distribution under:
 * how a fresh copy of the pre-trained network is prepared (its optimiser and base learning rate) and how
 * it is then trained on the new task. The search applies the candidate's multipliers between the two calls,
 * so everything but the distribution stays the same across trials. Both calls must be deterministic for a
 * seeded search to be repeatable (shuffle with a fixed seed, no wall-clock stopping).
 */
public interface FineTuneProtocol {

    /**
     * A new, initialised network holding the pre-trained parameters, with the updater (and base learning
     * rate) of the fine-tuning, for example from {@code TransferLearning.Builder(pretrained.clone())}.
     * Called once per trial; must not return the same instance twice.
     */
    MultiLayerNetwork start();

    /** Fine-tunes {@code net} on the new task (fixed epochs, or until a training-accuracy target). */
    void train(MultiLayerNetwork net);
}
