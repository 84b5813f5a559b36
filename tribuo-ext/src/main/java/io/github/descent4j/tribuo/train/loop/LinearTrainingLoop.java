package io.github.descent4j.tribuo.train.loop;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import io.github.descent4j.tribuo.stopping.EarlyStopping;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.sharpness.SharpnessAwareTraining;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one training loop behind descent4j's linear trainers (classification, regression, multi-label).
 * Each trainer is a thin subclass of the matching Tribuo trainer that hands this loop its objective, target
 * conversion and model factory through {@link TrainerHooks}.
 * <p>
 * What differs from Tribuo 4.3.2's {@code AbstractSGDTrainer.train}:
 * <ul>
 *   <li>The optimiser receives the weighted <b>mean</b> gradient of the minibatch,
 *       {@code Σ_i w_i ∇ℓ_i / Σ_i w_i}, with weight 1 (Tribuo passes {@code minibatchSize × Σ_i ∇ℓ_i}
 *       and only the mean weight, so example weights barely matter and the step size depends on the
 *       batch size). A minibatch whose weights sum to 0 is skipped.</li>
 *   <li>Full-batch training: one step per epoch over the whole dataset (no shuffling needed).</li>
 *   <li>{@code maxSteps} caps the number of optimiser steps.</li>
 *   <li>Listeners are called after every step and epoch and may stop training.</li>
 *   <li>Each epoch is logged (mean loss, examples per second) through {@code java.util.logging}, Tribuo's
 *       logging framework; {@code loggingInterval} additionally logs every that many steps.</li>
 * </ul>
 * <b>Adaptive batch sizes</b> ({@link TrainingSettings#adaptiveBatchSizes()}, replacing {@code minibatchSize}; not
 * with {@code fullBatch}): the batch size starts at {@code b0}; each step takes the next {@code b} examples of
 * the shuffled order (an epoch ends when the order is exhausted, so its last batch may be short). While
 * {@code b < b_max}, the configured test (Lau, Liu, Kolar 2024) runs on the step's own batch at the
 * parameters the step starts from, and sets the next batch size {@code b′ = min(b_max, ⌈max(b, T)⌉)}. The
 * statistics are those of the <b>unweighted</b> per-example gradients {@code g_i = r_i ⊗ x̃_i} of the
 * batch's positive-weight examples ({@code r_i} the loss gradient with respect to the scores, {@code x̃_i}
 * the features with the bias 1), computed in closed form at about the cost of the step:
 * {@code ‖g_i‖² = ‖r_i‖²‖x̃_i‖²}, {@code ⟨g_i, ḡ⟩ = r_iᵀ Ḡ x̃_i} (a second pass over the batch), and
 * {@code ‖ḡ‖² = ‖Ḡ‖_F²} with {@code Ḡ} the unweighted mean gradient: the step's accumulated gradient when
 * the batch's positive weights are equal, a separate accumulation otherwise. Example weights thus select
 * which examples are tested (weight 0: not at all) but do not weight the statistics; the step itself keeps
 * its weighted mean. Once {@code b = b_max} the test stops. The scheduled size of every step is visible
 * through {@link TrainingProgress#batchSizeTrajectory()} and recorded in the model's run provenance under
 * {@value #BATCH_SIZE_TRAJECTORY}, a list of ints.
 * <p>
 * <b>Sharpness-aware training</b> ({@link TrainingSettings#sharpnessAware()}: SAM, Foret et al. 2021, or ASAM, Kwon
 * et al. 2021; see {@link SharpnessAwareTraining}): after the step's mean gradient g at θ (and any batch test, which
 * stays at θ), the loop computes the core {@link SharpnessPerturbation} ε of g over the whole weight matrix
 * (bias column included), moves W to θ + ε, takes the mean gradient g′ of the <b>same</b> batch with the same
 * example weights there, writes θ back from a copy (bit-exact, also if the second pass throws), and hands g′
 * to the optimiser, whichever it is. The loss reported to listeners and logs is the one at θ; the loss at
 * θ + ε is {@link TrainingProgress#lastBatchPerturbedLoss()}. Cost: a second gradient pass over the batch,
 * plus copying, perturbing and restoring the entries where g is stored. ε is g scaled elementwise, so it is
 * zero wherever g is: dense batches perturb the whole matrix ({@code outputs × (features + 1)}), sparse
 * batches only the columns of the features active in the batch (plus the bias), as the step itself does.
 * A non-finite g or g′ is rejected ({@link io.github.descent4j.core.NonFiniteGradientException}) with θ in place,
 * before the optimiser sees it.
 * <p>
 * The gradient of a linear model is accumulated directly into one dense (dense data) or dense-sparse
 * (sparse data; only the columns of features active in the batch) matrix instead of one matrix per
 * example, so a step costs one pass over the batch's active entries per output.
 * <p>
 * Where things are: one run's loop is {@link TrainingRun}, its counters {@link RunProgress}; the mean gradient
 * {@link GradientAccumulator} (sparse scratch {@link FeatureMajorScratch}, scores {@link LinearScorer}); the
 * batch test's statistics {@link BatchGradientStatistics}; the SAM/ASAM step {@link SharpnessAwareBatchStep};
 * settings and their validation {@link TrainingSettings}.
 * <p>
 * <b>Early stopping</b> ({@link TrainingSettings#earlyStopping()}, see {@link EarlyStopping}): at the end of every
 * epoch, before the listeners' {@code onEpochEnd}, the metric is measured on the validation data (converted once per
 * run with the training feature map); training stops after {@code patience} epochs without improvement, and after the
 * optimiser's {@code finalise} the weights are set to those at the end of the best epoch. The kept epoch, the last
 * epoch trained, whether patience ran out and the best value are in {@link TrainingProgress} and in the model's run
 * provenance under {@value #EARLY_STOPPING_BEST_EPOCH}, {@value #EARLY_STOPPING_STOP_EPOCH},
 * {@value #EARLY_STOPPING_STOPPED_EARLY} and {@value #EARLY_STOPPING_BEST_VALUE}; a validation Dataset given in code
 * (not part of the configuration) has its provenance under {@value #EARLY_STOPPING_VALIDATION_DATA}.
 *
 * @param <T> output type
 * @param <U> the objective's target type
 */
public final class LinearTrainingLoop<T extends Output<T>, U> {

    /** The run-provenance key of the adaptive batch-size trajectory (one scheduled batch size per step). */
    public static final String BATCH_SIZE_TRAJECTORY = "batch-size-trajectory";
    /** Run-provenance key (early stopping): the epoch, from 0, whose end parameters the model has. */
    public static final String EARLY_STOPPING_BEST_EPOCH = "early-stopping-best-epoch";
    /** Run-provenance key (early stopping): the last epoch trained, from 0. */
    public static final String EARLY_STOPPING_STOP_EPOCH = "early-stopping-stop-epoch";
    /** Run-provenance key (early stopping): whether patience ran out (else the epochs or a step cap ended training). */
    public static final String EARLY_STOPPING_STOPPED_EARLY = "early-stopping-stopped-early";
    /** Run-provenance key (early stopping): the validation metric of the kept epoch. */
    public static final String EARLY_STOPPING_BEST_VALUE = "early-stopping-best-value";
    /** Run-provenance key (early stopping with a Dataset given in code): that dataset's provenance. */
    public static final String EARLY_STOPPING_VALIDATION_DATA = "early-stopping-validation-data";

    private final List<TrainingListener<T>> listeners = new CopyOnWriteArrayList<>();
    private SplittableRandom rng;
    private int invocationCount;

    public void addListener(TrainingListener<T> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public boolean removeListener(TrainingListener<T> listener) {
        return listeners.remove(listener);
    }

    public List<TrainingListener<T>> listeners() {
        return List.copyOf(listeners);
    }

    /** Forgets the RNG so the next run reseeds from the configured seed (after configuration changes). */
    public synchronized void reseed() {
        rng = null;
        invocationCount = 0;
    }

    public synchronized int invocationCount() {
        return invocationCount;
    }

    /** Puts the RNG where it would be after {@code count} runs, as Tribuo's trainers do. */
    public synchronized void setInvocationCount(int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("invocationCount must be >= 0, got " + count);
        }
        rng = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            rng.split();
        }
        invocationCount = count;
    }

    public <V extends Model<T>> V train(Dataset<T> examples, Map<String, Provenance> runProvenance, int requestedInvocation,
                                        TrainerHooks<T, U, V> hooks) {
        if (examples.getOutputInfo().getUnknownCount() > 0) {
            throw new IllegalArgumentException("The supplied Dataset contained unknown Outputs, and this Trainer is supervised.");
        }
        if (examples.size() == 0) {
            throw new IllegalArgumentException("The supplied Dataset is empty.");
        }
        TrainingSettings settings = hooks.settings();
        settings.validate();
        SplittableRandom localRng;
        StochasticGradientOptimiser optimiser;
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            if (requestedInvocation != Trainer.INCREMENT_INVOCATION_COUNT) {
                setInvocationCount(requestedInvocation, settings.seed());
            } else if (rng == null) {
                setInvocationCount(invocationCount, settings.seed());
            }
            localRng = rng.split();
            optimiser = hooks.optimiserCopy().get();
            trainerProvenance = hooks.provenance().get();
            invocationCount++;
        }
        TrainingRun<T, U, V> run = new TrainingRun<>(examples, hooks, optimiser, localRng, listeners);
        LinearParameters parameters = run.execute();
        if (run.isAdaptive()) {
            Map<String, Provenance> withTrajectory = new LinkedHashMap<>(runProvenance);
            List<IntProvenance> sizes = new ArrayList<>();
            for (int size : run.batchSizeTrajectory()) {
                sizes.add(new IntProvenance(BATCH_SIZE_TRAJECTORY, size));
            }
            withTrajectory.put(BATCH_SIZE_TRAJECTORY, new ListProvenance<>(sizes));
            runProvenance = withTrajectory;
        }
        if (settings.earlyStopping() != null) {
            runProvenance = withEarlyStopping(runProvenance, run, settings.earlyStopping(), examples);
        }
        ModelProvenance provenance = new ModelProvenance(hooks.modelClassName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, runProvenance);
        // The run's own maps: MutableDataset rebuilds them on every call.
        V model = hooks.modelFactory().create(provenance, run.featureMap(), run.outputInfo(), parameters);
        optimiser.reset();
        return model;
    }

    private static Map<String, Provenance> withEarlyStopping(Map<String, Provenance> runProvenance, TrainingRun<?, ?, ?> run,
                                                             EarlyStopping early, Dataset<?> examples) {
        Map<String, Provenance> out = new LinkedHashMap<>(runProvenance);
        out.put(EARLY_STOPPING_BEST_EPOCH, new IntProvenance(EARLY_STOPPING_BEST_EPOCH, run.bestEpoch()));
        out.put(EARLY_STOPPING_STOP_EPOCH, new IntProvenance(EARLY_STOPPING_STOP_EPOCH, run.epoch()));
        out.put(EARLY_STOPPING_STOPPED_EARLY, new BooleanProvenance(EARLY_STOPPING_STOPPED_EARLY, run.stoppedEarly()));
        out.put(EARLY_STOPPING_BEST_VALUE, new DoubleProvenance(EARLY_STOPPING_BEST_VALUE, run.bestValidationMetric()));
        if (early.hasDatasetInCode()) {
            out.put(EARLY_STOPPING_VALIDATION_DATA, early.validationDataFor(examples).getProvenance());
        }
        return out;
    }
}
