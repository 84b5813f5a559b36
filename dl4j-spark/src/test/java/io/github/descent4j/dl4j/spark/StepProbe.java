package io.github.descent4j.dl4j.spark;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records, on the executors after every step, the step counter t of the network's first descent4j updater block
 * (static, per JVM: local mode, see {@link ExecutorStepCounter}).
 */
final class StepProbe extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    static final List<Long> STEPS = new CopyOnWriteArrayList<>();

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        STEPS.add(updater((MultiLayerNetwork) model).getStepCount());
    }

    static UpdateRuleGradientUpdater updater(MultiLayerNetwork net) {
        return (UpdateRuleGradientUpdater) ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks().get(0).getGradientUpdater();
    }
}
