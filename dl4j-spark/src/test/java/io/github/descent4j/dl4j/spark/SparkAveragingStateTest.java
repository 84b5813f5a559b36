package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What parameter averaging does to descent4j's updater state (docs/spark.md), on AdaGrad-Norm, whose state is a step
 * counter t and the accumulator b²: with {@code saveUpdater(true)} the driver's state after a fit is the workers'
 * mean, so t counts the steps of one worker (half the minibatches with two workers) and b² is one worker's
 * accumulation, and a second fit continues from it; with DL4J's default {@code saveUpdater(false)} every averaging
 * round restarts from the initial state (t = 1, b² = b₀²).
 */
class SparkAveragingStateTest {
    static final int FREQUENCY = 10;

    record Run(long t1, double b1, double accuracy1, long t2, double b2, double accuracy2, long maxWorkerStep) {}

    static Run run(boolean saveUpdater) {
        List<DataSet> four = new ArrayList<>();
        for (int e = 0; e < 4; e++) {
            four.addAll(Digits.trainBatches(SparkTrainingTest.BATCH));
        }
        JavaRDD<DataSet> rdd = LocalSpark.context().parallelize(four, 2);
        ParameterAveragingTrainingMaster.Builder tm = new ParameterAveragingTrainingMaster.Builder(SparkTrainingTest.BATCH)
                .batchSizePerWorker(SparkTrainingTest.BATCH).averagingFrequency(FREQUENCY).workerPrefetchNumBatches(0)
                .repartionData(Repartition.Never).rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(7);
        if (saveUpdater) {
            tm.saveUpdater(true);
        }
        SparkDl4jMultiLayer spark = SparkTraining.multiLayer(LocalSpark.context(), Mlp.net(Mlp.conf(new AdaGradNorm(0.5, 0.01))), tm.build());
        spark.setListeners(new StepProbe());
        StepProbe.STEPS.clear();
        spark.fit(rdd);
        UpdateRuleGradientUpdater u = StepProbe.updater(spark.getNetwork());
        long t1 = u.getStepCount();
        double b1 = u.getScalarState()[0];
        double accuracy1 = Mlp.accuracy(spark.getNetwork(), Digits.test());
        spark.fit(rdd);
        u = StepProbe.updater(spark.getNetwork());
        Run r = new Run(t1, b1, accuracy1, u.getStepCount(), u.getScalarState()[0], Mlp.accuracy(spark.getNetwork(), Digits.test()),
                Collections.max(StepProbe.STEPS));
        System.out.println("SparkAveragingStateTest: saveUpdater(" + saveUpdater + "): " + r
                + ", driver's DL4J iteration count " + spark.getNetwork().getIterationCount());
        return r;
    }

    @Test
    void withSaveUpdaterTheAveragedStateCountsOneWorkersStepsAndTrainingContinues() {
        MultiLayerNetwork single = Mlp.net(Mlp.conf(new AdaGradNorm(0.5, 0.01)));
        for (int e = 0; e < 4; e++) {
            for (DataSet b : Digits.trainBatches(SparkTrainingTest.BATCH)) {
                single.fit(b);
            }
        }
        long tSingle = StepProbe.updater(single).getStepCount();
        double bSingle = StepProbe.updater(single).getScalarState()[0];

        Run r = run(true);
        assertThat((double) r.t1()).as("t after 4 epochs: one worker's steps, half the minibatches").isCloseTo(tSingle / 2.0, within(2.0));
        assertThat((double) r.t2()).as("t continues across fits").isCloseTo(2.0 * r.t1(), within(2.0));
        assertThat(r.maxWorkerStep()).as("the workers' t continues across averaging rounds").isEqualTo(r.t2());
        assertThat(r.b1()).as("b² is one worker's accumulation, less than one machine's over all minibatches")
                .isGreaterThan(0.01 * 0.01 * 10).isLessThan(bSingle);
        assertThat(r.b2()).as("b² keeps growing").isGreaterThan(r.b1());
        assertThat(r.accuracy2()).as("the second fit continues training").isGreaterThanOrEqualTo(r.accuracy1() - 0.01).isGreaterThan(0.85);
    }

    @Test
    void withDl4jsDefaultEveryRoundRestartsTheUpdaterState() {
        Run r = run(false);
        assertThat(r.maxWorkerStep()).as("the workers' t restarts at every round").isEqualTo(FREQUENCY);
        assertThat(r.t2()).as("the driver keeps the initial state").isZero();
        assertThat(r.b2()).as("b² = b₀²").isCloseTo(0.01 * 0.01, within(1e-9));
    }
}
