package io.github.descent4j.core.transform;

import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.schedule.LearningRateSchedule;

import java.util.Objects;

/**
 * Scales the update by the step's learning rate, optionally times a schedule factor (optax's
 * {@code scale_by_learning_rate}, without its sign flip: the adapters subtract the step):
 * <pre>
 *   out = lr * factor(t) * u        (lr = StepContext.learningRate, t the 1-based step)
 * </pre>
 * Spec: {@code scaleByLearningRate()} for the constant schedule, otherwise
 * {@code scaleByLearningRate(schedule=<the schedule's spec>)}.
 */
public final class ScaleByLearningRate extends Transform {
    /** Spec name. */
    public static final String NAME = "scaleByLearningRate";

    private final LearningRateSchedule schedule;

    /** The learning rate alone (constant schedule). */
    public ScaleByLearningRate() {
        this(LearningRateSchedule.constant());
    }

    /** The learning rate times {@code schedule.factor(t)}. */
    public ScaleByLearningRate(LearningRateSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /** The schedule (constant unless given). */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    @Override
    public int bufferCount() {
        return 0;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        double factor = schedule.factor(context.step);
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalStateException("learning-rate schedule " + schedule + " gave factor " + factor + " at step "
                    + context.step + "; a factor must be a finite number >= 0");
        }
        context.coefficients[0] = context.learningRate * factor;
    }

    @Override
    public void apply(StepContext c, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        final double scale = c.coefficients[0];
        for (int k = from; k < to; k++) {
            in[k] *= scale;   // sign * (scale * sign * in) == scale * in for sign = ±1
        }
    }

    @Override
    public String spec() {
        return schedule == LearningRateSchedule.constant() ? NAME + "()" : NAME + "(schedule=" + schedule.spec() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaleByLearningRate && ((ScaleByLearningRate) o).schedule.equals(schedule);
    }

    @Override
    public int hashCode() {
        return 31 * NAME.hashCode() + schedule.hashCode();
    }
}
