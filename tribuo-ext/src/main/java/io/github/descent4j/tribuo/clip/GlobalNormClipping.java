package io.github.descent4j.tribuo.clip;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.Check;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * Clipping by global norm in front of any Tribuo optimiser (descent4j's or Tribuo's own SGD, AdaGrad, RMSProp, …),
 * with torch's {@code clip_grad_norm_} rule ({@link io.github.descent4j.core.clip.GlobalNormClipping}):
 * <pre>
 *   n = ‖(g₁, …, g_k)‖₂ over every tensor of the model (weights with their bias column, factor matrices, …)
 *   g ← g · maxNorm / (n + 1e-6)   when that factor is &lt; 1
 *   base.step(g, weight)
 * </pre>
 * Tribuo hands optimisers the negative loss gradient; the norm is sign-blind, so the rule is the same. The norm is
 * of the gradient as handed to {@code step} (for a minibatch, the minibatch gradient); the example {@code weight}
 * is passed to the base unchanged. The gradient tensors are scaled in place, as Tribuo's optimisers do.
 * A gradient holding NaN or ±∞ is refused before any state changes.
 * <pre>
 *   new LinearSGDTrainer(objective, new GlobalNormClipping(new AdamW(1e-3), 1.0), epochs, seed)
 * </pre>
 * {@link #lastNorm()} is the norm before clipping of the latest step.
 */
public final class GlobalNormClipping extends ForwardingOptimiser {

    @Config(mandatory = true, description = "The optimiser that receives the clipped gradient.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "The largest global gradient norm let through unchanged, a finite number > 0.")
    private double maxNorm;

    private double lastNorm = Double.NaN;
    private double lastCoefficient = Double.NaN;

    /** For OLCUT. */
    private GlobalNormClipping() {}

    /**
     * @param base the optimiser that receives the clipped gradient
     * @param maxNorm the bound, finite and &gt; 0
     */
    public GlobalNormClipping(StochasticGradientOptimiser base, double maxNorm) {
        if (base == null) {
            throw new IllegalArgumentException("base must be an optimiser, got null");
        }
        this.base = base;
        this.maxNorm = maxNorm;
        Check.positive("maxNorm", maxNorm);
    }

    @Override
    public void postConfig() {
        validateConfigured(() -> Check.positive("maxNorm", maxNorm));
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        double squared = 0;
        for (int k = 0; k < updates.length; k++) {
            TribuoTensors.requireFinite(k, updates[k]);
            squared += TribuoTensors.squaredNorm(updates[k]);
        }
        double norm = Double.isFinite(squared) ? Math.sqrt(squared) : rescaledNorm(updates);
        double coef = io.github.descent4j.core.clip.GlobalNormClipping.coefficient(maxNorm, norm);
        if (coef != 1.0) {
            for (Tensor t : updates) {
                t.scaleInPlace(coef);
            }
        }
        Tensor[] step = super.step(updates, weight);
        lastNorm = norm;
        lastCoefficient = coef;
        return step;
    }

    /** ‖g‖ when Σg² overflows although every entry is finite. */
    private static double rescaledNorm(Tensor[] updates) {
        double[] largest = {0};
        for (Tensor t : updates) {
            TribuoTensors.forEachRow(t, (row, values, indices, count) -> {
                for (int i = 0; i < count; i++) {
                    largest[0] = Math.max(largest[0], Math.abs(values[i]));
                }
            });
        }
        double[] sum = {0};
        for (Tensor t : updates) {
            TribuoTensors.forEachRow(t, (row, values, indices, count) -> {
                for (int i = 0; i < count; i++) {
                    double s = values[i] / largest[0];
                    sum[0] += s * s;
                }
            });
        }
        return largest[0] * Math.sqrt(sum[0]);
    }

    @Override
    public void reset() {
        super.reset();
        lastNorm = Double.NaN;
        lastCoefficient = Double.NaN;
    }

    /** The global norm before clipping of the latest step (NaN before the first). */
    public double lastNorm() {
        return lastNorm;
    }

    /** The factor the latest gradient was multiplied by (1 when not clipped; NaN before the first step). */
    public double lastCoefficient() {
        return lastCoefficient;
    }

    /** The bound. */
    public double getMaxNorm() {
        return maxNorm;
    }

    @Override
    public GlobalNormClipping copy() {
        return new GlobalNormClipping(base.copy(), maxNorm);
    }

    @Override
    public String toString() {
        return "GlobalNormClipping(base=" + base + ",maxNorm=" + maxNorm + ")";
    }
}
