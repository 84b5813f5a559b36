package io.github.descent4j.core.sharpness.toy;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.sharpness.GradientOracle;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleFunction;

/**
 * Runs SGD or SAM on a {@link ScaleInvariantToyProblem} and records the balancedness B = ½(‖x‖² − ‖y‖²), the
 * experiment of Li, Zhang and He, "Implicit Regularization of Sharpness-Aware Minimization for Scale-Invariant
 * Problems" (NeurIPS 2024), Appendix A.4 (their Figure 2).
 * <p>
 * One step t, with θ = (x, y) and ξ_t one fresh noise sample drawn from {@code new Random(seed)}:
 * <pre>
 *   g  = ∇ℓ(θ; ξ_t)
 *   SGD:  θ ← θ − η g
 *   SAM:  ε = ρ g / ‖g‖          (‖·‖ over x and y together; ε = 0 when g = 0)
 *         g′ = ∇ℓ(θ + ε; ξ_t)    (the SAME sample ξ_t)
 *         θ ← θ − η g′
 * </pre>
 * SAM is {@link SharpnessAwareMinimization#sam} over a {@link FlatOptimiser} with {@link SgdRule}; SGD is that
 * same base optimiser alone. Reusing ξ_t for g′ is how SAM is run on minibatches (davda54/sam, the paper's
 * Algorithm 1 with one minibatch per step); the paper's own code for this figure was not available to confirm it
 * (the public repository BingcongLi/BAR holds only a licence file). Each run of a given seed sees the same noise
 * sequence whatever the method or α, since every step draws exactly one sample.
 */
public final class BalancednessExperiment {
    /** The paper's learning rate η = 10⁻⁴. */
    public static final double PAPER_LEARNING_RATE = 1e-4;
    /** The paper's number of steps T = 10⁵. */
    public static final long PAPER_STEPS = 100_000;
    /** The paper's SAM radius for NOP, ρ = 0.1. */
    public static final double PAPER_RHO_NOP = 0.1;
    /** The paper's SAM radius for OP, ρ = 0.2. */
    public static final double PAPER_RHO_OP = 0.2;
    /** The paper's noise levels α. */
    public static final double[] PAPER_ALPHAS = {0.0, 0.5, 1.0};

    private final double learningRate;
    private final long steps;
    private final int recordEvery;
    private final long seed;
    private final double[] x0;
    private final double[] y0;

    /**
     * @param learningRate η, a finite number &gt; 0
     * @param steps T, at least 1
     * @param recordEvery record B every this many steps, at least 1
     * @param seed the seed of the noise sequence
     * @param x0 the initial x (copied)
     * @param y0 the initial y (copied), as long as x0
     */
    public BalancednessExperiment(double learningRate, long steps, int recordEvery, long seed,
                                  double[] x0, double[] y0) {
        this.learningRate = Check.positive("learningRate", learningRate);
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        this.recordEvery = Check.atLeast("recordEvery", recordEvery, 1);
        this.seed = seed;
        if (x0 == null || y0 == null || x0.length != y0.length || x0.length == 0) {
            throw new IllegalArgumentException("x0 and y0 must be non-empty and of equal length");
        }
        for (int i = 0; i < x0.length; i++) {
            Check.finite("x0[" + i + "]", x0[i]);
            Check.finite("y0[" + i + "]", y0[i]);
        }
        this.x0 = x0.clone();
        this.y0 = y0.clone();
    }

    /** The paper's x₀ = (0.2, −0.1, 0.3). */
    public static double[] paperX0() {
        return new double[]{0.2, -0.1, 0.3};
    }

    /** The paper's y₀ = −3 x₀. */
    public static double[] paperY0() {
        double[] x = paperX0();
        for (int i = 0; i < x.length; i++) {
            x[i] *= -3.0;
        }
        return x;
    }

    /** The paper's protocol (η = 10⁻⁴, T = 10⁵, x₀, y₀ = −3x₀) with the given seed and recording interval. */
    public static BalancednessExperiment paper(long seed, int recordEvery) {
        return new BalancednessExperiment(PAPER_LEARNING_RATE, PAPER_STEPS, recordEvery, seed, paperX0(), paperY0());
    }

    /** The paper's SAM radius for a problem: 0.1 for NOP, 0.2 for OP. */
    public static double paperRho(ScaleInvariantToyProblem problem) {
        return problem instanceof OverparametrisedProblem ? PAPER_RHO_OP : PAPER_RHO_NOP;
    }

    /**
     * The paper's full grid: NOP and OP, SGD and SAM, α ∈ {0, 0.5, 1}, in that order, each problem with its
     * paper ρ.
     */
    public List<BalancednessTrajectory> runPaperGrid() {
        List<BalancednessTrajectory> out = new ArrayList<>();
        List<DoubleFunction<ScaleInvariantToyProblem>> problems =
                List.of(NonOverparametrisedProblem::new, OverparametrisedProblem::new);
        for (DoubleFunction<ScaleInvariantToyProblem> make : problems) {
            for (ToyMethod method : ToyMethod.values()) {
                for (double alpha : PAPER_ALPHAS) {
                    ScaleInvariantToyProblem problem = make.apply(alpha);
                    out.add(run(problem, method, paperRho(problem)));
                }
            }
        }
        return out;
    }

    /**
     * One run from (x₀, y₀).
     *
     * @param rho SAM's radius ρ, a finite number &gt; 0 (checked, and recorded, for SGD too)
     * @throws io.github.descent4j.core.NonFiniteGradientException when the run diverges (the base optimiser
     *         refuses a non-finite gradient), or {@link ArithmeticException} when the parameters overflow
     */
    public BalancednessTrajectory run(ScaleInvariantToyProblem problem, ToyMethod method, double rho) {
        Check.positive("rho", rho);
        if (problem.dimension() != x0.length) {
            throw new IllegalArgumentException("problem " + problem.name() + " has dimension " + problem.dimension()
                    + " but x0 has " + x0.length + " elements");
        }
        double[][] theta = {x0.clone(), y0.clone()};
        FlatOptimiser sgd = new FlatOptimiser(new SgdRule(), learningRate, theta);
        SharpnessAwareMinimization sam = method == ToyMethod.SAM ? SharpnessAwareMinimization.sam(sgd, rho) : null;
        Random rng = new Random(seed);
        double[] noise = new double[problem.noiseSize()];
        GradientOracle oracle = p -> {
            double[][] gradient = {new double[p[0].length], new double[p[1].length]};
            problem.gradient(p[0], p[1], noise, gradient[0], gradient[1]);
            return gradient;
        };

        int points = (int) ((steps + recordEvery - 1) / recordEvery) + 1;
        double[] series = new double[points];
        series[0] = Balancedness.of(theta[0], theta[1]);
        int recorded = 1;
        for (long t = 1; t <= steps; t++) {
            problem.drawNoise(rng, noise);
            if (sam == null) {
                sgd.step(oracle.gradient(theta));
            } else {
                sam.step(oracle);
            }
            if (t % recordEvery == 0 || t == steps) {
                series[recorded++] = Balancedness.of(theta[0], theta[1]);
            }
        }
        for (int i = 0; i < 2; i++) {
            for (double v : theta[i]) {
                if (!Double.isFinite(v)) {
                    throw new ArithmeticException(problem + " with " + method + " diverged (non-finite parameters)");
                }
            }
        }
        problem.drawNoise(rng, noise);
        double finalLoss = problem.loss(theta[0], theta[1], noise);
        return new BalancednessTrajectory(problem.name(), method, problem.alpha(), rho, learningRate, steps,
                recordEvery, series, finalLoss);
    }
}
