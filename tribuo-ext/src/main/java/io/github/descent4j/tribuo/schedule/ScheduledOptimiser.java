package io.github.descent4j.tribuo.schedule;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import io.github.descent4j.tribuo.optim.UpdateRuleOptimiser;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * A learning-rate schedule over any Tribuo optimiser (descent4j's, or Tribuo's own SGD, AdaGrad, RMSProp):
 * <pre>
 *   Δθ_t = factor(t) · base.step(g_t)          t = 0, 1, … the step index (as torch's schedulers)
 * </pre>
 * Scaling the base's step by the factor equals scaling its learning rate for every optimiser whose step is linear in
 * the learning rate (all of descent4j's, decoupled decay included, and Tribuo's SGD, AdaGrad and RMSProp), and the
 * base's state still advances on every step (torch updates Adam's moments at lr = 0 too). The optimiser's own
 * learning rate is the base (or, for one-cycle, the peak) rate.
 * <p>
 * When the schedule cycles momentum ({@link OneCycleSchedule}), its momentum drives the base's momentum or Adam's β₁
 * each step, as torch's {@code cycle_momentum}; that needs a descent4j optimiser whose rule has one (Adam, AdamW,
 * a chain with {@code scaleByAdam} or {@code heavyBallMomentum}); anything else is refused at {@link #initialise}
 * (turn {@code cycleMomentum} off). One line:
 * <pre>
 *   new LinearSGDTrainer(objective, new ScheduledOptimiser(new AdamW(1e-3, …), new WarmupCosineSchedule(100, 5000, 0.1)), epochs, seed)
 * </pre>
 */
public final class ScheduledOptimiser extends ForwardingOptimiser {

    @Config(mandatory = true, description = "The optimiser whose step (equivalently, learning rate) is scheduled.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "The schedule: WarmupCosineSchedule, WarmupStableDecaySchedule or OneCycleSchedule.")
    private ConfiguredSchedule schedule;

    private long steps;

    /** For OLCUT. */
    private ScheduledOptimiser() {}

    /**
     * @param base the optimiser to schedule
     * @param schedule the schedule
     */
    public ScheduledOptimiser(StochasticGradientOptimiser base, ConfiguredSchedule schedule) {
        if (base == null || schedule == null) {
            throw new IllegalArgumentException((base == null ? "base" : "schedule") + " must not be null");
        }
        this.base = base;
        this.schedule = schedule;
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public void initialise(Parameters parameters) {
        if (!Double.isNaN(schedule.momentum(1))
                && !(base instanceof UpdateRuleOptimiser ours && ours.acceptsMomentumSchedule())) {
            throw new IllegalArgumentException("schedule " + schedule + " cycles the momentum, but the base " + base
                    + " has no momentum it can drive (descent4j's Adam, AdamW, or a chain with scaleByAdam or heavyBallMomentum"
                    + " have one); set cycleMomentum=false on the schedule");
        }
        super.initialise(parameters);
        steps = 0;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        long step = steps + 1;
        double factor = schedule.schedule().factor(step);
        double momentum = schedule.momentum(step);
        if (!Double.isNaN(momentum)) {
            ((UpdateRuleOptimiser) base).setScheduledMomentum(momentum);
        }
        Tensor[] proposed = super.step(updates, weight);
        steps = step;
        if (factor != 1.0) {
            for (Tensor t : proposed) {
                t.scaleInPlace(factor);
            }
        }
        return proposed;
    }

    @Override
    public void reset() {
        super.reset();
        steps = 0;
    }

    /** Steps taken since {@link #initialise}. */
    public long getStepCount() {
        return steps;
    }

    @Override
    public ScheduledOptimiser copy() {
        return new ScheduledOptimiser(base.copy(), schedule.copy());
    }

    @Override
    public String toString() {
        return "ScheduledOptimiser(base=" + base + ",schedule=" + schedule + ")";
    }
}
