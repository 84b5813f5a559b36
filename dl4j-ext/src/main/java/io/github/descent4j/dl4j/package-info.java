/**
 * descent4j for Deeplearning4j 1.0.0-M2.1.
 * <p>
 * Updaters {@link io.github.descent4j.dl4j.updater.SignSGD}, {@link io.github.descent4j.dl4j.updater.Signum},
 * {@link io.github.descent4j.dl4j.updater.Lion}, {@link io.github.descent4j.dl4j.updater.NormalizedSGD} and
 * {@link io.github.descent4j.dl4j.updater.AdaGradNorm}, each an {@code IUpdater} configuration usable wherever DL4J
 * takes one:
 * <pre>
 *   MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
 *       .updater(Lion.builder().learningRate(1e-4).beta1(0.9).beta2(0.99).build())
 *       .list() ... .build();
 * </pre>
 * The math is not re-implemented here: every configuration names a framework-free
 * {@link io.github.descent4j.core.UpdateRule} from descent4j-core, and the shared
 * {@link io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater} runs it over DL4J's off-heap updater block in
 * cache-sized double-precision chunks, with all state in DL4J's updater state view array.
 * <p>
 * Selective Projection Decay ({@link io.github.descent4j.dl4j.spd.SelectiveProjectionDecay}, Tian et al. 2024)
 * over any updater, as a pair of regularisation steps:
 * <pre>
 *   new NeuralNetConfiguration.Builder()
 *       .updater(new Adam(1e-4))
 *       .regularization(SelectiveProjectionDecay.of(0.5))
 *       .regularizationBias(SelectiveProjectionDecay.of(0.5))
 * </pre>
 * <p>
 * {@link io.github.descent4j.dl4j.layerwise.LayerwiseLearningRates} gives each layer of a built or transfer-learned
 * {@code MultiLayerNetwork} or {@code ComputationGraph} its own learning rate from a
 * {@link io.github.descent4j.core.layerwise.LearningRateDistribution} (flat, layer-wise decay, explicit,
 * geometric mean; Kenneweg et al. 2024, "Learning Rate Distributions over Layers Reduce Forgetting"),
 * through the JSON-serializable {@link io.github.descent4j.dl4j.layerwise.ScaledSchedule}, for DL4J's updaters and
 * these alike, keeping every parameter's optimiser state.
 * <p>
 * {@link io.github.descent4j.dl4j.batch.AdaptiveBatchTrainer} trains a {@code MultiLayerNetwork} or
 * {@code ComputationGraph} with adaptive batch sizes (norm, inner-product or augmented test; Lau, Liu, Kolar
 * 2024, "AdAdaGrad"), estimating the per-example variances from micro-batch gradients through
 * {@link io.github.descent4j.core.batch.BatchStatistics#ofMicroBatchMeans}.
 * <p>
 * Sharpness-aware training as training listeners, over any updaters:
 * {@link io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining} (SAM, Foret et al. 2021; ASAM, Kwon et al. 2021;
 * {@code net.addListeners(SharpnessAwareTraining.sam(0.05))}) and
 * {@link io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining} (nBAR/oBAR, Li, Zhang and He 2024) for named
 * {@link io.github.descent4j.dl4j.sharpness.FactorPair}s with an {@link io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig}.
 */
package io.github.descent4j.dl4j;

import io.github.descent4j.dl4j.batch.AdaptiveBatchTrainer;
import io.github.descent4j.dl4j.layerwise.ScaledSchedule;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.FactorPair;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.Lion;
import io.github.descent4j.dl4j.updater.NormalizedSGD;
import io.github.descent4j.dl4j.updater.SignSGD;
import io.github.descent4j.dl4j.updater.Signum;
import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
