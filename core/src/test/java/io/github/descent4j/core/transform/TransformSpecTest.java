package io.github.descent4j.core.transform;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Text specs: exact round trips, value equality, and parse errors that name the transform and parameter. */
class TransformSpecTest {

    /** One instance of every transform, with values whose shortest decimal form is long. */
    static List<Transform> everyTransform() {
        return List.of(new ScaleByLearningRate(), new Sign(), new HeavyBallMomentum(0.1 + 0.2), new HeavyBallMomentum(0.9, true),
                new ExponentialMovingAverage(0.95), new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(3e-5),
                new ClipByGlobalNorm(1.0), new NormalizeByGlobalNorm(), new ScaleByAdaGradNorm(0.1),
                new ScaleByAdaGrad(1e-10, 0.25), new LionDirection(0.9, 0.99));
    }

    @Test
    void everyTransformRoundTripsExactlyAndIsEqualByValue() {
        assertThat(everyTransform().stream().map(t -> t.spec().substring(0, t.spec().indexOf('('))).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(SpecParser.NAMES);
        for (Transform t : everyTransform()) {
            Transform back = Transform.parse(t.spec());
            assertThat(back).as(t.spec()).isEqualTo(t).hasSameHashCodeAs(t).isNotSameAs(t);
            assertThat(back.spec()).isEqualTo(t.spec());
        }
        assertThat(new HeavyBallMomentum(0.1 + 0.2).spec()).isEqualTo("heavyBallMomentum(momentum=0.30000000000000004, nesterov=false)");
        assertThat(new ScaleByAdam(0.9, 0.999, 1e-8).spec()).isEqualTo("scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)");
        assertThat(new HeavyBallMomentum(0.3)).isNotEqualTo(new HeavyBallMomentum(0.1 + 0.2));
        assertThat(new ScaleByAdam(0.9, 0.999, 1e-8)).isNotEqualTo(new ScaleByAdam(0.9, 0.99, 1e-8));
        assertThat((Object) new Sign()).isNotEqualTo(new NormalizeByGlobalNorm());
    }

    @Test
    void aChainRoundTripsExactlyAndIsEqualByValue() {
        String spec = "clipByGlobalNorm(maxNorm=1.0) | scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)"
                + " | addDecayedWeights(weightDecay=0.01) | scaleByLearningRate()";
        TransformChain chain = TransformChain.parse(spec);
        assertThat(chain.spec()).isEqualTo(spec);
        assertThat(chain.parts()).containsExactly(new ClipByGlobalNorm(1.0), new ScaleByAdam(0.9, 0.999, 1e-8),
                new AddDecayedWeights(0.01), new ScaleByLearningRate());
        assertThat(TransformChain.parse(spec)).isEqualTo(chain).hasSameHashCodeAs(chain);
        assertThat(TransformChain.parse(spec.replace("0.01", "0.02"))).isNotEqualTo(chain);
        assertThat(TransformChain.parse(String.join(" | ", everyTransform().stream().filter(t -> !t.usesGlobalGradientNorm())
                .map(Transform::spec).toList())).parts()).hasSize(9);
    }

    @Test
    void whitespaceOrderAndDefaultsAreFreeButTheSpecIsCanonical() {
        TransformChain chain = TransformChain.parse("  scaleByAdam( epsilon = 1e-6 ,beta1=0.8 )|lionDirection()|scaleByAdaGrad()|"
                + "heavyBallMomentum(nesterov=true, momentum=.5)|scaleByLearningRate(schedule=constant())");
        assertThat(chain.spec()).isEqualTo("scaleByAdam(beta1=0.8, beta2=0.999, epsilon=1.0E-6) | lionDirection(beta1=0.9, beta2=0.99)"
                + " | scaleByAdaGrad(epsilon=1.0E-10, initialAccumulator=0.0) | heavyBallMomentum(momentum=0.5, nesterov=true)"
                + " | scaleByLearningRate()");
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("", "transforms", "empty"),
                Arguments.of("   ", "transforms", "empty"),
                Arguments.of("scaleByAdamm()", "transforms", "unknown transform 'scaleByAdamm'"),
                Arguments.of("sign", "transforms", "sign: expected 'sign(…)'"),
                Arguments.of("sign() | | scaleByLearningRate()", "transforms", "empty entry"),
                Arguments.of("sign(", "transforms", "unbalanced '('"),
                Arguments.of("sign())", "transforms", "unbalanced ')'"),
                Arguments.of("sign(x=1)", "x", "sign: unknown parameter x"),
                Arguments.of("scaleByAdam(beta1=0.9, beta3=0.5)", "beta3", "scaleByAdam: unknown parameter beta3"),
                Arguments.of("scaleByAdam(beta1=1.5)", "beta1", "scaleByAdam: beta1 must be in [0, 1), got 1.5"),
                Arguments.of("scaleByAdam(beta2=NaN)", "beta2", "scaleByAdam: beta2 must be in [0, 1), got NaN"),
                Arguments.of("scaleByAdam(epsilon=0)", "epsilon", "scaleByAdam: epsilon must be a finite number > 0, got 0.0"),
                Arguments.of("scaleByAdam(epsilon=abc)", "epsilon", "scaleByAdam: parameter epsilon must be a number, got 'abc'"),
                Arguments.of("scaleByAdam(beta1=0.9, beta1=0.8)", "beta1", "scaleByAdam: parameter beta1 is given twice"),
                Arguments.of("scaleByAdam(0.9)", "transforms", "scaleByAdam: expected key=value, got '0.9'"),
                Arguments.of("heavyBallMomentum()", "momentum", "heavyBallMomentum: parameter momentum is required"),
                Arguments.of("heavyBallMomentum(momentum=0.9, nesterov=yes)", "nesterov", "nesterov must be true or false, got 'yes'"),
                Arguments.of("exponentialMovingAverage(beta=1.0)", "beta", "exponentialMovingAverage: beta must be in [0, 1)"),
                Arguments.of("addDecayedWeights(weightDecay=-0.01)", "weightDecay", "addDecayedWeights: weightDecay must be a finite number >= 0"),
                Arguments.of("clipByGlobalNorm(maxNorm=Infinity)", "maxNorm", "clipByGlobalNorm: maxNorm must be a finite number > 0, got Infinity"),
                Arguments.of("scaleByAdaGradNorm(b0=0)", "b0", "scaleByAdaGradNorm: b0 must be a finite number > 0"),
                Arguments.of("scaleByAdaGrad(initialAccumulator=-1)", "initialAccumulator", "scaleByAdaGrad: initialAccumulator must be"),
                Arguments.of("lionDirection(beta2=-0.1)", "beta2", "lionDirection: beta2 must be in [0, 1)"),
                Arguments.of("scaleByLearningRate(schedule=cosine())", "schedule", "scaleByLearningRate: parameter schedule: unknown learning-rate schedule 'cosine()'"),
                Arguments.of("scaleByAdam() | clipByGlobalNorm(maxNorm=1.0)", "transforms",
                        "part 1 (clipByGlobalNorm(maxNorm=1.0)) reads the global gradient norm, so it must be the first part"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("badSpecs")
    void aBadSpecIsRejectedNamingTheTransformAndParameter(String spec, String parameter, String message) {
        assertThatThrownBy(() -> TransformChain.parse(spec))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidHyperparameterException) e).parameter()).isEqualTo(parameter));
    }

    @Test
    void aChainWithAFusedRuleHasNoSpec() {
        TransformChain chain = TransformChain.of(new io.github.descent4j.core.rules.SignumRule(0.9), new ScaleByLearningRate());
        assertThatThrownBy(chain::spec).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("SignumRule");
        assertThat(chain.toString()).isEqualTo("SignumRule | scaleByLearningRate()");
    }
}
