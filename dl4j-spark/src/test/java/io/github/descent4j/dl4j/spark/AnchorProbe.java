package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks, on the executors after every step, the anchor SPD uses for each parameter array against the pre-trained
 * parameters: records the largest absolute difference. Static, per JVM: in {@code local[2]} the executors run in
 * the test's JVM (see {@link ExecutorStepCounter}).
 */
final class AnchorProbe extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    private static volatile double maxDeviation;
    private static final AtomicLong CHECKS = new AtomicLong();
    private final float[] pretrained;

    AnchorProbe(INDArray pretrained) {
        this.pretrained = pretrained.toFloatVector();
    }

    static void reset() {
        maxDeviation = 0;
        CHECKS.set(0);
    }

    static double maxDeviation() {
        return maxDeviation;
    }

    static long checks() {
        return CHECKS.get();
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        for (INDArray param : ((MultiLayerNetwork) model).paramTable().values()) {
            INDArray anchor = SelectiveProjectionDecay.anchorOf(param);
            if (anchor == null) {
                continue;
            }
            // The view's values in the flat vector, shaped (and ordered) like the view, as DL4J lays them out
            int offset = (int) param.offset();
            INDArray expected = Nd4j.createFromArray(Arrays.copyOfRange(pretrained, offset, offset + (int) param.length()))
                    .reshape(param.ordering(), param.shape());
            double max = anchor.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue();
            synchronized (AnchorProbe.class) {
                maxDeviation = Math.max(maxDeviation, max);
            }
            CHECKS.incrementAndGet();
        }
    }
}
