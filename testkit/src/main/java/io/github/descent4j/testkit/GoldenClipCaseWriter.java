package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes generated {@code ClipByGlobalNorm} gradient-sequence cases: torch's {@code clip_grad_norm_} over all tensors
 * (coef = maxNorm / (‖g‖ + 1e-6), applied when &lt; 1), then a base optimiser, with the expected values computed
 * here independently of descent4j's clipping code and by {@link GoldenCaseWriter}'s reference steppers for the base.
 * Steps alternate between gradients well above the bound and below it, so both branches are exercised.
 */
public final class GoldenClipCaseWriter {
    /** The bases of the generated cases: the keys of {@link GoldenCaseWriter#GRADIENT_SEQUENCE_SETTINGS}. */
    public static final List<String> BASES = List.of("SGDMomentum", "Adam", "AdamW");
    /** The bound of the generated cases. */
    public static final double MAX_NORM = 1.0;

    private GoldenClipCaseWriter() {}

    /**
     * One case per base of {@link #BASES} and per shape set, named {@code gen-clip-BASE-SETINDEX}.
     *
     * @return the number of files written
     */
    public static int writeClipCases(Path dir, int[][][] shapeSets, int steps, long seed) {
        int written = 0;
        for (String key : BASES) {
            for (int s = 0; s < shapeSets.length; s++) {
                String name = "gen-clip-" + key.toLowerCase() + "-" + s;
                clipCase(dir.resolve(name + ".json"), name, key, shapeSets[s], steps, seed + 13L * s + key.hashCode());
                written++;
            }
        }
        return written;
    }

    /** Writes one case: clipping at {@link #MAX_NORM} in front of the base {@code key}. */
    public static void clipCase(Path file, String name, String key, int[][] shapes, int steps, long seed) {
        String base = key.equals("SGDMomentum") ? "SGD" : key;
        Map<String, Object> baseSettings = GoldenCaseWriter.settingsOf(key);
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] initial = GoldenCaseWriter.random(shapes, rng, 1.0);
        double[][] params = GoldenCaseWriter.copy(initial);
        GoldenCaseWriter.Stepper stepper = GoldenCaseWriter.stepper(base, baseSettings, params, null);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("maxNorm", MAX_NORM);
        settings.put("base", base);
        settings.put("baseHyperparameters", baseSettings);
        ObjectNode root = GoldenCaseWriter.header(name, GoldenCase.GRADIENT_SEQUENCE, GoldenCase.CLIP_BY_GLOBAL_NORM, settings,
                "generated: torch's clip_grad_norm_ rule over all tensors, then the base (GoldenCaseWriter's reference)");
        root.set("tensors", GoldenCaseWriter.tensors(shapes, initial));
        ArrayNode stepNodes = root.putArray("steps");
        for (int t = 0; t < steps; t++) {
            double[][] g = GoldenCaseWriter.random(shapes, rng, 1.0);
            if (t == 1) {
                g[0][0] = 0.0;
            }
            // Every third step stays under the bound; the others are 2.5 times above it.
            double target = t % 3 == 2 ? 0.5 * MAX_NORM : 2.5 * MAX_NORM;
            double norm = norm(g);
            for (double[] tensor : g) {
                for (int i = 0; i < tensor.length; i++) {
                    tensor[i] *= target / norm;
                }
            }
            norm = norm(g);
            double coef = MAX_NORM / (norm + 1e-6);
            double[][] clipped = GoldenCaseWriter.copy(g);
            if (coef < 1) {
                for (double[] tensor : clipped) {
                    for (int i = 0; i < tensor.length; i++) {
                        tensor[i] *= coef;
                    }
                }
            }
            stepper.step(clipped);
            ObjectNode step = stepNodes.addObject();
            step.set("gradients", GoldenCaseWriter.arrays(g));
            step.put("globalNormBeforeClip", norm);
            step.set("after", GoldenCaseWriter.arrays(params));
        }
        GoldenCaseWriter.write(file, root);
    }

    private static double norm(double[][] tensors) {
        double sum = 0;
        for (double[] t : tensors) {
            for (double v : t) {
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }
}
