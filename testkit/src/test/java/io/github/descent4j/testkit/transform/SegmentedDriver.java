package io.github.descent4j.testkit.transform;

import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

import java.util.Random;

/**
 * Drives an {@link UpdateRule} the way the framework adapters do, through every path of
 * {@link UpdateRule#apply} that {@link io.github.descent4j.core.FlatOptimiser} does not take: all tensors'
 * state in one flat buffer per state slot at base offsets ≠ 0, each tensor's gradient handed in as two
 * segments of a larger array (from ≠ 0), Tribuo's sign convention (negated gradients in, negated steps
 * out), and optionally sparse segments (index arrays): a random subset of the coordinates in random order,
 * updated lazily, with the global norm over the values present.
 */
final class SegmentedDriver {
    private static final int PAD = 3;   // leading unused slots, so that no tensor's state sits at base 0

    private final UpdateRule rule;
    private final double learningRate;
    private final int[] bases;
    private final double[][][] buffers;
    private final double[] scalars;
    private final StepContext context = new StepContext();
    private final double[][] rowBuffers;   // the holder array, reused for every call as Tribuo's adapter does
    private long steps;

    SegmentedDriver(UpdateRule rule, double learningRate, double[][] params) {
        this.rule = rule;
        this.learningRate = learningRate;
        this.bases = new int[params.length];
        this.buffers = new double[params.length][rule.bufferCount()][];
        for (int t = 0; t < params.length; t++) {
            bases[t] = PAD + t;   // a different offset per tensor
            for (int b = 0; b < rule.bufferCount(); b++) {
                buffers[t][b] = new double[bases[t] + params[t].length + 1];
            }
        }
        this.rowBuffers = new double[rule.bufferCount()][];
        this.scalars = new double[rule.scalarCount()];
        rule.initialiseScalars(scalars);
    }

    /**
     * Computes one step without applying it.
     *
     * @param lossGradients the loss gradients, one flat array per tensor
     * @param params the current parameters (read by rules that decay them)
     * @param sparsity null for dense segments; otherwise the source of the subset and order of coordinates
     * @return per tensor, the amount to subtract from each parameter (0 where a coordinate was absent)
     */
    double[][] propose(double[][] lossGradients, double[][] params, Random sparsity) {
        int tensors = lossGradients.length;
        int[][] index = new int[tensors][];
        double[][] in = new double[tensors][];
        int[] count = new int[tensors];
        double squaredNorm = 0;
        for (int t = 0; t < tensors; t++) {
            int n = lossGradients[t].length;
            index[t] = sparsity == null ? null : subset(n, sparsity);
            count[t] = index[t] == null ? n : index[t].length;
            in[t] = new double[PAD + count[t] + 2];
            java.util.Arrays.fill(in[t], Double.NaN);   // anything outside [from, to) must not be read
            if (index[t] != null) {   // index arrays are aligned with the values, so they get the same offset
                int[] shifted = new int[in[t].length];
                System.arraycopy(index[t], 0, shifted, PAD, count[t]);
                index[t] = shifted;
            }
            for (int k = 0; k < count[t]; k++) {
                double g = lossGradients[t][index[t] == null ? k : index[t][PAD + k]];
                in[t][PAD + k] = -g;   // Tribuo hands in the negative loss gradient
                squaredNorm += g * g;
            }
        }
        steps++;
        context.sign = -1.0;
        context.learningRate = learningRate;
        context.step = steps;
        context.gradientSquaredNorm = rule.usesGlobalGradientNorm() ? squaredNorm : Double.NaN;
        rule.beginStep(scalars, context);
        double[][] out = new double[tensors][];
        for (int t = 0; t < tensors; t++) {
            if (index[t] == null) {
                // a dense row: in[k] is element k - PAD, so the row is shifted by PAD in the value array
                denseRow(t, in[t], count[t], params[t]);
            } else {
                int split = count[t] / 2;
                for (int b = 0; b < rowBuffers.length; b++) {
                    rowBuffers[b] = buffers[t][b];
                }
                rule.apply(context, in[t], index[t], PAD, PAD + split, params[t], rowBuffers, bases[t]);
                rule.apply(context, in[t], index[t], PAD + split, PAD + count[t], params[t], rowBuffers, bases[t]);
            }
            out[t] = new double[lossGradients[t].length];
            for (int k = 0; k < count[t]; k++) {
                out[t][index[t] == null ? k : index[t][PAD + k]] = -in[t][PAD + k];
            }
        }
        return out;
    }

    /**
     * A dense tensor as two segments of one value array whose element k sits at k: the gradient is copied
     * into a row-length array, split at the middle, with the state at base ≠ 0.
     */
    private void denseRow(int t, double[] shifted, int n, double[] params) {
        double[] row = new double[n];
        System.arraycopy(shifted, PAD, row, 0, n);
        int split = n / 2;
        for (int b = 0; b < rowBuffers.length; b++) {
            rowBuffers[b] = buffers[t][b];
        }
        rule.apply(context, row, null, 0, split, params, rowBuffers, bases[t]);
        rule.apply(context, row, null, split, n, params, rowBuffers, bases[t]);
        System.arraycopy(row, 0, shifted, PAD, n);
    }

    /** About two thirds of {@code 0..n-1} (at least one), in random order. */
    private static int[] subset(int n, Random random) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        int keep = Math.max(1, (2 * n + 2) / 3);
        return java.util.Arrays.copyOf(all, keep);
    }
}
