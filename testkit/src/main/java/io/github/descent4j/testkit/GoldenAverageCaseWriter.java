package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.descent4j.core.Optimiser;
import io.github.descent4j.core.average.AveragingRule;
import io.github.descent4j.core.average.ParameterAverage;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes {@value GoldenAverageCase#KIND} golden cases of any tensor count and shapes: EMA or SWA of the
 * parameters after each step of SGD (with or without momentum), optionally from a start step. Inputs are
 * seeded random; the expected values come from descent4j-core ({@link GoldenAverageCase#baseOptimiser},
 * {@link ParameterAverage}), which the public cases validate. As in torch, {@code average} holds the initial
 * parameters until the first update.
 */
public final class GoldenAverageCaseWriter {
    private GoldenAverageCaseWriter() {}

    /**
     * Per {@link GoldenCaseWriter#UNRELATED_SHAPES} set s, one EMA and one SWA case ({@code gen-ema-s},
     * {@code gen-swa-s}); the settings vary with s: EMA decay 0.9 or 0.5, SWA from step 0 or 2, and every other
     * set uses SGD with momentum 0.9.
     *
     * @return the number of files written
     */
    public static int writeSuite(Path dir, int steps, long seed) {
        int written = 0;
        for (int s = 0; s < GoldenCaseWriter.UNRELATED_SHAPES.length; s++) {
            double momentum = s % 2 == 1 ? 0.9 : 0.0;
            int[][] shapes = GoldenCaseWriter.UNRELATED_SHAPES[s];
            write(dir.resolve("gen-ema-" + s + ".json"), "gen-ema-" + s, AveragingRule.ema(s % 2 == 0 ? 0.9 : 0.5, s == 3 ? 1 : 0),
                    0.1, momentum, shapes, steps, seed + 13L * s);
            write(dir.resolve("gen-swa-" + s + ".json"), "gen-swa-" + s, AveragingRule.swa(s % 3 == 2 ? 2 : 0), 0.1, momentum,
                    shapes, steps, seed + 17L * s + 1);
            written += 2;
        }
        return written;
    }

    /** Writes one case; {@code startStep} is written only when it is not 0. */
    public static void write(Path file, String name, AveragingRule rule, double learningRate, double momentum, int[][] shapes,
                             int steps, long seed) {
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("learningRate", learningRate);
        base.put("momentum", momentum);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("mode", rule.mode().name());
        settings.put("base", "SGD");
        settings.put("baseHyperparameters", base);
        if (rule.mode() == AveragingRule.Mode.EMA) {
            settings.put("decay", rule.decay());
        }
        if (rule.startStep() != 0) {
            settings.put("startStep", rule.startStep());
        }
        ObjectNode root = GoldenCaseWriter.header(name, GoldenAverageCase.KIND, rule.mode().name(), settings,
                "generated: expected values from descent4j-core (ParameterAverage over SGD), see GoldenAverageCaseWriter; "
                        + "average holds the initial parameters until the first update");
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] initial = GoldenCaseWriter.random(shapes, rng, 1.0);
        root.set("tensors", GoldenCaseWriter.tensors(shapes, initial));
        double[][] params = GoldenCaseWriter.copy(initial);
        GoldenAverageCase reader = GoldenAverageCase.read(new GoldenCase(file, root));
        Optimiser sgd = reader.baseOptimiser(params);
        ParameterAverage average = new ParameterAverage(rule, params);
        ArrayNode stepNodes = root.putArray("steps");
        for (int t = 0; t < steps; t++) {
            double[][] g = GoldenCaseWriter.random(shapes, rng, 0.5);
            sgd.step(g);
            average.afterStep(params);
            ObjectNode step = stepNodes.addObject();
            step.set("gradients", GoldenCaseWriter.arrays(g));
            step.set("after", GoldenCaseWriter.arrays(params));
            step.set("average", GoldenCaseWriter.arrays(average.average()));
        }
        GoldenCaseWriter.write(file, root);
    }
}
