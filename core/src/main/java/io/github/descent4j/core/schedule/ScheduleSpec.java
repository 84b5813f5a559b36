package io.github.descent4j.core.schedule;

import io.github.descent4j.core.InvalidHyperparameterException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the text form {@code name(key=value, …)} of the named schedules. */
final class ScheduleSpec {
    static final List<String> NAMES = List.of("constant", WarmupCosineSchedule.NAME, WarmupStableDecaySchedule.NAME,
            OneCycleSchedule.NAME);

    private final String name;
    private final String text;
    private final Map<String, String> values = new LinkedHashMap<>();

    private ScheduleSpec(String spec) {
        String s = spec == null ? "" : spec.replace(" ", "");
        text = s;
        int open = s.indexOf('(');
        if (open < 0 || !s.endsWith(")")) {
            throw new IllegalArgumentException("unknown learning-rate schedule '" + spec + "'; known: " + NAMES + ", written name(…)");
        }
        name = s.substring(0, open);
        String list = s.substring(open + 1, s.length() - 1);
        if (!list.isEmpty()) {
            for (String entry : list.split(",")) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(name + ": expected key=value, got '" + entry + "'");
                }
                values.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
    }

    static LearningRateSchedule parse(String spec) {
        ScheduleSpec s = new ScheduleSpec(spec);
        LearningRateSchedule out = switch (s.name) {
            case "constant" -> ConstantSchedule.INSTANCE;
            case WarmupCosineSchedule.NAME -> new WarmupCosineSchedule(s.steps("warmupSteps"), s.steps("totalSteps"),
                    s.number("minRatio", 0.0));
            case WarmupStableDecaySchedule.NAME -> new WarmupStableDecaySchedule(s.steps("warmupSteps"), s.steps("totalSteps"),
                    s.number("decayFraction", 0.2), s.number("minRatio", 0.0));
            case OneCycleSchedule.NAME -> new OneCycleSchedule(s.steps("totalSteps"), s.number("pctStart", 0.3),
                    s.number("divFactor", 25.0), s.number("finalDivFactor", 1e4), s.flag("threePhase"), s.flag("linearAnneal"),
                    s.number("baseMomentum", 0.85), s.number("maxMomentum", 0.95));
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + s.text + "'; known: " + NAMES);
        };
        if (!s.values.isEmpty()) {
            String key = s.values.keySet().iterator().next();
            throw new InvalidHyperparameterException(key, s.name + ": unknown parameter " + key);
        }
        return out;
    }

    private long steps(String key) {
        String v = values.remove(key);
        if (v == null) {
            throw new InvalidHyperparameterException(key, name + ": parameter " + key + " is required");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidHyperparameterException(key, name + ": parameter " + key + " must be a whole number, got '" + v + "'");
        }
    }

    private double number(String key, double fallback) {
        String v = values.remove(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidHyperparameterException(key, name + ": parameter " + key + " must be a number, got '" + v + "'");
        }
    }

    private boolean flag(String key) {
        String v = values.remove(key);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new InvalidHyperparameterException(key, name + ": parameter " + key + " must be true or false, got '" + v + "'");
    }
}
