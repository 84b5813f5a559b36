package io.github.descent4j.core.transform;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.schedule.LearningRateSchedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads transform specs: {@code name(key=value, …)} joined by {@code |}. A value is a number (anything
 * {@link Double#parseDouble} reads, so that NaN and Infinity reach the range checks and are reported as
 * such), {@code true}/{@code false}, or a nested {@code name(…)} (a schedule). Whitespace is free.
 * Every error names the transform and, where there is one, the parameter.
 */
final class SpecParser {
    private SpecParser() {}

    /** Every spec name, in the order the error messages list them. */
    static final List<String> NAMES = List.of(ScaleByLearningRate.NAME, Sign.NAME, HeavyBallMomentum.NAME,
            ExponentialMovingAverage.NAME, ScaleByAdam.NAME, AddDecayedWeights.NAME, ClipByGlobalNorm.NAME,
            NormalizeByGlobalNorm.NAME, ScaleByAdaGradNorm.NAME, ScaleByAdaGrad.NAME, LionDirection.NAME);

    static List<Transform> parseChain(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidHyperparameterException("transforms", "transforms: the spec is empty; write e.g. "
                    + "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()");
        }
        List<Transform> out = new ArrayList<>();
        for (String part : splitTopLevel(spec, '|', "transforms")) {
            out.add(parseTransform(part));
        }
        return out;
    }

    static Transform parseTransform(String text) {
        String s = text == null ? "" : text.trim();
        int open = s.indexOf('(');
        String name = open < 0 ? s : s.substring(0, open).trim();
        if (name.isEmpty()) {
            throw new InvalidHyperparameterException("transforms", "transforms: missing transform name in '" + s + "'");
        }
        if (!NAMES.contains(name)) {
            throw new InvalidHyperparameterException("transforms", "transforms: unknown transform '" + name + "' in '"
                    + s + "'; known: " + NAMES);
        }
        if (open < 0 || !s.endsWith(")")) {
            throw new InvalidHyperparameterException("transforms", name + ": expected '" + name + "(…)', got '" + s + "'");
        }
        Arguments a = new Arguments(name, s.substring(open + 1, s.length() - 1));
        Transform t;
        try {
            t = create(name, a);
        } catch (InvalidHyperparameterException e) {
            throw new InvalidHyperparameterException(e.parameter(), name + ": " + e.getMessage());
        }
        a.requireAllUsed();
        return t;
    }

    private static Transform create(String name, Arguments a) {
        switch (name) {
            case ScaleByLearningRate.NAME:
                return a.has("schedule") ? new ScaleByLearningRate(a.schedule("schedule")) : new ScaleByLearningRate();
            case Sign.NAME:
                return new Sign();
            case HeavyBallMomentum.NAME:
                return new HeavyBallMomentum(a.number("momentum"), a.flag("nesterov", false));
            case ExponentialMovingAverage.NAME:
                return new ExponentialMovingAverage(a.number("beta"));
            case ScaleByAdam.NAME:
                return new ScaleByAdam(a.number("beta1", 0.9), a.number("beta2", 0.999), a.number("epsilon", 1e-8));
            case AddDecayedWeights.NAME:
                return new AddDecayedWeights(a.number("weightDecay"));
            case ClipByGlobalNorm.NAME:
                return new ClipByGlobalNorm(a.number("maxNorm"));
            case NormalizeByGlobalNorm.NAME:
                return new NormalizeByGlobalNorm();
            case ScaleByAdaGradNorm.NAME:
                return new ScaleByAdaGradNorm(a.number("b0"));
            case ScaleByAdaGrad.NAME:
                return new ScaleByAdaGrad(a.number("epsilon", 1e-10), a.number("initialAccumulator", 0.0));
            case LionDirection.NAME:
                return new LionDirection(a.number("beta1", 0.9), a.number("beta2", 0.99));
            default:
                throw new AssertionError(name);
        }
    }

    /** Splits at {@code separator} outside parentheses; fails on unbalanced parentheses or an empty piece. */
    static List<String> splitTopLevel(String s, char separator, String what) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            char ch = i < s.length() ? s.charAt(i) : separator;
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                if (--depth < 0) {
                    throw new InvalidHyperparameterException("transforms", what + ": unbalanced ')' in '" + s.trim() + "'");
                }
            } else if (ch == separator && depth == 0) {
                String piece = s.substring(start, Math.min(i, s.length())).trim();
                if (piece.isEmpty()) {
                    throw new InvalidHyperparameterException("transforms", what + ": empty entry in '" + s.trim() + "'");
                }
                out.add(piece);
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new InvalidHyperparameterException("transforms", what + ": unbalanced '(' in '" + s.trim() + "'");
        }
        return out;
    }

    /** The {@code key=value} list of one transform, consumed by name. */
    private static final class Arguments {
        private final String transform;
        private final Map<String, String> values = new LinkedHashMap<>();

        Arguments(String transform, String list) {
            this.transform = transform;
            if (list.isBlank()) {
                return;
            }
            for (String entry : splitTopLevel(list, ',', transform)) {
                int eq = entry.indexOf('=');
                String key = eq < 0 ? "" : entry.substring(0, eq).trim();
                if (key.isEmpty()) {
                    throw new InvalidHyperparameterException("transforms", transform + ": expected key=value, got '" + entry + "'");
                }
                if (values.put(key, entry.substring(eq + 1).trim()) != null) {
                    throw new InvalidHyperparameterException(key, transform + ": parameter " + key + " is given twice");
                }
            }
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        double number(String key) {
            if (!values.containsKey(key)) {
                throw new InvalidHyperparameterException(key, transform + ": parameter " + key + " is required");
            }
            return number(key, Double.NaN);
        }

        double number(String key, double fallback) {
            String v = values.remove(key);
            if (v == null) {
                return fallback;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new InvalidHyperparameterException(key, transform + ": parameter " + key + " must be a number, got '" + v + "'");
            }
        }

        boolean flag(String key, boolean fallback) {
            String v = values.remove(key);
            if (v == null) {
                return fallback;
            }
            if (!v.equals("true") && !v.equals("false")) {
                throw new InvalidHyperparameterException(key, transform + ": parameter " + key + " must be true or false, got '" + v + "'");
            }
            return v.equals("true");
        }

        LearningRateSchedule schedule(String key) {
            String v = values.remove(key);
            try {
                return LearningRateSchedule.parse(v);
            } catch (IllegalArgumentException e) {
                throw new InvalidHyperparameterException(key, transform + ": parameter " + key + ": " + e.getMessage());
            }
        }

        void requireAllUsed() {
            if (!values.isEmpty()) {
                String key = values.keySet().iterator().next();
                throw new InvalidHyperparameterException(key, transform + ": unknown parameter " + key);
            }
        }
    }
}
