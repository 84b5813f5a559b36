package io.github.descent4j.tribuo.train;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.train.loop.LinearTrainingLoop;
import io.github.descent4j.tribuo.train.loop.ModelFactory;
import io.github.descent4j.tribuo.train.loop.TrainerHooks;
import io.github.descent4j.tribuo.train.loop.TrainingSettings;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.provenance.TrainerProvenance;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What the three linear trainers share, held by each of them: they extend three different Tribuo
 * {@code LinearSGDTrainer}s, so the sharing is by composition. The trainers keep only what OLCUT and Tribuo
 * need on the class itself (the {@code @Config} fields, the private no-arg constructor, {@code postConfig},
 * the typed public API) and delegate the rest here: validation and the stored forms of the settings,
 * listeners, the RNG and invocation count, and the run.
 *
 * @param <T> output type
 * @param <U> the objective's target type
 */
final class LinearTrainerSupport<T extends Output<T>, U> {
    private final LinearTrainingLoop<T, U> loop = new LinearTrainingLoop<>();
    private final BiFunction<ImmutableOutputInfo<T>, T, U> target;
    private final boolean objectiveReportsNegatedLoss;

    /**
     * @param target the objective's target for an output, rejecting outputs unknown to the training data
     * @param objectiveReportsNegatedLoss see {@link TrainerHooks#objectiveReportsNegatedLoss}
     */
    LinearTrainerSupport(BiFunction<ImmutableOutputInfo<T>, T, U> target, boolean objectiveReportsNegatedLoss) {
        this.target = target;
        this.objectiveReportsNegatedLoss = objectiveReportsNegatedLoss;
    }

    /**
     * The end of a trainer's {@code postConfig}: runs its {@code canonicalise} (validation and stored forms,
     * see {@link TrainingSettings#canonicalLoggingInterval}) with OLCUT's exception, and reseeds the RNG.
     *
     * @throws PropertyException naming the invalid setting
     */
    void postConfig(Runnable canonicalise) {
        try {
            canonicalise.run();
        } catch (InvalidHyperparameterException e) {
            throw new PropertyException("", e.parameter(), e.getMessage());
        }
        loop.reseed();
    }

    void addListener(TrainingListener<T> listener) {
        loop.addListener(listener);
    }

    boolean removeListener(TrainingListener<T> listener) {
        return loop.removeListener(listener);
    }

    List<TrainingListener<T>> listeners() {
        return loop.listeners();
    }

    int invocationCount() {
        return loop.invocationCount();
    }

    void setInvocationCount(int invocationCount, long seed) {
        loop.setInvocationCount(invocationCount, seed);
    }

    /** One training run with the trainer's current settings; see {@link LinearTrainingLoop#train}. */
    <V extends Model<T>> V train(Dataset<T> examples, Map<String, Provenance> runProvenance, int invocationCount,
                                 SGDObjective<U> objective, ModelFactory<T, V> modelFactory, String modelClassName,
                                 Supplier<StochasticGradientOptimiser> optimiserCopy,
                                 Supplier<TrainerProvenance> provenance, TrainingSettings settings) {
        return loop.train(examples, runProvenance, invocationCount, new TrainerHooks<>(objective, target,
                objectiveReportsNegatedLoss, modelFactory, modelClassName, optimiserCopy, provenance, settings));
    }

    /** A trainer's {@code toString}. */
    static String describe(String trainerName, Object objective, Object optimiser, TrainingSettings s) {
        return trainerName + "(objective=" + objective + ",optimiser=" + optimiser + ",epochs=" + s.epochs()
                + ",minibatchSize=" + s.minibatchSize() + ",fullBatch=" + s.fullBatch() + ",maxSteps=" + s.maxSteps()
                + (s.adaptiveBatchSizes() == null ? "" : ",adaptiveBatchSizes=" + s.adaptiveBatchSizes())
                + (s.sharpnessAware() == null ? "" : ",sharpnessAware=" + s.sharpnessAware())
                + (s.earlyStopping() == null ? "" : ",earlyStopping=" + s.earlyStopping())
                + (s.threads() == 1 ? "" : ",threads=" + s.threads()) + ",seed=" + s.seed() + ")";
    }
}
