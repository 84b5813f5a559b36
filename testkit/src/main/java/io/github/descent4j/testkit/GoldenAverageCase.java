package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.core.FlatOptimiser;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.average.AveragingRule;
import io.github.descent4j.core.rules.SgdRule;
import io.github.descent4j.core.transform.HeavyBallMomentum;
import io.github.descent4j.core.transform.ScaleByLearningRate;
import io.github.descent4j.core.transform.TransformChain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@value #KIND} golden case read through {@link GoldenCase#json()}: torch's {@code AveragedModel} (EMA or
 * SWA) updated after every step of a base SGD optimiser. Fields: {@code algorithm} (and
 * {@code hyperparameters.mode}) {@code EMA} or {@code SWA}; {@code hyperparameters.decay} (EMA);
 * {@code hyperparameters.base} {@code SGD} with {@code hyperparameters.baseHyperparameters}
 * {@code learningRate} and {@code momentum} (torch.optim.SGD, dampening 0); optionally
 * {@code hyperparameters.startStep} (default 0: the optimiser steps ignored before the first update, see
 * {@link AveragingRule}); and per step {@code gradients}, {@code after} (the trained parameters) and
 * {@code average}. {@link #refusal} says why a case cannot be run, so a harness counts it as unknown instead of
 * running something else.
 */
public final class GoldenAverageCase {
    /** The kind of these cases. */
    public static final String KIND = "weight-average";
    /** The algorithms of the kind. */
    public static final Set<String> ALGORITHMS = Set.of("EMA", "SWA");
    private static final Set<String> BASE_HYPERPARAMETERS = Set.of("learningRate", "momentum");

    private final GoldenCase golden;

    private GoldenAverageCase(GoldenCase golden) {
        this.golden = golden;
    }

    /** The weight-average cases among {@code cases}. */
    public static List<GoldenCase> of(List<GoldenCase> cases) {
        return GoldenCases.ofKind(cases, KIND);
    }

    /** Reads a case of kind {@value #KIND}. */
    public static GoldenAverageCase read(GoldenCase golden) {
        if (!KIND.equals(golden.kind())) {
            throw new IllegalArgumentException(golden.name() + " is a " + golden.kind() + " case, not " + KIND);
        }
        return new GoldenAverageCase(golden);
    }

    public GoldenCase golden() {
        return golden;
    }

    private JsonNode hyperparameters() {
        return golden.json().path("hyperparameters");
    }

    /**
     * Why this case cannot be run (an unknown algorithm, base or base setting, a mode that contradicts the
     * algorithm, settings the core refuses), or empty when it can.
     */
    public Optional<String> refusal() {
        String algorithm = golden.algorithm();
        if (!ALGORITHMS.contains(algorithm)) {
            return Optional.of("unknown weight-average algorithm (known: EMA, SWA)");
        }
        JsonNode mode = hyperparameters().path("mode");
        if (!mode.isMissingNode() && !mode.asText().equals(algorithm)) {
            return Optional.of("hyperparameters.mode " + mode.asText() + " contradicts the algorithm");
        }
        String base = hyperparameters().path("base").asText("SGD");
        if (!base.equals("SGD")) {
            return Optional.of("unknown base optimiser '" + base + "' (known: SGD)");
        }
        for (Iterator<String> names = hyperparameters().path("baseHyperparameters").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!BASE_HYPERPARAMETERS.contains(name)) {
                return Optional.of("unknown base hyperparameter '" + name + "' (known: " + BASE_HYPERPARAMETERS + ")");
            }
        }
        try {
            rule();
            new FlatOptimiser(new SgdRule(), learningRate(), new double[0][]);
            if (momentum() != 0) {
                new HeavyBallMomentum(momentum());
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    /** The averaging the case describes. */
    public AveragingRule rule() {
        long startStep = startStep();
        if (golden.algorithm().equals("EMA")) {
            JsonNode decay = hyperparameters().path("decay");
            if (!decay.isNumber()) {
                throw new InvalidHyperparameterException("decay", golden.name() + ": EMA needs a numeric hyperparameters.decay");
            }
            return AveragingRule.ema(decay.asDouble(), startStep);
        }
        return AveragingRule.swa(startStep);
    }

    /** Optimiser steps ignored before the first update (0 when the case does not say). */
    public long startStep() {
        JsonNode node = hyperparameters().path("startStep");
        return node.isMissingNode() ? 0 : node.asLong();
    }

    /** The base SGD's learning rate. */
    public double learningRate() {
        JsonNode node = hyperparameters().path("baseHyperparameters").path("learningRate");
        if (!node.isNumber()) {
            throw new IllegalArgumentException(golden.name() + ": baseHyperparameters.learningRate is missing");
        }
        return node.asDouble();
    }

    /** The base SGD's momentum (torch.optim.SGD: buffer = g at the first step, then μ·buffer + g), 0 when absent. */
    public double momentum() {
        return hyperparameters().path("baseHyperparameters").path("momentum").asDouble(0.0);
    }

    /** The base optimiser in core over {@code params}: plain SGD, or heavy-ball momentum then the learning rate. */
    public Optimiser baseOptimiser(double[][] params) {
        return momentum() == 0 ? new FlatOptimiser(new SgdRule(), learningRate(), params)
                : new FlatOptimiser(TransformChain.of(new HeavyBallMomentum(momentum()), new ScaleByLearningRate()),
                        learningRate(), params);
    }

    /** One step: the loss gradients fed, the trained parameters after it and the average after it. */
    public record AverageStep(double[][] gradients, double[][] after, double[][] average) {}

    /** The steps in order. */
    public List<AverageStep> steps() {
        List<AverageStep> out = new ArrayList<>();
        for (JsonNode s : golden.json().path("steps")) {
            out.add(new AverageStep(arrays(s.path("gradients")), arrays(s.path("after")), arrays(s.path("average"))));
        }
        return Collections.unmodifiableList(out);
    }

    private double[][] arrays(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(golden.name() + ": a step lacks one of gradients, after, average");
        }
        double[][] out = new double[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = GoldenCase.toDoubleArray(node.get(i));
        }
        return out;
    }
}
