package io.github.descent4j.core.layerwise.search;

/**
 * The Matérn 5/2 covariance with one length scale per dimension (automatic relevance determination):
 * k(x, x') = σ² (1 + √5 r + 5r²/3) exp(−√5 r), r² = Σᵢ ((xᵢ − x'ᵢ)/ℓᵢ)² (Rasmussen &amp; Williams 2006,
 * eq. 4.17). Twice differentiable, so less smooth than the squared exponential, which suits objectives
 * measured from training runs.
 */
record Matern52Kernel(double signalVariance, double[] lengthScales) {

    private static final double SQRT5 = Math.sqrt(5);

    Matern52Kernel {
        lengthScales = lengthScales.clone();
    }

    double at(double[] x, double[] y) {
        double r2 = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] - y[i]) / lengthScales[i];
            r2 += d * d;
        }
        double s = SQRT5 * Math.sqrt(r2);
        return signalVariance * (1 + s + s * s / 3) * Math.exp(-s);
    }
}
