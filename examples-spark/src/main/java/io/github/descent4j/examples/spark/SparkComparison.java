package io.github.descent4j.examples.spark;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import io.github.descent4j.dl4j.spark.LocalMode;
import io.github.descent4j.dl4j.spark.SparkTraining;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.Adam;
import io.github.descent4j.dl4j.updater.AdamW;
import io.github.descent4j.dl4j.updater.Lion;
import io.github.descent4j.dl4j.updater.SignSGD;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The comparison behind {@code ./descent4j spark}: the digits MLP 64-48-10 trained per updater on one machine, with
 * DL4J's {@link ParameterAveragingTrainingMaster} and with its {@link SharedTrainingMaster} (gradient sharing) in
 * {@code local[2]}, on the same minibatches for the same epochs; test accuracy and wall time. The settings are those
 * of dl4j-spark's {@code SparkTrainingTest} (docs/spark.md): averaging every 10 steps with the updater state carried,
 * gradient sharing with a fixed threshold 10⁻³ and the residual clipped at 100τ every 10 steps.
 */
final class SparkComparison {
    static final int BATCH = 32;
    static final double THRESHOLD = 1e-3;
    static final long SEED = 7;

    /** One updater of the comparison: a fresh network and fresh listeners for each run. */
    record Method(String key, String name, Supplier<MultiLayerNetwork> net, Supplier<List<TrainingListener>> listeners) {}

    /** Accuracy and wall-clock seconds of one run. */
    record Run(double accuracy, double seconds) {}

    /** One updater's three runs. */
    record Row(Method method, Run single, Run averaging, Run sharing) {}

    private SparkComparison() {}

    /** Every method, by its {@code --updaters} key, in table order. */
    static Map<String, Method> methods(List<DataSet> batches) {
        Map<String, Method> m = new LinkedHashMap<>();
        put(m, new Method("lion", "Lion", () -> net(conf(new Lion(3e-3, 0.9, 0.99), List.of())), List::of));
        put(m, new Method("signsgd", "SignSGD+momentum", () -> net(conf(new SignSGD(1e-3, 0.9), List.of())), List::of));
        put(m, new Method("adagradnorm", "AdaGradNorm", () -> net(conf(new AdaGradNorm(0.5, 0.01), List.of())), List::of));
        put(m, new Method("adamw", "AdamW (torch-exact)", () -> net(AdamW.install(conf(
                AdamW.builder().learningRate(3e-3).weightDecay(0.01).build(), List.of()))), List::of));
        put(m, new Method("spd", "SPD (pre-trained anchor)", () -> pretrainedWithSpd(batches), List::of));
        put(m, new Method("sam", "SAM over AdaGradNorm", () -> net(conf(new AdaGradNorm(0.5, 0.01), List.of())),
                () -> List.of(SharpnessAwareTraining.sam(0.05))));
        return m;
    }

    private static void put(Map<String, Method> m, Method method) {
        m.put(method.key(), method);
    }

    /**
     * One epoch of Adam on the digits, then Adam + SPD {@code of(0.05)} from there: on one machine SPD anchors at the
     * first update (the pre-trained point); {@link SparkTraining} fixes the same anchor on the driver for Spark.
     */
    static MultiLayerNetwork pretrainedWithSpd(List<DataSet> batches) {
        MultiLayerNetwork pre = net(conf(new Adam(3e-3), List.of()));
        batches.forEach(pre::fit);
        MultiLayerNetwork net = net(conf(new Adam(3e-3), SelectiveProjectionDecay.of(0.05)));
        net.setParams(pre.params().dup());
        return net;
    }

    static MultiLayerConfiguration conf(IUpdater updater, List<Regularization> regularization) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater);
        if (!regularization.isEmpty()) {
            b.regularization(regularization).regularizationBias(regularization);
        }
        return b.list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(48).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(48).nOut(DigitsTraining.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The 70 / 30 stratified split (seed 42) of {@code digits} as DL4J data sets, pixels in [0, 1]. */
    static DataSet[] split(LabelledData digits) {
        LabelledData[] parts = digits.split(0.7, 42);
        return new DataSet[]{DigitsTraining.toDataSet(parts[0]), DigitsTraining.toDataSet(parts[1])};
    }

    /** The training set as minibatches of {@link #BATCH}, in one fixed shuffled order (every epoch the same). */
    static List<DataSet> batches(DataSet train) {
        DataSet copy = train.copy();
        copy.shuffle(SEED);
        return new ArrayList<>(copy.batchBy(BATCH));
    }

    static TrainingMaster<?, ?> parameterAveraging() {
        return new ParameterAveragingTrainingMaster.Builder(BATCH).batchSizePerWorker(BATCH).averagingFrequency(10)
                .saveUpdater(true).workerPrefetchNumBatches(0).repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(SEED).build();
    }

    static TrainingMaster<?, ?> gradientSharing() {
        VoidConfiguration voidConf = LocalMode.loopbackTransport(LocalCluster.aeronPort());
        return new SharedTrainingMaster.Builder(voidConf, BATCH).batchSizePerWorker(BATCH).workersPerNode(1)
                .workerPrefetchNumBatches(0).repartitionData(Repartition.Never).rddTrainingApproach(RDDTrainingApproach.Direct)
                .thresholdAlgorithm(new FixedThresholdAlgorithm(THRESHOLD))
                .residualPostProcessor(new ResidualClippingPostProcessor(100, 10))
                .rngSeed(SEED).collectTrainingStats(false).build();
    }

    /** Runs every method's three trainings, printing a line per run to {@code progress}. */
    static List<Row> run(JavaSparkContext sc, List<Method> methods, List<DataSet> batches, DataSet test, int epochs,
                         PrintStream progress) {
        List<DataSet> all = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            all.addAll(batches);
        }
        JavaRDD<DataSet> data = sc.parallelize(all, 2);
        List<Row> rows = new ArrayList<>();
        for (Method m : methods) {
            Run single = single(m, all, test);
            progress.printf(Locale.ROOT, "  %-26s one machine          %.3f (%.1f s)%n", m.name(), single.accuracy(), single.seconds());
            Run averaging = distributed(sc, m, parameterAveraging(), data, test);
            progress.printf(Locale.ROOT, "  %-26s parameter averaging  %.3f (%.1f s)%n", m.name(), averaging.accuracy(), averaging.seconds());
            Run sharing = distributed(sc, m, gradientSharing(), data, test);
            progress.printf(Locale.ROOT, "  %-26s gradient sharing     %.3f (%.1f s)%n", m.name(), sharing.accuracy(), sharing.seconds());
            rows.add(new Row(m, single, averaging, sharing));
        }
        return rows;
    }

    static Run single(Method m, List<DataSet> all, DataSet test) {
        MultiLayerNetwork net = m.net().get();
        net.setListeners(m.listeners().get());
        long t0 = System.nanoTime();
        all.forEach(net::fit);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(DigitsTraining.accuracy(net, test, 0, DigitsTraining.CLASSES), seconds);
    }

    static Run distributed(JavaSparkContext sc, Method m, TrainingMaster<?, ?> master, JavaRDD<DataSet> data, DataSet test) {
        SparkDl4jMultiLayer spark = SparkTraining.multiLayer(sc, m.net().get(), master);
        spark.setListeners(m.listeners().get());
        long t0 = System.nanoTime();
        spark.fit(data);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(DigitsTraining.accuracy(spark.getNetwork(), test, 0, DigitsTraining.CLASSES), seconds);
    }
}
