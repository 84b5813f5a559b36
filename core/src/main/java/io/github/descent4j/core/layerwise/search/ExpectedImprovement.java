package io.github.descent4j.core.layerwise.search;

/**
 * Expected improvement for minimisation (Jones, Schonlau &amp; Welch 1998): with incumbent f* (the best value
 * seen), posterior mean μ and standard deviation σ, z = (f* − μ)/σ and EI = (f* − μ)Φ(z) + σφ(z); for σ = 0
 * it is max(f* − μ, 0). Φ uses a hand-written erfc (relative error below 1.2·10⁻⁷).
 */
final class ExpectedImprovement {

    private ExpectedImprovement() {}

    static double of(double mean, double standardDeviation, double incumbent) {
        double gain = incumbent - mean;
        if (!(standardDeviation > 1e-12)) {
            return Math.max(gain, 0);
        }
        double z = gain / standardDeviation;
        double ei = gain * normalCdf(z) + standardDeviation * normalPdf(z);
        return Math.max(ei, 0);
    }

    static double normalPdf(double z) {
        return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** Complementary error function by a Chebyshev-fitted exponential (Press et al., Numerical Recipes). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277))))))));
        double r = t * Math.exp(poly);
        return x >= 0 ? r : 2 - r;
    }
}
