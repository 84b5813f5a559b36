package io.github.descent4j.core.rules;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019), with torch.optim's exact
 * arithmetic.
 * <pre>
 *   t  = t + 1
 *   θ ← θ * (1 − lr * weightDecay)                               (AdamW only; decoupled)
 *   m  = β₁ * m + (1 − β₁) * g
 *   v  = β₂ * v + (1 − β₂) * g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) * m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * The division by √(1 − β₂ᵗ) is computed once per step as a reciprocal and multiplied per element, which
 * agrees with torch to rounding (well inside the golden 1e-9 tolerance) and keeps a divide out of the loop.
 * <p>
 * The step counter t is global, so on sparse gradients a coordinate that was absent gets the bias
 * correction of the current step on its (lazily updated) moments, as in Tribuo's own Adam.
 */
public final class AdamRule extends UpdateRule {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;

    /**
     * @param weightDecay decoupled (AdamW) decay coefficient; 0 gives plain Adam
     */
    public AdamRule(double beta1, double beta2, double epsilon, double weightDecay) {
        this.beta1 = Check.unitInterval("beta1", beta1);
        this.beta2 = Check.unitInterval("beta2", beta2);
        this.epsilon = Check.positive("epsilon", epsilon);
        this.weightDecay = Check.nonNegative("weightDecay", weightDecay);
    }

    @Override
    public int bufferCount() {
        return 2;
    }

    @Override
    public boolean readsParameters() {
        return weightDecay != 0;
    }

    /** A scheduled β₁ (one-cycle) replaces the configured one for the step, bias correction included, as in torch. */
    @Override
    public boolean acceptsMomentumSchedule() {
        return true;
    }

    @Override
    public void beginStep(double[] scalars, StepContext c) {
        long t = c.step;
        double beta1 = Double.isNaN(c.momentum) ? this.beta1 : Check.unitInterval("beta1", c.momentum);
        c.coefficients[2] = beta1;
        double biasCorrection1 = 1.0 - Math.pow(beta1, t);
        double biasCorrection2 = 1.0 - Math.pow(beta2, t);
        c.coefficients[0] = c.learningRate / biasCorrection1;   // step size
        c.coefficients[1] = 1.0 / Math.sqrt(biasCorrection2);   // multiplied, not divided, per element
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double s = c.sign;
        final double stepSize = c.coefficients[0];
        final double inverseSqrtBiasCorrection2 = c.coefficients[1];
        final double beta1 = c.coefficients[2];
        final double decay = c.learningRate * weightDecay;
        final double[] m = buffers[0];
        final double[] v = buffers[1];
        if (index == null && base == 0 && decay == 0) {
            for (int k = from; k < to; k++) {   // same index in every array: vectorisable
                in[k] = s * element(m, v, k, s * in[k], stepSize, inverseSqrtBiasCorrection2, beta1);
            }
        } else if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * (element(m, v, k, s * in[k], stepSize, inverseSqrtBiasCorrection2, beta1) + decay * params[k]);
            }
        } else if (index == null && decay == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(m, v, base + k, s * in[k], stepSize, inverseSqrtBiasCorrection2, beta1);
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * (element(m, v, base + k, s * in[k], stepSize, inverseSqrtBiasCorrection2, beta1) + decay * params[k]);
            }
        } else {
            for (int k = from; k < to; k++) {
                int j = index[k];
                double step = element(m, v, base + j, s * in[k], stepSize, inverseSqrtBiasCorrection2, beta1);
                in[k] = s * (decay == 0 ? step : step + decay * params[j]);
            }
        }
    }

    /** Advances both moments at {@code at} and returns the Adam step (without decay). */
    private double element(double[] m, double[] v, int at, double g, double stepSize, double inverseSqrtBiasCorrection2,
                           double beta1) {
        double mk = beta1 * m[at] + (1.0 - beta1) * g;
        double vk = beta2 * v[at] + (1.0 - beta2) * g * g;
        m[at] = mk;
        v[at] = vk;
        return stepSize * mk / (Math.sqrt(vk) * inverseSqrtBiasCorrection2 + epsilon);
    }
}
