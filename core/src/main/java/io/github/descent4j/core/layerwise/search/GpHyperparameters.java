package io.github.descent4j.core.layerwise.search;

/**
 * Hyperparameters of the {@link GaussianProcess}, held as logarithms so that a search over them is
 * unconstrained: log σ² (signal variance), log ℓᵢ (one length scale per dimension) and log σₙ² (noise
 * variance, which doubles as the jitter that keeps the covariance matrix positive definite). All refer to
 * inputs scaled to the unit cube and standardised outputs.
 */
record GpHyperparameters(double[] values) {

    GpHyperparameters {
        values = values.clone();
    }

    static GpHyperparameters of(double signalVariance, double[] lengthScales, double noiseVariance) {
        double[] v = new double[lengthScales.length + 2];
        v[0] = Math.log(signalVariance);
        for (int i = 0; i < lengthScales.length; i++) {
            v[i + 1] = Math.log(lengthScales[i]);
        }
        v[v.length - 1] = Math.log(noiseVariance);
        return new GpHyperparameters(v);
    }

    int dimension() {
        return values.length - 2;
    }

    double signalVariance() {
        return Math.exp(values[0]);
    }

    double noiseVariance() {
        return Math.exp(values[values.length - 1]);
    }

    Matern52Kernel kernel() {
        double[] ls = new double[dimension()];
        for (int i = 0; i < ls.length; i++) {
            ls[i] = Math.exp(values[i + 1]);
        }
        return new Matern52Kernel(signalVariance(), ls);
    }

    @Override
    public double[] values() {
        return values.clone();
    }
}
