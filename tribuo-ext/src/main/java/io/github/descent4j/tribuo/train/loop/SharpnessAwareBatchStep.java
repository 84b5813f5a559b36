package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.sharpness.PerturbationTarget;
import io.github.descent4j.core.sharpness.SharpnessAwareStep;
import io.github.descent4j.core.sharpness.SharpnessPerturbation;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.Tensor;

/**
 * The loop's SAM/ASAM step (Foret et al. 2021; Kwon et al. 2021): a {@link PerturbationTarget} over the rows of
 * the weight matrix W that one batch's mean gradient g touches, driven by {@link SharpnessAwareStep#run}. It
 * replaces g by the mean gradient g′ of the same batch, with the same weights, at θ + ε, and leaves W at θ
 * (written back from a copy, so bit-exact, also when the second pass throws).
 * <p>
 * The loop's gradients are Tribuo's negated loss gradients and ε is odd in g, so {@link #perturb} moves W by
 * −(ε of the stored g). ε vanishes wherever g does, so only g's stored entries are perturbed and restored: the
 * whole matrix for a dense batch, the batch's active columns (bias included) for a sparse one. The norm is
 * {@link SharpnessPerturbation#norm} over those entries, overflow-safe. One instance serves one step.
 */
final class SharpnessAwareBatchStep implements PerturbationTarget {
    private final GradientAccumulator<?> accumulator;
    private final double[][] weights;
    private final int[] order;
    private final int start;
    private final int end;
    private final double weightSum;
    private final Tensor[] gradient;
    /** Per stored row of g: its row in W, its values, their columns (null: the whole row) and θ there. */
    private final int[] rowOf;
    private final double[][] values;
    private final int[][] columnsOf;
    private final double[][] theta;
    private final int stored;
    private double perturbedLoss = Double.NaN;

    /**
     * @param gradient {@code gradient[0]} holds g at θ; receives g′
     * @param savedRows reusable {@code outputs × columns} storage for θ on dense rows (null: allocate)
     */
    SharpnessAwareBatchStep(GradientAccumulator<?> accumulator, LinearParameters parameters, double[][] savedRows,
                            int[] order, int start, int end, double weightSum, Tensor[] gradient) {
        this.accumulator = accumulator;
        this.weights = TribuoTensors.rows(parameters.getWeightMatrix());
        this.order = order;
        this.start = start;
        this.end = end;
        this.weightSum = weightSum;
        this.gradient = gradient;
        int outputs = weights.length;
        this.rowOf = new int[outputs];
        this.values = new double[outputs][];
        this.columnsOf = new int[outputs][];
        int[] count = {0};
        TribuoTensors.forEachRow(gradient[0], (row, rowValues, indices, n) -> {
            rowOf[count[0]] = row;
            values[count[0]] = rowValues;
            columnsOf[count[0]] = indices;
            count[0]++;
        });
        this.stored = count[0];
        this.theta = new double[stored][];
        for (int r = 0; r < stored; r++) {
            double[] w = weights[rowOf[r]];
            int[] cols = columnsOf[r];
            if (cols == null) {
                theta[r] = savedRows != null ? savedRows[rowOf[r]] : new double[w.length];
                System.arraycopy(w, 0, theta[r], 0, w.length);
            } else {
                theta[r] = new double[cols.length];
                for (int q = 0; q < cols.length; q++) {
                    theta[r][q] = w[cols[q]];
                }
            }
        }
    }

    /**
     * Runs the step: g′ at θ + ε, or, when ε = 0, at θ itself (a SAM step always takes its two gradients).
     *
     * @return the weighted mean loss of the batch where g′ was taken
     */
    double run(SharpnessPerturbation perturbation) {
        if (!SharpnessAwareStep.run(perturbation, this)) {
            gradientAtPerturbedPoint();
        }
        return perturbedLoss;
    }

    /**
     * ‖T ⊙ g‖ (or ‖g‖) over g's stored entries, {@link SharpnessPerturbation#norm}: overflow-safe where the sum of
     * squares overflows. A finite g whose norm still exceeds {@link Double#MAX_VALUE} reads as 0: ρ / ∞ is a zero
     * scale, so ε = 0, as {@link SharpnessPerturbation#perturbationInto} gives.
     *
     * @throws io.github.descent4j.core.NonFiniteGradientException when g holds NaN or ±∞ (W untouched)
     */
    @Override
    public double perturbationNorm(SharpnessPerturbation perturbation) {
        TribuoTensors.requireFinite(0, gradient[0]);
        double norm = perturbation.norm(java.util.Arrays.copyOf(theta, stored), java.util.Arrays.copyOf(values, stored));
        return norm == Double.POSITIVE_INFINITY ? 0.0 : norm;
    }

    /** Nothing left to save: θ at g's stored entries was copied when the rows were gathered (the norm's T needs it). */
    @Override
    public void save() {}

    /** W ← θ − ε(g) on g's stored entries (g negated; see the class comment), ε as the core computes it. */
    @Override
    public void perturb(SharpnessPerturbation perturbation, double scale) {
        boolean adaptive = perturbation.adaptive();
        double eta = perturbation.eta();
        for (int r = 0; r < stored; r++) {
            double[] w = weights[rowOf[r]];
            int[] cols = columnsOf[r];
            double[] t = theta[r];
            // θ_i + ε_i(−scale) is θ_i − ε_i(scale) bit for bit: negation is exact
            if (cols == null) {
                SharpnessPerturbation.addPerturbation(adaptive, eta, -scale, t, values[r], 0, t.length, w);
            } else {
                double[] moved = t.clone();
                SharpnessPerturbation.addPerturbation(adaptive, eta, -scale, t, values[r], 0, t.length, moved);
                for (int q = 0; q < cols.length; q++) {
                    w[cols[q]] = moved[q];
                }
            }
        }
    }

    /** g′ and its loss at the current W, same batch and weights. */
    @Override
    public void gradientAtPerturbedPoint() {
        perturbedLoss = accumulator.meanGradient(order, start, end, weightSum, gradient, false);
        // Tribuo's own optimisers take non-finite gradients silently; the ascent can overflow where g did not.
        TribuoTensors.requireFinite(0, gradient[0]);
    }

    @Override
    public void restore() {
        for (int r = 0; r < stored; r++) {
            double[] w = weights[rowOf[r]];
            int[] cols = columnsOf[r];
            if (cols == null) {
                System.arraycopy(theta[r], 0, w, 0, w.length);
            } else {
                for (int q = 0; q < cols.length; q++) {
                    w[cols[q]] = theta[r][q];
                }
            }
        }
    }
}
