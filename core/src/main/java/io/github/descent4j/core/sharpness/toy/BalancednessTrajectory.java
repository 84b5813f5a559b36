package io.github.descent4j.core.sharpness.toy;

/**
 * The balancedness B = ½(‖x‖² − ‖y‖²) recorded along one toy run: {@code series[i]} is B after
 * {@code i · recordEvery} steps ({@code series[0]} at the start, the last entry after all steps, also when
 * {@code steps} is not a multiple of {@code recordEvery}).
 *
 * @param problem the problem's name ("NOP", "OP")
 * @param method SGD or SAM
 * @param alpha the noise strength α
 * @param rho SAM's radius ρ (also recorded for SGD runs, where it is unused)
 * @param learningRate η
 * @param steps the number of steps T
 * @param recordEvery B was recorded every this many steps
 * @param series the recorded values (a copy is kept and handed out)
 * @param finalLoss the sample loss at the final (x, y) for a fresh noise sample, to show the run converged
 */
public record BalancednessTrajectory(String problem, ToyMethod method, double alpha, double rho, double learningRate,
                                     long steps, int recordEvery, double[] series, double finalLoss) {

    public BalancednessTrajectory {
        if (series == null || series.length < 2) {
            throw new IllegalArgumentException("series must hold at least the first and last B");
        }
        series = series.clone();
    }

    @Override
    public double[] series() {
        return series.clone();
    }

    /** B at the start, B₀. */
    public double firstB() {
        return series[0];
    }

    /** B after all T steps. */
    public double lastB() {
        return series[series.length - 1];
    }

    /** The step after which {@code series()[i]} was recorded. */
    public long stepOf(int i) {
        return i == series.length - 1 ? steps : (long) i * recordEvery;
    }

    /** |B_T| / |B₀|: 1 when |B| is unchanged, below 1 when it shrank. */
    public double shrinkRatio() {
        return Math.abs(lastB()) / Math.abs(firstB());
    }
}
