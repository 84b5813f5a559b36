package io.github.descent4j.tribuo.listen;

import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import io.github.descent4j.tribuo.train.LinearMultiLabelTrainer;
import io.github.descent4j.tribuo.train.LinearRegressionTrainer;

/**
 * Callbacks from the descent4j training loop (the loop behind {@link LinearClassificationTrainer},
 * {@link LinearRegressionTrainer} and {@link LinearMultiLabelTrainer}). Tribuo 4.3.2's own SGD loop has no
 * hooks; these let a user record curves, evaluate held-out data or stop early while the model trains.
 * <p>
 * Every method runs on the training thread between optimiser steps, so the parameters seen through
 * {@link TrainingProgress#parameters()} are consistent; listeners must not modify them.
 *
 * @param <T> the output type of the trainer
 */
public interface TrainingListener<T extends org.tribuo.Output<T>> {

    /** Called once, after the optimiser is initialised and before the first step (step 0). */
    default void onStart(TrainingProgress<T> progress) {}

    /** Called after every optimiser step. */
    default void onStep(TrainingProgress<T> progress) {}

    /** Called after every epoch, including the last (possibly partial) one. */
    default void onEpochEnd(TrainingProgress<T> progress) {}

    /** Called once with the final parameters, before the model is built. */
    default void onEnd(TrainingProgress<T> progress) {}
}
