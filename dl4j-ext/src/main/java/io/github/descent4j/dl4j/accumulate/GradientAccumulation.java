package io.github.descent4j.dl4j.accumulate;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.dl4j.internal.TrainableNetwork;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Collection;

/**
 * Gradient accumulation for Deeplearning4j (optax's {@code MultiSteps}): k micro-batches per optimiser step, so a
 * network trains with an effective batch k times larger than fits in memory.
 * <pre>
 *   G = Σ over the window's micro-batches of their summed per-example gradients,  n = Σ their example counts
 *   one optimiser step with G over n examples — exactly DL4J's fit on the concatenated batch
 * </pre>
 * DL4J's updater divides the gradient by the minibatch size, applies regularisation (L1/L2, weight decay, Selective
 * Projection Decay), gradient normalisation and the update rule; applying G with n through the same updater makes a
 * step equal to {@code fit} on the concatenation of the window (to rounding: 1e-12 in double), with any updater.
 * The iteration count, and so every learning-rate and momentum schedule, advances once per optimiser step, and the
 * listeners see one {@code onGradientCalculation}/{@code iterationDone} per step, with the score the example-weighted
 * mean of the micro-batch scores (the concatenated batch's score). {@code GlobalNormClipping} clips the accumulated
 * gradient.
 * <pre>
 *   GradientAccumulation accumulation = GradientAccumulation.of(net, 4);
 *   accumulation.fit(trainIterator, epochs);          // or accumulation.fit(microBatch) per micro-batch, then flush()
 * </pre>
 * <b>Partial window.</b> When the data ends (the end of an epoch in {@link #fit(DataSetIterator, int)}, or
 * {@link #flush()}) inside a window, the micro-batches gathered so far make one step over their own example count
 * (the mean gradient of fewer examples, as fit on a smaller last batch); {@link #dropPartialWindows()} discards them
 * instead. Micro-batches need not be of equal size: the gradient is averaged by example count, not by micro-batch.
 * <p>
 * <b>Refused, with the reason:</b> BatchNormalization (each micro-batch is normalised by its own statistics, so k
 * micro-batches are not one batch, and its running averages would advance per micro-batch), truncated BPTT (a
 * segment carries recurrent state), and {@link SharpnessAwareTraining} listeners (SAM's second pass would see only the
 * last micro-batch). Dropout draws its masks per micro-batch, as it would per example.
 */
public final class GradientAccumulation {
    private final Model model;
    private final TrainableNetwork network;
    private final int microBatches;
    private boolean dropPartial;
    private INDArray sum;
    private int gathered;
    private int examples;
    private double weightedScore;

    private GradientAccumulation(Model model, TrainableNetwork network, int microBatches) {
        if (microBatches < 1) {
            throw new InvalidHyperparameterException("microBatches", "microBatches (k) must be >= 1, got " + microBatches);
        }
        this.model = model;
        this.network = network;
        this.microBatches = microBatches;
    }

    /**
     * @param microBatches k, micro-batches per optimiser step, &gt;= 1 (1 is plain fit)
     * @throws IllegalArgumentException for a network this cannot train (see the class comment)
     */
    public static GradientAccumulation of(MultiLayerNetwork net, int microBatches) {
        return new GradientAccumulation(net, TrainableNetwork.of(net, "gradient accumulation"), microBatches);
    }

    /** As {@link #of(MultiLayerNetwork, int)}, for a graph with one input and one output. */
    public static GradientAccumulation of(ComputationGraph graph, int microBatches) {
        return new GradientAccumulation(graph, TrainableNetwork.of(graph, "gradient accumulation"), microBatches);
    }

    /** Discard a partial window at the end of the data instead of stepping on it; returns this. */
    public GradientAccumulation dropPartialWindows() {
        dropPartial = true;
        return this;
    }

    /**
     * Adds one micro-batch's gradient; after the k-th of a window, takes the optimiser step.
     *
     * @return true when this call took an optimiser step
     */
    public boolean fit(DataSet microBatch) {
        requireNoSam();
        int n = microBatch.numExamples();
        if (n < 1) {
            throw new IllegalArgumentException("a micro-batch must hold at least one example");
        }
        network.computeGradient(microBatch);
        INDArray gradient = network.gradientView();
        if (sum == null) {
            sum = gradient.dup();
        } else if (gathered == 0) {
            sum.assign(gradient);
        } else {
            sum.addi(gradient);
        }
        gathered++;
        examples += n;
        weightedScore += n * network.score();
        if (gathered < microBatches) {
            return false;
        }
        step();
        return true;
    }

    /**
     * Ends the current window: steps on a partial window (or drops it after {@link #dropPartialWindows()}).
     *
     * @return true when a step was taken
     */
    public boolean flush() {
        if (gathered == 0) {
            return false;
        }
        if (dropPartial) {
            reset();
            return false;
        }
        step();
        return true;
    }

    /** Epochs over {@code data}, each ending with {@link #flush()}, with the epoch listeners called as by fit. */
    public void fit(DataSetIterator data, int epochs) {
        if (epochs < 1) {
            throw new InvalidHyperparameterException("epochs", "epochs must be >= 1, got " + epochs);
        }
        for (int e = 0; e < epochs; e++) {
            if (data.resetSupported()) {
                data.reset();
            } else if (e > 0) {
                throw new IllegalArgumentException("the iterator does not support reset, so it cannot run " + epochs + " epochs");
            }
            network.epochStart();
            while (data.hasNext()) {
                fit(data.next());
            }
            flush();
            network.epochEnd();
        }
    }

    /** Micro-batches gathered in the current window. */
    public int pending() {
        return gathered;
    }

    /** k. */
    public int microBatches() {
        return microBatches;
    }

    private void step() {
        network.applyGradient(sum, examples, weightedScore / examples);
        reset();
    }

    private void reset() {
        gathered = 0;
        examples = 0;
        weightedScore = 0;
    }

    private void requireNoSam() {
        Collection<TrainingListener> listeners = model instanceof MultiLayerNetwork m ? m.getListeners()
                : ((ComputationGraph) model).getListeners();
        if (listeners != null) {
            for (TrainingListener l : listeners) {
                if (l instanceof SharpnessAwareTraining) {
                    throw new IllegalStateException("gradient accumulation does not support SharpnessAwareTraining: its "
                            + "second forward and backward pass would see only the last micro-batch");
                }
            }
        }
    }
}
