package io.github.descent4j.core.transform;

import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

/** A minimal dense driver for unit tests: one tensor, base 0, state kept between steps. */
final class Steps {
    final UpdateRule rule;
    final double[][] buffers;
    final double[] scalars;
    final StepContext context = new StepContext();
    private long step;

    Steps(UpdateRule rule, int length) {
        this.rule = rule;
        this.buffers = new double[rule.bufferCount()][length];
        this.scalars = new double[rule.scalarCount()];
        rule.initialiseScalars(scalars);
    }

    /** One step with sign +1 and learning rate 1 unless set; returns the outgoing update. */
    double[] next(double[] u, double[] params, double squaredNorm) {
        return next(u, params, squaredNorm, 1.0, 1.0);
    }

    double[] next(double[] u, double[] params, double squaredNorm, double sign, double learningRate) {
        context.sign = sign;
        context.learningRate = learningRate;
        context.step = ++step;
        context.gradientSquaredNorm = squaredNorm;
        rule.beginStep(scalars, context);
        double[] in = new double[u.length];
        for (int k = 0; k < u.length; k++) {
            in[k] = sign * u[k];
        }
        rule.apply(context, in, null, 0, in.length, params, buffers, 0);
        for (int k = 0; k < u.length; k++) {
            in[k] *= sign;
        }
        return in;
    }

    double[] next(double... u) {
        return next(u, null, Double.NaN);
    }
}
