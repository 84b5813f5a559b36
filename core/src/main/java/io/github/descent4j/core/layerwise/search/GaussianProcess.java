package io.github.descent4j.core.layerwise.search;

/**
 * Gaussian-process regression with a constant mean and a {@link Matern52Kernel} (Rasmussen &amp; Williams
 * 2006, algorithm 2.1). The targets are standardised (mean 0, standard deviation 1) before fitting and
 * predictions are returned in the original scale; the hyperparameters refer to the standardised scale.
 * <p>
 * With K = k(X, X) + σₙ²I = LLᵀ and α = K⁻¹ỹ: mean(x*) = ȳ + s·k*ᵀα and variance(x*) = s²(k(x*, x*) −
 * vᵀv) with v = L⁻¹k*; log p(ỹ | X) = −½ỹᵀα − Σ log Lᵢᵢ − (n/2) log 2π.
 */
final class GaussianProcess {

    /** Posterior mean and variance at one point, in the targets' original scale. */
    record Prediction(double mean, double variance) {
        double standardDeviation() {
            return Math.sqrt(Math.max(variance, 0));
        }
    }

    private final double[][] inputs;
    private final GpHyperparameters hyperparameters;
    private final Matern52Kernel kernel;
    private final Cholesky cholesky;
    private final double[] alpha;
    private final double targetMean;
    private final double targetScale;
    private final double logMarginalLikelihood;

    private GaussianProcess(double[][] inputs, double[] targets, GpHyperparameters hyperparameters) {
        int n = inputs.length;
        this.inputs = inputs;
        this.hyperparameters = hyperparameters;
        this.kernel = hyperparameters.kernel();
        double mean = 0;
        for (double t : targets) {
            mean += t;
        }
        mean /= n;
        double var = 0;
        for (double t : targets) {
            var += (t - mean) * (t - mean);
        }
        double sd = n > 1 ? Math.sqrt(var / (n - 1)) : 0;
        this.targetMean = mean;
        this.targetScale = sd > 1e-12 ? sd : 1;
        double[] standardised = new double[n];
        for (int i = 0; i < n; i++) {
            standardised[i] = (targets[i] - targetMean) / targetScale;
        }
        double[][] k = new double[n][n];
        double noise = hyperparameters.noiseVariance();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                k[i][j] = kernel.at(inputs[i], inputs[j]);
                k[j][i] = k[i][j];
            }
            k[i][i] += noise;
        }
        this.cholesky = Cholesky.decompose(k);
        this.alpha = cholesky.solve(standardised);
        double fit = 0;
        for (int i = 0; i < n; i++) {
            fit += standardised[i] * alpha[i];
        }
        this.logMarginalLikelihood = -0.5 * fit - 0.5 * cholesky.logDeterminant() - 0.5 * n * Math.log(2 * Math.PI);
    }

    /**
     * Conditions the process on the data.
     *
     * @param inputs  n points (rows), each scaled to the unit cube
     * @param targets n observed values
     * @throws ArithmeticException if the covariance is not positive definite at these hyperparameters
     */
    static GaussianProcess fit(double[][] inputs, double[] targets, GpHyperparameters hyperparameters) {
        if (inputs.length == 0 || inputs.length != targets.length) {
            throw new IllegalArgumentException("need n >= 1 inputs and as many targets, got "
                    + inputs.length + " and " + targets.length);
        }
        return new GaussianProcess(inputs, targets, hyperparameters);
    }

    Prediction predict(double[] x) {
        int n = inputs.length;
        double[] kStar = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            kStar[i] = kernel.at(x, inputs[i]);
            mean += kStar[i] * alpha[i];
        }
        double[] v = cholesky.solveLower(kStar);
        double explained = 0;
        for (double vi : v) {
            explained += vi * vi;
        }
        double variance = Math.max(kernel.signalVariance() - explained, 0);
        return new Prediction(targetMean + targetScale * mean, targetScale * targetScale * variance);
    }

    /** log p(ỹ | X, θ) of the standardised targets. */
    double logMarginalLikelihood() {
        return logMarginalLikelihood;
    }

    GpHyperparameters hyperparameters() {
        return hyperparameters;
    }

    /** Standard deviation of the targets, the factor between standardised and original scale. */
    double targetScale() {
        return targetScale;
    }
}
