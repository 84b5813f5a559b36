package io.github.descent4j.core.batch;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.NonFiniteGradientException;

/**
 * The sums behind {@link BatchStatistics}: the weighted sample moments of a gradient matrix (per-example rows
 * or micro-batch means) and the same moments from per-example sufficient statistics. The formulas and the
 * degenerate rules are documented on {@link BatchStatistics}; this class only computes them.
 */
final class BatchMoments {
    private BatchMoments() {}

    /** The rows copied into one row-major array; {@code what} names the input in the messages for ragged rows. */
    static double[] flatten(double[][] rowsOfValues, String what) {
        if (rowsOfValues == null || rowsOfValues.length == 0) {
            throw new IllegalArgumentException(what + ": need at least one row");
        }
        int rows = rowsOfValues.length;
        if (rowsOfValues[0] == null) {
            throw new IllegalArgumentException(what + ": row 0 is null");
        }
        int cols = rowsOfValues[0].length;
        double[] flat = new double[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            double[] row = rowsOfValues[i];
            if (row == null || row.length != cols) {
                throw new IllegalArgumentException(what + ": row " + i + " has "
                        + (row == null ? "no values" : row.length + " values") + ", row 0 has " + cols);
            }
            System.arraycopy(row, 0, flat, i * cols, cols);
        }
        return flat;
    }

    /**
     * The statistics of rows {@code x_k} with weights {@code w_k} (null: all 1), reported for
     * {@code batchSize} examples: weighted mean {@code x̄ = Σ w_k x_k / Σ w_k}, sums of weighted squared
     * deviations over {@code rows − 1}. Multiplying by a weight of exactly 1.0 changes no bit, so the
     * per-example path ({@code weights == null}) is the unweighted computation.
     */
    static BatchStatistics weighted(double[] values, int rows, int cols, double[] weights, int batchSize) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("per-example gradients: need rows >= 1 and cols >= 1, got "
                    + rows + " x " + cols);
        }
        if (values == null || values.length != (long) rows * cols) {
            throw new IllegalArgumentException("per-example gradients: " + rows + " x " + cols + " needs "
                    + (long) rows * cols + " values, got " + (values == null ? "null" : values.length));
        }
        double maxAbs = 0;
        for (int k = 0; k < values.length; k++) {
            double v = values[k];
            if (!Double.isFinite(v)) {
                throw new NonFiniteGradientException(0, "[" + k / cols + ", " + k % cols + "]", v,
                        (weights == null ? "per-example gradient matrix " : "micro-batch mean gradients ")
                                + rows + " x " + cols);
            }
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        int e = maxAbs == 0 ? 0 : Math.getExponent(maxAbs);
        double[] g = values;
        if (e != 0) {
            g = new double[values.length];
            for (int k = 0; k < g.length; k++) {
                g[k] = Math.scalb(values[k], -e);
            }
        }
        int n = rows;
        int d = cols;
        double totalWeight = 0;
        for (int i = 0; i < n; i++) {
            totalWeight += weights == null ? 1.0 : weights[i];
        }
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double w = weights == null ? 1.0 : weights[i];
            for (int j = 0; j < d; j++) {
                mean[j] += w * g[off + j];
            }
        }
        double n2 = 0;
        for (int j = 0; j < d; j++) {
            mean[j] /= totalWeight;
            n2 += mean[j] * mean[j];
        }
        if (n == 1) {
            return new BatchStatistics(batchSize, d, e, n2, 0, 0, 0);
        }
        double trace = 0;
        double[] ip = new double[n];
        double ipMean = 0;
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double w = weights == null ? 1.0 : weights[i];
            double sq = 0;
            double dot = 0;
            for (int j = 0; j < d; j++) {
                double x = g[off + j];
                double dev = x - mean[j];
                sq += dev * dev;
                dot += x * mean[j];
            }
            trace += w * sq;
            ip[i] = dot;
            ipMean += w * dot;
        }
        ipMean /= totalWeight;
        double ipVar = 0;
        for (int i = 0; i < n; i++) {
            double dev = ip[i] - ipMean;
            ipVar += (weights == null ? 1.0 : weights[i]) * (dev * dev);
        }
        // Orthogonal components u_i = g_i − c_i ḡ, c_i = ⟨g_i, ḡ⟩ / ‖ḡ‖² (c_i = 0 when ḡ = 0).
        double[] c = new double[n];
        if (n2 > 0) {
            for (int i = 0; i < n; i++) {
                c[i] = ip[i] / n2;
            }
        }
        double[] uMean = new double[d];
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double w = weights == null ? 1.0 : weights[i];
            for (int j = 0; j < d; j++) {
                uMean[j] += w * (g[off + j] - c[i] * mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            uMean[j] /= totalWeight;
        }
        double orth = 0;
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double w = weights == null ? 1.0 : weights[i];
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double dev = g[off + j] - c[i] * mean[j] - uMean[j];
                sq += dev * dev;
            }
            orth += w * sq;
        }
        double dof = n - 1;
        return new BatchStatistics(batchSize, d, e, n2, trace / dof, ipVar / dof, orth / dof);
    }

    /** {@link BatchStatistics#ofSufficientStatistics}, which documents the formulas and the checks. */
    static BatchStatistics sufficient(int dimension, double meanGradientNormSquared,
            double[] exampleNormsSquared, double[] innerProducts) {
        Check.atLeast("dimension", dimension, 1);
        if (exampleNormsSquared == null || innerProducts == null || exampleNormsSquared.length == 0
                || exampleNormsSquared.length != innerProducts.length) {
            throw new IllegalArgumentException("sufficient statistics: need one norm and one inner product per "
                    + "example, at least one example");
        }
        int b = exampleNormsSquared.length;
        finiteNonNegative("|gbar|^2", meanGradientNormSquared, -1);
        double n2 = meanGradientNormSquared;
        double sumNorms = 0;
        double ipMean = 0;
        for (int i = 0; i < b; i++) {
            sumNorms += finiteNonNegative("|g_i|^2", exampleNormsSquared[i], i);
            double ip = innerProducts[i];
            if (!Double.isFinite(ip)) {
                throw new NonFiniteGradientException(0, "<g_" + i + ", gbar>", ip, "sufficient statistics");
            }
            ipMean += ip;
        }
        if (b == 1) {
            return new BatchStatistics(1, dimension, 0, n2, 0, 0, 0);
        }
        ipMean /= b;
        double ipVar = 0;
        double orth = 0;
        for (int i = 0; i < b; i++) {
            double dev = innerProducts[i] - ipMean;
            ipVar += dev * dev;
            double u = n2 > 0 ? exampleNormsSquared[i] - innerProducts[i] * innerProducts[i] / n2 : exampleNormsSquared[i];
            orth += Math.max(0, u);
        }
        double dof = b - 1;
        double trace = Math.max(0, sumNorms - b * n2);
        return new BatchStatistics(b, dimension, 0, n2, trace / dof, ipVar / dof, orth / dof);
    }

    private static double finiteNonNegative(String what, double v, int i) {
        if (!Double.isFinite(v)) {
            throw new NonFiniteGradientException(0, i < 0 ? what : what + "[" + i + "]", v, "sufficient statistics");
        }
        if (v < 0) {
            throw new IllegalArgumentException("sufficient statistics: " + what + (i < 0 ? "" : "[" + i + "]")
                    + " must be >= 0, got " + v);
        }
        return v;
    }
}
