package io.github.descent4j.examples.batch;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.math.la.DenseMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates accuracy straight from the live weights, after every step or (to save time while tuning) only
 * at the end, and records the batch-size changes.
 */
final class AccuracyListener implements TrainingListener<Label> {
    private final LabelledData eval;
    private final double target;
    private final int constantBatch;
    private final boolean everyStep;
    private double[][] x;
    private int[] y;
    long steps;
    long examples;
    long stepsToTarget = -1;
    long examplesToTarget = -1;
    double accuracy = Double.NaN;
    double loss = Double.NaN;
    double best = 0;
    int finalBatch;
    final List<int[]> changes = new ArrayList<>();

    AccuracyListener(LabelledData eval, double target, int constantBatch, boolean everyStep) {
        this.eval = eval;
        this.target = target;
        this.constantBatch = constantBatch;
        this.everyStep = everyStep;
    }

    @Override
    public void onStart(TrainingProgress<Label> progress) {
        ImmutableFeatureMap features = progress.featureMap();
        ImmutableOutputInfo<Label> outputs = progress.outputInfo();
        int d = features.size();
        x = new double[eval.size()][d + 1];
        y = new int[eval.size()];
        for (int i = 0; i < eval.size(); i++) {
            double[] row = eval.features()[i];
            for (int j = 0; j < row.length; j++) {
                var info = features.get(String.format("f%03d", j));
                if (info != null) {
                    x[i][features.getID(info.getName())] = row[j];
                }
            }
            x[i][d] = 1.0;
            Label label = new Label(eval.classNames().get(eval.labels()[i]));
            y[i] = outputs.getID(label);
        }
        evaluate(progress);
    }

    @Override
    public void onStep(TrainingProgress<Label> progress) {
        steps = progress.step();
        examples = progress.examplesSeen();
        List<Integer> trajectory = progress.batchSizeTrajectory();
        int batch = trajectory.isEmpty() ? constantBatch : trajectory.get(trajectory.size() - 1);
        if (changes.isEmpty() || changes.get(changes.size() - 1)[1] != batch) {
            changes.add(new int[] {(int) steps, batch});
        }
        finalBatch = batch;
        if (everyStep) {
            measure(progress);
        }
    }

    @Override
    public void onEnd(TrainingProgress<Label> progress) {
        if (!everyStep) {
            measure(progress);
        }
    }

    private void measure(TrainingProgress<Label> progress) {
        evaluate(progress);
        best = Math.max(best, accuracy);
        if (stepsToTarget < 0 && accuracy >= target) {
            stepsToTarget = steps;
            examplesToTarget = examples;
        }
    }

    /** Sets {@link #accuracy} and {@link #loss} (mean softmax cross-entropy) of the live weights on the evaluation set. */
    private void evaluate(TrainingProgress<Label> progress) {
        DenseMatrix w = progress.parameters().getWeightMatrix();
        int outputs = w.getDimension1Size();
        int cols = w.getDimension2Size();
        double[][] rows = new double[outputs][cols];
        for (int o = 0; o < outputs; o++) {
            for (int j = 0; j < cols; j++) {
                rows[o][j] = w.get(o, j);
            }
        }
        double[] scores = new double[outputs];
        int correct = 0;
        double lossSum = 0;
        for (int i = 0; i < x.length; i++) {
            int arg = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < outputs; o++) {
                double[] r = rows[o];
                double v = 0;
                for (int j = 0; j < cols; j++) {
                    v += r[j] * x[i][j];
                }
                scores[o] = v;
                if (v > max) {
                    max = v;
                    arg = o;
                }
            }
            if (arg == y[i]) {
                correct++;
            }
            double sumExp = 0;
            for (double v : scores) {
                sumExp += Math.exp(v - max);
            }
            lossSum += max + Math.log(sumExp) - scores[y[i]];
        }
        accuracy = correct / (double) x.length;
        loss = lossSum / x.length;
    }
}
