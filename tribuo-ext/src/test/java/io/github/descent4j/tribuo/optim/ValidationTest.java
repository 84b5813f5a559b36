package io.github.descent4j.tribuo.optim;

import io.github.descent4j.tribuo.layerwise.LayerwiseLearningRates;
import io.github.descent4j.tribuo.spd.AdamSPD;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.math.optimisers.AdaGrad;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Constructors reject every invalid hyperparameter with an IllegalArgumentException naming it. */
class ValidationTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    static Stream<Arguments> invalidConstructions() {
        List<Arguments> cases = new ArrayList<>();
        for (double lr : new double[]{NAN, INF, -0.1, 0.0}) {
            add(cases, "learningRate", lr, () -> new SignSGD(lr, 0.9));
            add(cases, "learningRate", lr, () -> new Signum(lr, 0.9));
            add(cases, "learningRate", lr, () -> new Lion(lr, 0.9, 0.99, 0.0));
            add(cases, "learningRate", lr, () -> new NormalizedSGD(lr, 0.9));
            add(cases, "learningRate", lr, () -> new AdaGradNorm(lr, 0.1));
            add(cases, "learningRate", lr, () -> new Adam(lr));
            add(cases, "learningRate", lr, () -> new AdamW(lr));
            add(cases, "learningRate", lr, () -> new AdamSPD(lr, 0.5));
        }
        for (double beta : new double[]{NAN, INF, -0.1, 1.0, 1.5}) {
            add(cases, "momentum", beta, () -> new SignSGD(0.1, beta));
            add(cases, "momentum", beta, () -> new NormalizedSGD(0.1, beta));
            add(cases, "beta", beta, () -> new Signum(0.1, beta));
            add(cases, "beta1", beta, () -> new Lion(0.1, beta, 0.99, 0.0));
            add(cases, "beta2", beta, () -> new Lion(0.1, 0.9, beta, 0.0));
            add(cases, "beta1", beta, () -> new Adam(0.1, beta, 0.999, 1e-8));
            add(cases, "beta2", beta, () -> new Adam(0.1, 0.9, beta, 1e-8));
            add(cases, "beta1", beta, () -> new AdamW(0.1, beta, 0.999, 1e-8, 0.01));
            add(cases, "beta2", beta, () -> new AdamW(0.1, 0.9, beta, 1e-8, 0.01));
            add(cases, "beta1", beta, () -> new AdamSPD(0.1, beta, 0.999, 1e-8, 0.5, false));
        }
        for (double eps : new double[]{NAN, INF, -1e-8, 0.0}) {
            add(cases, "epsilon", eps, () -> new Adam(0.1, 0.9, 0.999, eps));
            add(cases, "epsilon", eps, () -> new AdamW(0.1, 0.9, 0.999, eps, 0.01));
            add(cases, "b0", eps, () -> new AdaGradNorm(0.1, eps));
        }
        for (double decay : new double[]{NAN, INF, -0.01}) {
            add(cases, "weightDecay", decay, () -> new Lion(0.1, 0.9, 0.99, decay));
            add(cases, "weightDecay", decay, () -> new AdamW(0.1, 0.9, 0.999, 1e-8, decay));
            add(cases, "lambda", decay, () -> new SelectiveProjectionDecay(new AdaGrad(0.1), decay));
            add(cases, "lambda", decay, () -> new AdamSPD(0.1, decay));
            add(cases, "multipliers[1]", decay, () -> new LayerwiseLearningRates(new Adam(0.1), 1.0, decay));
        }
        add(cases, "multipliers", 0, () -> new LayerwiseLearningRates(new Adam(0.1)));
        add(cases, "base optimiser", 0, () -> new SelectiveProjectionDecay(null, 0.5));
        add(cases, "base optimiser", 0, () -> new LayerwiseLearningRates(null, 1.0));
        return cases.stream();
    }

    private static void add(List<Arguments> cases, String parameter, double value, ThrowingCallable construction) {
        cases.add(Arguments.of(parameter, value, construction));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidConstructions")
    void rejectedWithTheParameterNamed(String parameter, double value, ThrowingCallable construction) {
        assertThatThrownBy(construction)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(parameter);
    }
}
