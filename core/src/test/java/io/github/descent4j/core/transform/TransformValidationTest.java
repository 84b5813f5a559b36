package io.github.descent4j.core.transform;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.DoubleFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every transform constructor rejects NaN, ±∞ and out-of-range values, naming the parameter and its range. */
class TransformValidationTest {

    static Stream<Arguments> badValues() {
        DoubleFunction<Object> adamBeta1 = x -> new ScaleByAdam(x, 0.999, 1e-8);
        DoubleFunction<Object> adamBeta2 = x -> new ScaleByAdam(0.9, x, 1e-8);
        DoubleFunction<Object> adamEpsilon = x -> new ScaleByAdam(0.9, 0.999, x);
        DoubleFunction<Object> momentum = HeavyBallMomentum::new;
        DoubleFunction<Object> emaBeta = ExponentialMovingAverage::new;
        DoubleFunction<Object> decay = AddDecayedWeights::new;
        DoubleFunction<Object> maxNorm = ClipByGlobalNorm::new;
        DoubleFunction<Object> b0 = ScaleByAdaGradNorm::new;
        DoubleFunction<Object> adaGradEpsilon = x -> new ScaleByAdaGrad(x, 0);
        DoubleFunction<Object> accumulator = x -> new ScaleByAdaGrad(1e-10, x);
        DoubleFunction<Object> lionBeta1 = x -> new LionDirection(x, 0.99);
        DoubleFunction<Object> lionBeta2 = x -> new LionDirection(0.9, x);
        String unit = "in [0, 1)";
        String positive = "a finite number > 0";
        String nonNegative = "a finite number >= 0";
        return Stream.of(
                Arguments.of("beta1", adamBeta1, Double.NaN, unit), Arguments.of("beta1", adamBeta1, 1.0, unit),
                Arguments.of("beta1", adamBeta1, -0.1, unit), Arguments.of("beta2", adamBeta2, Double.POSITIVE_INFINITY, unit),
                Arguments.of("epsilon", adamEpsilon, 0.0, positive), Arguments.of("epsilon", adamEpsilon, -1e-8, positive),
                Arguments.of("epsilon", adamEpsilon, Double.POSITIVE_INFINITY, positive), Arguments.of("epsilon", adamEpsilon, Double.NaN, positive),
                Arguments.of("momentum", momentum, 1.0, unit), Arguments.of("momentum", momentum, -0.5, unit),
                Arguments.of("momentum", momentum, Double.NaN, unit),
                Arguments.of("beta", emaBeta, 1.0, unit), Arguments.of("beta", emaBeta, Double.NEGATIVE_INFINITY, unit),
                Arguments.of("weightDecay", decay, -0.01, nonNegative), Arguments.of("weightDecay", decay, Double.NaN, nonNegative),
                Arguments.of("weightDecay", decay, Double.POSITIVE_INFINITY, nonNegative),
                Arguments.of("maxNorm", maxNorm, 0.0, positive), Arguments.of("maxNorm", maxNorm, -1.0, positive),
                Arguments.of("maxNorm", maxNorm, Double.NaN, positive), Arguments.of("maxNorm", maxNorm, Double.POSITIVE_INFINITY, positive),
                Arguments.of("b0", b0, 0.0, positive), Arguments.of("b0", b0, Double.NaN, positive), Arguments.of("b0", b0, -2.0, positive),
                Arguments.of("epsilon", adaGradEpsilon, 0.0, positive),
                Arguments.of("initialAccumulator", accumulator, -1.0, nonNegative),
                Arguments.of("initialAccumulator", accumulator, Double.POSITIVE_INFINITY, nonNegative),
                Arguments.of("beta1", lionBeta1, 1.0, unit), Arguments.of("beta2", lionBeta2, Double.NaN, unit));
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("badValues")
    void aBadValueIsRejectedNamingTheParameter(String parameter, DoubleFunction<Object> constructor, double value, String range) {
        assertThatThrownBy(() -> constructor.apply(value))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessage(parameter + " must be " + range + ", got " + value);
    }
}
