package io.github.descent4j.core.layerwise.search;

/**
 * Cholesky decomposition A = L·Lᵀ of a symmetric positive-definite matrix and the triangular solves the
 * Gaussian process needs. Plain {@code double[][]}, row-major, written for the small matrices of a search
 * (a few hundred rows at most).
 */
final class Cholesky {

    private final double[][] lower;

    private Cholesky(double[][] lower) {
        this.lower = lower;
    }

    /**
     * Decomposes {@code a} (only its lower triangle is read).
     *
     * @throws ArithmeticException if {@code a} is not numerically positive definite
     */
    static Cholesky decompose(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new ArithmeticException("matrix is not positive definite at row " + i);
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return new Cholesky(l);
    }

    /** A copy of L. */
    double[][] lower() {
        double[][] copy = new double[lower.length][];
        for (int i = 0; i < lower.length; i++) {
            copy[i] = lower[i].clone();
        }
        return copy;
    }

    /** Solves L·x = b. */
    double[] solveLower(double[] b) {
        int n = lower.length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= lower[i][k] * x[k];
            }
            x[i] = sum / lower[i][i];
        }
        return x;
    }

    /** Solves Lᵀ·x = b. */
    double[] solveUpper(double[] b) {
        int n = lower.length;
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double sum = b[i];
            for (int k = i + 1; k < n; k++) {
                sum -= lower[k][i] * x[k];
            }
            x[i] = sum / lower[i][i];
        }
        return x;
    }

    /** Solves A·x = b. */
    double[] solve(double[] b) {
        return solveUpper(solveLower(b));
    }

    /** log det A = 2 Σ log Lᵢᵢ. */
    double logDeterminant() {
        double sum = 0;
        for (int i = 0; i < lower.length; i++) {
            sum += Math.log(lower[i][i]);
        }
        return 2 * sum;
    }
}
