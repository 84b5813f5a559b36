package io.github.descent4j.core;

import io.github.descent4j.core.layerwise.PerTensorLearningRates;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.rules.LionRule;
import io.github.descent4j.core.sharpness.AlphaSchedule;
import io.github.descent4j.core.sharpness.BalancednessAwareRegularization;
import io.github.descent4j.core.sharpness.GradientOracle;
import io.github.descent4j.core.sharpness.SharpnessAwareMinimization;
import io.github.descent4j.core.spd.SelectiveProjectionDecay;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core wrappers stacked, each against the same composition written out by hand from the primitives (the
 * gradient, ε, g′, the base rule's formula, the SPD projection, the BAR rescale), at 10⁻¹² relative per step.
 */
class OptimiserStackingTest {
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double TOLERANCE = 1e-12;

    // ---- problems ----

    /** Mean cross-entropy of a linear softmax classifier, W (classes × features) and bias b, on a fixed batch. */
    private static final class Softmax implements GradientOracle {
        final int classes = 3;
        final int features = 4;
        final double[][] x;
        final int[] y;

        Softmax(Random random, int examples) {
            x = new double[examples][];
            y = new int[examples];
            for (int n = 0; n < examples; n++) {
                x[n] = random.doubles(features, -2, 2).toArray();
                y[n] = random.nextInt(classes);
            }
        }

        @Override
        public double[][] gradient(double[][] params) {
            double[] w = params[0];
            double[] b = params[1];
            double[] gw = new double[w.length];
            double[] gb = new double[b.length];
            for (int n = 0; n < x.length; n++) {
                double[] z = new double[classes];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) {
                    z[k] = b[k];
                    for (int j = 0; j < features; j++) {
                        z[k] += w[k * features + j] * x[n][j];
                    }
                    max = Math.max(max, z[k]);
                }
                double sum = 0;
                for (int k = 0; k < classes; k++) {
                    z[k] = Math.exp(z[k] - max);
                    sum += z[k];
                }
                for (int k = 0; k < classes; k++) {
                    double d = (z[k] / sum - (k == y[n] ? 1 : 0)) / x.length;   // ∂L/∂z_k
                    gb[k] += d;
                    for (int j = 0; j < features; j++) {
                        gw[k * features + j] += d * x[n][j];
                    }
                }
            }
            return new double[][]{gw, gb};
        }
    }

    /** Σ_k ½ Σ_i a_ki (θ_ki − c_ki)², with g_ki = a_ki (θ_ki − c_ki). */
    private static GradientOracle quadratic(double[][] a, double[][] centre) {
        return params -> {
            double[][] g = new double[params.length][];
            for (int k = 0; k < params.length; k++) {
                g[k] = new double[params[k].length];
                for (int i = 0; i < g[k].length; i++) {
                    g[k][i] = a[k][i] * (params[k][i] - centre[k][i]);
                }
            }
            return g;
        };
    }

    /** 0.5‖X Yᵀ − M‖² with X m×r and Y n×r: g_X = R Y, g_Y = Rᵀ X, R = X Yᵀ − M. */
    private static GradientOracle factorisation(int m, int n, int r, double[] target) {
        return params -> {
            double[] x = params[0];
            double[] y = params[1];
            double[] gx = new double[m * r];
            double[] gy = new double[n * r];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double rij = -target[i * n + j];
                    for (int q = 0; q < r; q++) {
                        rij += x[i * r + q] * y[j * r + q];
                    }
                    for (int q = 0; q < r; q++) {
                        gx[i * r + q] += rij * y[j * r + q];
                        gy[j * r + q] += rij * x[i * r + q];
                    }
                }
            }
            return new double[][]{gx, gy};
        };
    }

    // ---- the primitives, by hand ----

    /** Adam's proposal θ̃ = θ − (lr/(1−β₁ᵗ)) m / (√(v/(1−β₂ᵗ)) + ε), advancing m and v. */
    private static double[][] adamProposal(double[][] theta, double[][] g, double[][] m, double[][] v, long t, double lr) {
        double[][] proposed = new double[theta.length][];
        for (int k = 0; k < theta.length; k++) {
            proposed[k] = new double[theta[k].length];
            for (int i = 0; i < theta[k].length; i++) {
                m[k][i] = B1 * m[k][i] + (1 - B1) * g[k][i];
                v[k][i] = B2 * v[k][i] + (1 - B2) * g[k][i] * g[k][i];
                double mHat = m[k][i] / (1 - Math.pow(B1, t));
                double vHat = v[k][i] / (1 - Math.pow(B2, t));
                proposed[k][i] = theta[k][i] - lr * mHat / (Math.sqrt(vHat) + EPS);
            }
        }
        return proposed;
    }

    /**
     * SPD on tensor k, in place on θ̃: if −⟨g, θ − θ₀⟩ &lt; 0, θ̃ ← θ̃ − λ r (θ̃ − θ₀) with
     * r = clamp((‖θ̃ − θ₀‖ − ‖θ − θ₀‖)/‖θ̃ − θ₀‖, 0, 1). Returns whether it applied.
     */
    private static boolean project(double[] theta, double[] anchor, double[] g, double[] proposed, double lambda) {
        double c = 0;
        double d2 = 0;
        double n2 = 0;
        for (int i = 0; i < theta.length; i++) {
            c -= g[i] * (theta[i] - anchor[i]);
            d2 += (theta[i] - anchor[i]) * (theta[i] - anchor[i]);
            n2 += (proposed[i] - anchor[i]) * (proposed[i] - anchor[i]);
        }
        if (!(c < 0)) {
            return false;
        }
        double next = Math.sqrt(n2);
        double r = next > 0 ? Math.min(1, Math.max(0, (next - Math.sqrt(d2)) / next)) : 0;
        for (int i = 0; i < theta.length; i++) {
            proposed[i] -= lambda * r * (proposed[i] - anchor[i]);
        }
        return true;
    }

    /** ε = ρ T² g / ‖T g‖ over all tensors (T = |θ| + η for ASAM, 1 for SAM). */
    private static double[][] epsilon(double[][] theta, double[][] g, double rho, boolean adaptive, double eta) {
        double sum = 0;
        for (int k = 0; k < g.length; k++) {
            for (int i = 0; i < g[k].length; i++) {
                double tg = (adaptive ? Math.abs(theta[k][i]) + eta : 1) * g[k][i];
                sum += tg * tg;
            }
        }
        double norm = Math.sqrt(sum);
        double[][] e = new double[g.length][];
        for (int k = 0; k < g.length; k++) {
            e[k] = new double[g[k].length];
            for (int i = 0; i < g[k].length; i++) {
                double w = adaptive ? Math.abs(theta[k][i]) + eta : 1;
                e[k][i] = rho * w * w * g[k][i] / norm;
            }
        }
        return e;
    }

    // ---- the stacks ----

    @Test
    void samOverSpdOverAdamEqualsTheCompositionByHand() {
        for (boolean adaptive : new boolean[]{false, true}) {
            Random random = new Random(3);
            Softmax problem = new Softmax(random, 6);
            double[][] init = {random.doubles(12, -0.5, 0.5).toArray(), random.doubles(3, -0.5, 0.5).toArray()};
            double[][] anchor = {random.doubles(12, -0.5, 0.5).toArray(), random.doubles(3, -0.5, 0.5).toArray()};
            double lr = 0.3;
            double lambda = 0.7;
            double rho = adaptive ? 0.5 : 0.05;
            double eta = adaptive ? 0.01 : 0.0;

            double[][] params = copy(init);
            SelectiveProjectionDecay spd = new SelectiveProjectionDecay(new FlatOptimiser(new AdamRule(B1, B2, EPS, 0), lr, params),
                    lambda, anchor);
            SharpnessAwareMinimization sam = adaptive
                    ? SharpnessAwareMinimization.asam(spd, rho, eta) : SharpnessAwareMinimization.sam(spd, rho);

            double[][] theta = copy(init);
            double[][] m = zerosLike(init);
            double[][] v = zerosLike(init);
            int[] outcomes = new int[2];
            for (int t = 1; t <= 15; t++) {
                double[][] g = problem.gradient(theta);
                double[][] e = epsilon(theta, g, rho, adaptive, eta);
                double[][] gPrime = problem.gradient(add(theta, e));
                double[][] proposed = adamProposal(theta, gPrime, m, v, t, lr);
                for (int k = 0; k < theta.length; k++) {
                    boolean applied = project(theta[k], anchor[k], gPrime[k], proposed[k], lambda);   // SPD sees g′
                    outcomes[applied ? 1 : 0]++;
                }
                theta = proposed;

                sam.step(problem);
                assertClose(params, theta, (adaptive ? "ASAM" : "SAM") + " over SPD over Adam, step " + t);
            }
            assertThat(outcomes).as("SPD both applied and not, adaptive=%s", adaptive).doesNotContain(0);
            assertThat(spd.steps()).isEqualTo(15);
        }
    }

    @Test
    void spdOverPerTensorRatesOverLionEqualsTheCompositionByHand() {
        Random random = new Random(8);
        double[][] init = {random.doubles(6, -1, 1).toArray(), random.doubles(3, -1, 1).toArray()};
        GradientOracle problem = quadratic(new double[][]{random.doubles(6, 0.5, 2).toArray(), random.doubles(3, 0.5, 2).toArray()},
                new double[][]{random.doubles(6, -1, 1).toArray(), random.doubles(3, -1, 1).toArray()});
        double lr = 0.1;
        double wd = 0.1;
        double[] multipliers = {0.25, 2.0};
        double lambda = 1.5;
        double beta1 = 0.9;
        double beta2 = 0.99;

        double[][] params = copy(init);
        SelectiveProjectionDecay spd = new SelectiveProjectionDecay(
                new PerTensorLearningRates(new FlatOptimiser(new LionRule(beta1, beta2, wd), lr, params), multipliers), lambda);

        double[][] theta = copy(init);
        double[][] momentum = zerosLike(init);
        int[] outcomes = new int[2];
        for (int t = 1; t <= 25; t++) {
            double[][] g = problem.gradient(theta);
            double[][] proposed = new double[theta.length][];
            for (int k = 0; k < theta.length; k++) {
                double rate = lr * multipliers[k];
                proposed[k] = new double[theta[k].length];
                for (int i = 0; i < theta[k].length; i++) {   // Lion with learning rate lr · m_k
                    double c = beta1 * momentum[k][i] + (1 - beta1) * g[k][i];
                    proposed[k][i] = theta[k][i] * (1 - rate * wd) - rate * Math.signum(c);
                    momentum[k][i] = beta2 * momentum[k][i] + (1 - beta2) * g[k][i];
                }
                outcomes[project(theta[k], init[k], g[k], proposed[k], lambda) ? 1 : 0]++;   // θ₀ = θ at start
            }
            theta = proposed;

            spd.step(problem.gradient(params));
            assertClose(params, theta, "SPD over per-tensor rates over Lion, step " + t);
        }
            assertThat(outcomes).as("SPD both applied and not").doesNotContain(0);
    }

    @Test
    void barOverSpdOverAdamEqualsTheCompositionByHand() {
        int m = 3;
        int n = 2;
        int r = 2;
        Random random = new Random(21);
        double[] target = random.doubles(m * n, -1, 1).toArray();
        GradientOracle problem = factorisation(m, n, r, target);
        for (BalancednessAwareRegularization.Variant variant : BalancednessAwareRegularization.Variant.values()) {
            double[][] init = {random.doubles(m * r, -1.5, 1.5).toArray(), random.doubles(n * r, -0.3, 0.3).toArray()};
            double lr = 0.1;
            double lambda = 0.6;
            AlphaSchedule alpha = AlphaSchedule.linear(0.8, 20);

            double[][] params = copy(init);
            SelectiveProjectionDecay spd = new SelectiveProjectionDecay(
                    new FlatOptimiser(new AdamRule(B1, B2, EPS, 0), lr, params), lambda);
            BalancednessAwareRegularization bar = new BalancednessAwareRegularization(spd, lr, variant, alpha, 0, 1);

            double[][] theta = copy(init);
            double[][] mom = zerosLike(init);
            double[][] vel = zerosLike(init);
            int[] outcomes = new int[2];
            for (int t = 1; t <= 20; t++) {
                double[][] g = problem.gradient(theta);
                double[][] proposed = adamProposal(theta, g, mom, vel, t, lr);
                for (int k = 0; k < 2; k++) {
                    outcomes[project(theta[k], init[k], g[k], proposed[k], lambda) ? 1 : 0]++;   // θ₀ = θ at start
                }
                double ae = alpha.alpha(t - 1) * lr;
                boolean growX = variant == BalancednessAwareRegularization.Variant.NBAR
                        ? norm2(g[0]) >= norm2(g[1]) : norm2(theta[0]) < norm2(theta[1]);
                double[] f = growX ? new double[]{1 + ae, 1 - ae} : new double[]{1 - ae, 1 + ae};
                for (int k = 0; k < 2; k++) {   // θ ← f θ − (θ − θ̃)
                    for (int i = 0; i < theta[k].length; i++) {
                        proposed[k][i] = f[k] * theta[k][i] - (theta[k][i] - proposed[k][i]);
                    }
                }
                theta = proposed;

                bar.step(problem);
                assertClose(params, theta, variant + " over SPD over Adam, step " + t);
            }
            assertThat(outcomes).as("%s: SPD both applied and not", variant).doesNotContain(0);
            assertThat(bar.steps()).isEqualTo(20);
        }
    }

    // ---- helpers ----

    private static void assertClose(double[][] actual, double[][] expected, String what) {
        for (int k = 0; k < expected.length; k++) {
            for (int i = 0; i < expected[k].length; i++) {
                assertThat(Math.abs(actual[k][i] - expected[k][i]))
                        .as("%s tensor %d [%d]: %s vs %s", what, k, i, actual[k][i], expected[k][i])
                        .isLessThanOrEqualTo(TOLERANCE * Math.max(1.0, Math.abs(expected[k][i])));
            }
        }
    }

    private static double norm2(double[] a) {
        double s = 0;
        for (double d : a) {
            s += d * d;
        }
        return s;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = copy(a);
        for (int k = 0; k < a.length; k++) {
            for (int i = 0; i < a[k].length; i++) {
                out[k][i] += b[k][i];
            }
        }
        return out;
    }

    private static double[][] zerosLike(double[][] a) {
        return Arrays.stream(a).map(t -> new double[t.length]).toArray(double[][]::new);
    }

    private static double[][] copy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }
}
