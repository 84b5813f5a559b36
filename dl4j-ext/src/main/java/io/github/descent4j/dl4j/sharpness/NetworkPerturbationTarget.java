package io.github.descent4j.dl4j.sharpness;

import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.sharpness.PerturbationTarget;
import io.github.descent4j.core.sharpness.SharpnessAwareStep;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import io.github.descent4j.dl4j.internal.ChunkScratch;
import io.github.descent4j.dl4j.internal.FlatNetwork;
import io.github.descent4j.dl4j.internal.Staging;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A Deeplearning4j network during {@code onGradientCalculation} as the {@link PerturbationTarget} of
 * {@link SharpnessAwareStep}: the trainable variables of its flattened parameter and gradient views, streamed
 * in chunks through {@link SharpnessPerturbation}'s primitives. The gradient is read as DL4J's updater will see
 * it (divided by the minibatch size where DL4J divides). Variables DL4J never steps (NoOp updater: BatchNorm's
 * running statistics, frozen layers) are not perturbed, do not count in the norm, and get back the gradient
 * entries of the first pass. One instance serves one step.
 */
final class NetworkPerturbationTarget implements PerturbationTarget {
    private final FlatNetwork network;
    private final Model model;
    private final double batch;
    private final List<FlatNetwork.Variable> trainable = new ArrayList<>();
    private final List<FlatNetwork.Variable> fixed = new ArrayList<>();
    private final INDArray params;
    private final INDArray gradients;
    private final ChunkScratch scratch = ChunkScratch.get();
    private final Staging theta;
    private final Staging grad;
    // what save() kept
    private double score;
    private final List<INDArray> savedParams = new ArrayList<>();
    private final List<INDArray> fixedGradients = new ArrayList<>();

    NetworkPerturbationTarget(FlatNetwork network, Model model) {
        this.network = network;
        this.model = model;
        this.batch = Math.max(1, model.batchSize());
        for (FlatNetwork.Variable v : network.variables()) {
            (v.trainable() ? trainable : fixed).add(v);
        }
        this.params = network.params();
        this.gradients = network.gradients();
        // nothing to stage when nothing is perturbed (the listener then stops before the step)
        this.theta = trainable.isEmpty() ? null : scratch.staging(params, "SharpnessAwareTraining");
        this.grad = trainable.isEmpty() ? null : scratch.staging(gradients, "SharpnessAwareTraining");
    }

    /** Whether any variable is perturbed at all. */
    boolean hasTrainable() {
        return !trainable.isEmpty();
    }

    /** ‖T ⊙ g‖ over the trainable variables, summed chunk by chunk in flattened order. */
    @Override
    public double perturbationNorm(SharpnessPerturbation p) {
        double[] thetaChunk = scratch.first;
        double[] gradChunk = scratch.second;
        double squaredNorm = 0.0;
        for (FlatNetwork.Variable v : trainable) {
            double divisor = divisor(v);
            for (long from = v.start(); from < v.end(); from += thetaChunk.length) {
                int n = (int) Math.min(thetaChunk.length, v.end() - from);
                readGradient(from, n, divisor, gradChunk);
                if (p.adaptive()) {
                    theta.read(from, thetaChunk, n);
                }
                squaredNorm += SharpnessPerturbation.squaredNorm(p.adaptive(), p.eta(), thetaChunk, gradChunk, 0, n);
            }
        }
        if (!Double.isFinite(squaredNorm)) {
            throw nonFinite(gradChunk);
        }
        return Math.sqrt(squaredNorm);
    }

    /**
     * θ of the perturbed (trainable) variables only — the others are never moved, and a LoRA network's frozen W is most
     * of its parameters — the score L(θ) the network reports, and the gradient entries of the variables not stepped.
     */
    @Override
    public void save() {
        score = model.score();
        for (FlatNetwork.Variable v : trainable) {
            savedParams.add(range(params, v).dup());
        }
        for (FlatNetwork.Variable v : fixed) {
            fixedGradients.add(range(gradients, v).dup());
        }
    }

    @Override
    public void perturb(SharpnessPerturbation p, double scale) {
        double[] thetaChunk = scratch.first;
        double[] gradChunk = scratch.second;
        for (FlatNetwork.Variable v : trainable) {
            double divisor = divisor(v);
            for (long from = v.start(); from < v.end(); from += thetaChunk.length) {
                int n = (int) Math.min(thetaChunk.length, v.end() - from);
                readGradient(from, n, divisor, gradChunk);
                theta.read(from, thetaChunk, n);
                SharpnessPerturbation.addPerturbation(p.adaptive(), p.eta(), scale, thetaChunk, gradChunk, 0, n, thetaChunk);
                theta.write(from, thetaChunk, n);
            }
        }
    }

    /** The forward and backward pass again on the input, labels and masks the network holds from this step. */
    @Override
    public void gradientAtPerturbedPoint() {
        network.recomputeGradientAndScore();
    }

    @Override
    public void restore() {
        for (int i = 0; i < trainable.size(); i++) {
            range(params, trainable.get(i)).assign(savedParams.get(i));
        }
        for (int i = 0; i < fixed.size(); i++) {
            range(gradients, fixed.get(i)).assign(fixedGradients.get(i));
        }
        network.setScore(score);
    }

    private double divisor(FlatNetwork.Variable v) {
        return v.dividedByMinibatch() ? batch : 1.0;
    }

    /** Chunk [from, from + n) of the gradient, divided as DL4J's updater will see it. */
    private void readGradient(long from, int n, double divisor, double[] out) {
        grad.read(from, out, n);
        if (divisor != 1.0) {
            for (int i = 0; i < n; i++) {
                out[i] /= divisor;
            }
        }
    }

    private static INDArray range(INDArray flat, FlatNetwork.Variable v) {
        return flat.reshape(flat.length()).get(NDArrayIndex.interval(v.start(), v.end()));
    }

    private NonFiniteGradientException nonFinite(double[] chunk) {
        for (int t = 0; t < trainable.size(); t++) {
            FlatNetwork.Variable v = trainable.get(t);
            for (long from = v.start(); from < v.end(); from += chunk.length) {
                int n = (int) Math.min(chunk.length, v.end() - from);
                grad.read(from, chunk, n);
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(chunk[i])) {
                        return new NonFiniteGradientException(t, "flat index " + (from - v.start() + i), chunk[i], v.describe());
                    }
                }
            }
        }
        // every entry finite but Σ g² overflowed
        return new NonFiniteGradientException(-1, "the sum of squares", Double.POSITIVE_INFINITY, "gradient too large to normalise");
    }
}
