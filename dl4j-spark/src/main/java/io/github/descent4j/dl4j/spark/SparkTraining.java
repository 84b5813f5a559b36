package io.github.descent4j.dl4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a network for DL4J's Spark training with descent4j's rules applied on the driver first:
 * {@link SparkSpd#anchorAtPretrained} fixes every {@code SelectiveProjectionDecay.of(λ)} at the network's current
 * (pre-trained) parameters, then the configuration is checked ({@link SparkSpd#requireFixedAnchors}).
 * <pre>
 *   MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(pretrainedFile);  // with SPD of(λ) configured
 *   SparkDl4jMultiLayer spark = SparkTraining.multiLayer(sc, net, trainingMaster);
 *   spark.setListeners(SharpnessAwareTraining.sam(0.05));
 *   spark.fit(trainRdd);
 * </pre>
 * It also warns when a {@link ParameterAveragingTrainingMaster} does not save the updater state: DL4J's default,
 * {@code saveUpdater(false)}, restarts every updater at every averaging round (step counter 1, momentum and moments
 * zero, AdaGrad-Norm's b² back to b₀²), which changes what Adam-type and accumulating updaters compute.
 * Everything else (updaters, listeners, schedules, regularisations) works with DL4J's own constructors unchanged;
 * see {@code docs/spark.md} for what averaging and gradient sharing do to optimiser state.
 */
public final class SparkTraining {
    private static final Logger log = LoggerFactory.getLogger(SparkTraining.class);

    private SparkTraining() {}

    static void warnIfStateIsDropped(TrainingMaster<?, ?> trainingMaster) {
        if (trainingMaster instanceof ParameterAveragingTrainingMaster pa && !pa.isSaveUpdater()) {
            log.warn("ParameterAveragingTrainingMaster without saveUpdater(true) restarts the updater state at every "
                    + "averaging round (every {} minibatches per worker): step counters, momentum, moments and "
                    + "AdaGrad-Norm's b2 start from zero again; build it with .saveUpdater(true) to carry them",
                    pa.getAveragingFrequency());
        }
    }

    /** Anchors SPD at {@code net}'s parameters, warns about a dropped updater state, wraps it in a {@link SparkDl4jMultiLayer}. */
    public static SparkDl4jMultiLayer multiLayer(JavaSparkContext sc, MultiLayerNetwork net, TrainingMaster<?, ?> trainingMaster) {
        SparkSpd.anchorAtPretrained(net);
        SparkSpd.requireFixedAnchors(net.getLayerWiseConfigurations());
        warnIfStateIsDropped(trainingMaster);
        return new SparkDl4jMultiLayer(sc, net, trainingMaster);
    }

    /** Anchors SPD at {@code net}'s parameters and wraps it in a {@link SparkComputationGraph}. */
    public static SparkComputationGraph graph(JavaSparkContext sc, ComputationGraph net, TrainingMaster<?, ?> trainingMaster) {
        SparkSpd.anchorAtPretrained(net);
        SparkSpd.requireFixedAnchors(net.getConfiguration());
        warnIfStateIsDropped(trainingMaster);
        return new SparkComputationGraph(sc, net, trainingMaster);
    }
}
