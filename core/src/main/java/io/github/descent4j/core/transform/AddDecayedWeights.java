package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * Adds decoupled weight decay to the update (Loshchilov and Hutter 2019; optax's
 * {@code add_decayed_weights}):
 * <pre>
 *   out = u + weightDecay * θ          (θ the current parameters, before this step)
 * </pre>
 * Placed before {@link ScaleByLearningRate} it is torch's AdamW decay {@code θ ← θ(1 − lr·weightDecay)}:
 * {@code scaleByAdam | addDecayedWeights | scaleByLearningRate} is AdamW. On sparse segments only the
 * coordinates present decay. With weightDecay = 0 it is the identity and reads no parameters.
 * Spec: {@code addDecayedWeights(weightDecay=0.01)}.
 */
public final class AddDecayedWeights extends Transform {
    /** Spec name. */
    public static final String NAME = "addDecayedWeights";

    private final double weightDecay;

    /** @param weightDecay the decay coefficient, >= 0 */
    public AddDecayedWeights(double weightDecay) {
        this.weightDecay = Check.nonNegative("weightDecay", weightDecay);
    }

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public boolean readsParameters() {
        return weightDecay != 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {}

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        if (weightDecay == 0) {
            return;
        }
        final double s = c.sign;
        // in = sign * (sign * in + λθ) = in + sign * λθ
        if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * (s * in[k] + weightDecay * params[k]);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = s * (s * in[k] + weightDecay * params[index[k]]);
            }
        }
    }

    @Override
    public String spec() {
        return NAME + "(weightDecay=" + weightDecay + ")";
    }
}
