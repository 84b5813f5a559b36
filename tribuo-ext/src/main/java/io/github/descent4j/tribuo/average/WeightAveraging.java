package io.github.descent4j.tribuo.average;

import com.oracle.labs.mlrg.olcut.config.Config;
import io.github.descent4j.core.average.AveragingRule;
import io.github.descent4j.tribuo.internal.TribuoTensors;
import io.github.descent4j.tribuo.optim.ForwardingOptimiser;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;

import java.util.logging.Logger;

/**
 * Weight averaging over any Tribuo optimiser: an exponential moving average (EMA) or stochastic weight averaging
 * (SWA; Izmailov, Podoprikhin, Garipov, Vetrov and Wilson, UAI 2018) of the model's parameters after every
 * optimiser step, exactly as torch's {@code AveragedModel.update_parameters} called after each step
 * ({@link AveragingRule}):
 * <pre>
 *   step t updates the average iff t &gt; startStep;  the first update copies θ_t, then
 *   EMA: avg = d·avg + (1 − d)·θ_t        SWA: avg = avg + (θ_t − avg)/(n + 1)
 * </pre>
 * and, when {@code returnAverage} (the default), writes the average into the parameters in {@link #finalise()},
 * which Tribuo's SGD trainers and descent4j's trainers call at the end of training, so the model {@code train}
 * returns is the averaged model:
 * <pre>
 *   new LinearSGDTrainer(objective, new WeightAveraging(new AdamW(1e-3), AveragingRule.ema(0.999)), epochs, seed)
 * </pre>
 * Tribuo applies a step's update to the parameters only after {@link #step} returns, so θ_t is read at the next
 * {@code step} (before the base steps again) and, for the last step, in {@code finalise}; {@link #average()} reads
 * it too (call it after the trainer applied the update). The start step counts optimiser steps: per example for
 * {@code LinearSGDTrainer} with minibatch 1, per minibatch otherwise. As in torch the average starts as the
 * parameters given to {@link #initialise}; when training ends before the first update (startStep at least the steps
 * taken) {@code finalise} leaves the trained parameters and logs a warning. The average is kept in double, row by
 * row; the parameters must be dense (Tribuo's SGD models' are). The base's own {@code finalise} runs before the
 * average is written.
 */
public final class WeightAveraging extends ForwardingOptimiser {
    private static final Logger logger = Logger.getLogger(WeightAveraging.class.getName());

    @Config(mandatory = true, description = "The optimiser whose iterates are averaged.")
    private StochasticGradientOptimiser base;

    @Config(mandatory = true, description = "EMA (exponential moving average) or SWA (equal average of the steps after startStep).")
    private AveragingRule.Mode mode;

    @Config(description = "EMA's decay d in [0, 1) (avg = d*avg + (1-d)*params); must be 0, the default, for SWA.")
    private double decay = 0.0;

    @Config(description = "Optimiser steps ignored before the first update of the average, >= 0.")
    private long startStep = 0;

    @Config(description = "Whether finalise() writes the average into the parameters, so that the trained model is the averaged one.")
    private boolean returnAverage = true;

    private AveragingRule rule;
    private Parameters parameters;
    /** [tensor][row][column]; a vector is one row. */
    private double[][][] average;
    private long averaged;
    private long steps;
    /** A step was returned whose result the average has not seen yet. */
    private boolean pending;

    /** For OLCUT. */
    private WeightAveraging() {}

    /** Averages {@code base}'s iterates with {@code rule} and returns the averaged model. */
    public WeightAveraging(StochasticGradientOptimiser base, AveragingRule rule) {
        this(base, rule, true);
    }

    /**
     * @param base the optimiser whose iterates are averaged
     * @param rule EMA or SWA with its start step
     * @param returnAverage whether {@link #finalise()} writes the average into the parameters
     */
    public WeightAveraging(StochasticGradientOptimiser base, AveragingRule rule, boolean returnAverage) {
        if (base == null) {
            throw new IllegalArgumentException("base must be an optimiser, got null");
        }
        if (rule == null) {
            throw new IllegalArgumentException("rule must be an AveragingRule, got null");
        }
        this.base = base;
        this.rule = rule;
        this.mode = rule.mode();
        this.decay = rule.decay();
        this.startStep = rule.startStep();
        this.returnAverage = returnAverage;
    }

    @Override
    public void postConfig() {
        validateConfigured(() -> rule = AveragingRule.of(mode, decay, startStep));
    }

    @Override
    protected StochasticGradientOptimiser delegate() {
        return base;
    }

    @Override
    public void initialise(Parameters parameters) {
        Tensor[] tensors = parameters.get();
        double[][][] initial = new double[tensors.length][][];
        for (int t = 0; t < tensors.length; t++) {
            if (!(tensors[t] instanceof DenseMatrix) && !(tensors[t] instanceof DenseVector)) {
                throw new IllegalArgumentException("weight averaging needs dense parameters; tensor " + t + " is a "
                        + tensors[t].getClass().getName());
            }
            int rows = tensors[t] instanceof DenseMatrix m ? m.getDimension1Size() : 1;
            initial[t] = new double[rows][];
            for (int r = 0; r < rows; r++) {
                initial[t][r] = TribuoTensors.denseRow(tensors[t], r).clone();
            }
        }
        super.initialise(parameters);
        this.parameters = parameters;
        this.average = initial;   // torch deep-copies the model: the average starts as the initial parameters
        this.averaged = 0;
        this.steps = 0;
        this.pending = false;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        absorbPending();
        Tensor[] step = super.step(updates, weight);
        pending = true;
        return step;
    }

    /** Counts the step whose update the trainer applied since, and averages its parameters when the rule says so. */
    private void absorbPending() {
        if (!pending) {
            return;
        }
        pending = false;
        steps++;
        if (!rule.averages(steps)) {
            return;
        }
        Tensor[] tensors = parameters.get();
        for (int t = 0; t < average.length; t++) {
            for (int r = 0; r < average[t].length; r++) {
                double[] row = TribuoTensors.denseRow(tensors[t], r);
                rule.update(average[t][r], row, 0, row.length, averaged);
            }
        }
        averaged++;
    }

    /**
     * Averages the last step, runs the base's {@code finalise}, then (with {@code returnAverage}) writes the average
     * into the parameters.
     */
    @Override
    public void finalise() {
        absorbPending();
        super.finalise();
        if (!returnAverage || parameters == null) {
            return;
        }
        if (averaged == 0) {
            logger.warning("WeightAveraging: training ended after " + steps + " optimiser steps, before the first update of "
                    + "the average (" + rule + "); the model keeps its trained parameters");
            return;
        }
        Tensor[] tensors = parameters.get();
        for (int t = 0; t < average.length; t++) {
            for (int r = 0; r < average[t].length; r++) {
                double[] row = TribuoTensors.denseRow(tensors[t], r);
                System.arraycopy(average[t][r], 0, row, 0, row.length);
            }
        }
    }

    @Override
    public void reset() {
        super.reset();
        parameters = null;
        average = null;
        averaged = 0;
        steps = 0;
        pending = false;
    }

    /**
     * The average, one flat row-major array per parameter tensor (a copy; the initial parameters until the first
     * update). Counts a step whose update was applied since the last {@code step} call.
     *
     * @throws IllegalStateException before {@link #initialise}
     */
    public double[][] average() {
        if (average == null) {
            throw new IllegalStateException("WeightAveraging has not been initialised with parameters");
        }
        absorbPending();
        double[][] out = new double[average.length][];
        for (int t = 0; t < average.length; t++) {
            int width = average[t][0].length;
            out[t] = new double[average[t].length * width];
            for (int r = 0; r < average[t].length; r++) {
                System.arraycopy(average[t][r], 0, out[t], r * width, width);
            }
        }
        return out;
    }

    /** n: the updates of the average so far (counting an applied step not yet seen, see {@link #average()}). */
    public long averagedCount() {
        absorbPending();
        return averaged;
    }

    /** The optimiser steps seen so far (averaged or not). */
    public long stepsSeen() {
        absorbPending();
        return steps;
    }

    public AveragingRule rule() {
        return rule;
    }

    public boolean isReturnAverage() {
        return returnAverage;
    }

    @Override
    public WeightAveraging copy() {
        return new WeightAveraging(base.copy(), rule, returnAverage);
    }

    @Override
    public String toString() {
        return "WeightAveraging(base=" + base + "," + rule + ",returnAverage=" + returnAverage + ")";
    }
}
