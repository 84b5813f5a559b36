package io.github.descent4j.examples.sharpness;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.util.ArrayList;
import java.util.List;

/** Records B after every {@code every}-th parameter update (and, by {@link #record}, at chosen points). */
final class BalancednessRecorder extends BaseTrainingListener {
    private final int every;
    final List<Integer> iterations = new ArrayList<>();
    final List<Double> values = new ArrayList<>();
    int steps;

    BalancednessRecorder(int every) {
        this.every = every;
    }

    void record(int iteration, MultiLayerNetwork net) {
        iterations.add(iteration);
        values.add(LowRankNetwork.balancedness(net));
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        steps++;
        if (steps % every == 0) {
            record(steps, (MultiLayerNetwork) model);
        }
    }
}
