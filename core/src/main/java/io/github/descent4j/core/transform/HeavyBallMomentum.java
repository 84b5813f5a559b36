package io.github.descent4j.core.transform;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.StepContext;

/**
 * Heavy-ball momentum with torch.optim.SGD's arithmetic (dampening 0; optax's {@code trace}):
 * <pre>
 *   buf = momentum * buf + u          (buf starts at 0, so after the first step it equals the first u)
 *   out = buf                         (nesterov = false)
 *   out = u + momentum * buf          (nesterov = true)
 * </pre>
 * With momentum = 0 and nesterov = false it is the identity and keeps no buffer.
 * Spec: {@code heavyBallMomentum(momentum=0.9, nesterov=false)}; {@code nesterov} may be left out (false).
 */
public final class HeavyBallMomentum extends Transform {
    /** Spec name. */
    public static final String NAME = "heavyBallMomentum";

    private final double momentum;
    private final boolean nesterov;

    /** Heavy-ball momentum without Nesterov's correction. */
    public HeavyBallMomentum(double momentum) {
        this(momentum, false);
    }

    /**
     * @param momentum the buffer's decay, in [0, 1)
     * @param nesterov whether to return {@code u + momentum * buf} (torch's {@code nesterov=True})
     */
    public HeavyBallMomentum(double momentum, boolean nesterov) {
        this.momentum = Check.unitInterval("momentum", momentum);
        this.nesterov = nesterov;
    }

    @Override
    public int bufferCount() {
        return momentum == 0 ? 0 : 1;
    }

    /** With momentum > 0 configured (so it keeps a buffer), a scheduled momentum replaces it for the step. */
    @Override
    public boolean acceptsMomentumSchedule() {
        return momentum != 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        context.coefficients[0] = Double.isNaN(context.momentum) ? momentum : Check.unitInterval("momentum", context.momentum);
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        if (momentum == 0) {
            return;   // buf = u, and out = buf (or u + 0 * buf): the identity
        }
        final double s = c.sign;
        final double mu = c.coefficients[0];
        final double[] buf = buffers[0];
        if (index == null && base == 0) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(buf, k, s * in[k], mu);   // same index in both arrays: vectorisable
            }
        } else if (index == null) {
            for (int k = from; k < to; k++) {
                in[k] = s * element(buf, base + k, s * in[k], mu);
            }
        } else {
            for (int k = from; k < to; k++) {
                in[k] = s * element(buf, base + index[k], s * in[k], mu);
            }
        }
    }

    private double element(double[] buf, int at, double u, double mu) {
        double b = mu * buf[at] + u;
        buf[at] = b;
        return nesterov ? u + mu * b : b;
    }

    @Override
    public String spec() {
        return NAME + "(momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }
}
