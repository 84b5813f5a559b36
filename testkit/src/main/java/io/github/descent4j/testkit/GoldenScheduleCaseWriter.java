package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes generated {@code schedule} cases — warmup-cosine, warmup-stable-decay and one-cycle with settings the shipped
 * cases do not use (no warmup, a floor, three phases, linear annealing) — with expected values computed here by a
 * transcription of the reference formulas (torch's LambdaLR factor and OneCycleLR's phase loop), independent of
 * descent4j-core's schedules. Every case covers a few steps past its total.
 */
public final class GoldenScheduleCaseWriter {
    private GoldenScheduleCaseWriter() {}

    /** @return the number of files written */
    public static int writeScheduleCases(Path dir) {
        int n = 0;
        n += warmupCosine(dir, "gen-schedule-warmup-cosine-floor", 0.3, 3, 17, 0.1);
        n += warmupCosine(dir, "gen-schedule-warmup-cosine-nowarmup", 1.0, 0, 9, 0.0);
        n += wsd(dir, "gen-schedule-wsd-floor", 0.05, 2, 30, 0.25, 0.1);
        n += wsd(dir, "gen-schedule-wsd-half", 1.0, 5, 21, 0.5, 0.0);
        n += oneCycle(dir, "gen-schedule-one-cycle-three-phase-linear", 0.2, 30, 0.25, 10.0, 100.0, true, "linear", 0.8, 0.9);
        n += oneCycle(dir, "gen-schedule-one-cycle-short-cos", 1.0, 9, 0.4, 5.0, 1000.0, false, "cos", 0.85, 0.99);
        return n;
    }

    private static int warmupCosine(Path dir, String name, double base, int warmup, int total, double minRatio) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("baseLearningRate", base);
        h.put("warmupSteps", warmup);
        h.put("totalSteps", total);
        h.put("minRatio", minRatio);
        ObjectNode root = GoldenCaseWriter.header(name, GoldenCase.SCHEDULE, "WarmupCosine", h, "generated: warmup then cosine");
        ArrayNode lrs = root.putArray("learningRates");
        for (int t = 0; t < total + 3; t++) {
            double f = t < warmup ? (double) t / warmup
                    : minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (t - warmup) / (double) (total - warmup))));
            lrs.add(base * f);
        }
        GoldenCaseWriter.write(dir.resolve(name + ".json"), root);
        return 1;
    }

    private static int wsd(Path dir, String name, double base, int warmup, int total, double fraction, double minRatio) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("baseLearningRate", base);
        h.put("warmupSteps", warmup);
        h.put("totalSteps", total);
        h.put("decayFraction", fraction);
        h.put("minRatio", minRatio);
        ObjectNode root = GoldenCaseWriter.header(name, GoldenCase.SCHEDULE, "WarmupStableDecay", h, "generated: WSD");
        long decayStart = total - (long) Math.rint(fraction * total);   // Python round: half to even (10.5 → 10)
        ArrayNode lrs = root.putArray("learningRates");
        for (int t = 0; t < total + 3; t++) {
            double f;
            if (t < warmup) {
                f = (double) t / warmup;
            } else if (t < decayStart) {
                f = 1;
            } else {
                f = 1 - (1 - minRatio) * Math.min(1.0, (t - decayStart) / (double) (total - decayStart));
            }
            lrs.add(base * f);
        }
        GoldenCaseWriter.write(dir.resolve(name + ".json"), root);
        return 1;
    }

    private static int oneCycle(Path dir, String name, double maxLr, int total, double pct, double div, double finalDiv,
                                boolean threePhase, String anneal, double baseMomentum, double maxMomentum) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("maxLearningRate", maxLr);
        h.put("totalSteps", total);
        h.put("pctStart", pct);
        h.put("divFactor", div);
        h.put("finalDivFactor", finalDiv);
        h.put("threePhase", threePhase);
        h.put("anneal", anneal);
        h.put("baseMomentum", baseMomentum);
        h.put("maxMomentum", maxMomentum);
        ObjectNode root = GoldenCaseWriter.header(name, GoldenCase.SCHEDULE, "OneCycle", h, "generated: OneCycleLR phases");
        double initial = maxLr / div;
        double min = initial / finalDiv;
        double[][] phases = threePhase
                ? new double[][]{{pct * total - 1, initial, maxLr, maxMomentum, baseMomentum},
                {2 * pct * total - 2, maxLr, initial, baseMomentum, maxMomentum}, {total - 1, initial, min, maxMomentum, maxMomentum}}
                : new double[][]{{pct * total - 1, initial, maxLr, maxMomentum, baseMomentum}, {total - 1, maxLr, min, baseMomentum, maxMomentum}};
        ArrayNode lrs = root.putArray("learningRates");
        ArrayNode momenta = root.putArray("momenta");
        for (int t = 0; t <= total; t++) {   // torch computes step t = total too, then refuses
            double start = 0;
            for (int i = 0; i < phases.length; i++) {
                double end = phases[i][0];
                if (t <= end || i == phases.length - 1) {
                    double x = (t - start) / (end - start);
                    lrs.add(anneal(anneal, phases[i][1], phases[i][2], x));
                    momenta.add(anneal(anneal, phases[i][3], phases[i][4], x));
                    break;
                }
                start = end;
            }
        }
        GoldenCaseWriter.write(dir.resolve(name + ".json"), root);
        return 1;
    }

    private static double anneal(String how, double start, double end, double x) {
        return how.equals("linear") ? (end - start) * x + start : end + (start - end) / 2.0 * (Math.cos(Math.PI * x) + 1);
    }
}
