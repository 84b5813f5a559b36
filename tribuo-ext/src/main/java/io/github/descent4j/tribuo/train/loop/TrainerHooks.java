package io.github.descent4j.tribuo.train.loop;

import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.provenance.TrainerProvenance;

import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a trainer supplies to {@link LinearTrainingLoop}, read when a run starts.
 *
 * @param objective the trainer's objective
 * @param target the objective's target for an output, rejecting outputs unknown to the training data
 * @param objectiveReportsNegatedLoss whether the objective's reported value is the negated loss: Tribuo
 *     4.3.2's classification objectives ({@code LogMulticlass} returns log p(y), {@code Hinge} a
 *     non-positive margin) do this; its regression and multi-label objectives report the loss itself
 * @param modelFactory the trainer's {@code createModel}
 * @param modelClassName the class name recorded in the model provenance
 * @param optimiserCopy a fresh copy of the configured optimiser, for one run
 * @param provenance the trainer's provenance, taken when the run starts
 * @param settings the loop settings
 */
public record TrainerHooks<T extends Output<T>, U, V extends Model<T>>(SGDObjective<U> objective,
                                                                     BiFunction<ImmutableOutputInfo<T>, T, U> target,
                                                                     boolean objectiveReportsNegatedLoss,
                                                                     ModelFactory<T, V> modelFactory,
                                                                     String modelClassName,
                                                                     Supplier<StochasticGradientOptimiser> optimiserCopy,
                                                                     Supplier<TrainerProvenance> provenance,
                                                                     TrainingSettings settings) {}
