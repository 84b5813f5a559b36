package io.github.descent4j.examples.finetune;

import io.github.descent4j.examples.cli.UsageException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A sequential task pair of the digits: pre-train on the OLD classes, fine-tune on the NEW ones. Written
 * {@code OLD/NEW} with comma-separated digits, e.g. {@code 0,1,2/3,4,5}; the two sides must be non-empty and
 * disjoint, and every class a digit 0–9 listed once.
 */
record TaskPair(int[] oldClasses, int[] newClasses) {

    /** Classes are kept sorted: {@code 1,0/2} and {@code 0,1/2} are the same pair. */
    TaskPair {
        oldClasses = oldClasses.clone();
        newClasses = newClasses.clone();
        Arrays.sort(oldClasses);
        Arrays.sort(newClasses);
    }

    static TaskPair parse(String text, String option) {
        String[] sides = text.trim().split("/", -1);
        if (sides.length != 2) {
            throw new UsageException(option + ": '" + text + "' is not a task pair; write OLD/NEW with comma-separated"
                    + " digits, e.g. 0,1,2/3,4,5");
        }
        int[] old = classes(sides[0], text, "old", option);
        int[] fresh = classes(sides[1], text, "new", option);
        for (int o : old) {
            for (int n : fresh) {
                if (o == n) {
                    throw new UsageException(option + ": pair '" + text + "' has class " + o
                            + " on both sides; the old and new classes must be disjoint");
                }
            }
        }
        return new TaskPair(old, fresh);
    }

    /** {@code P1;P2;...}, at least one pair, no pair twice. */
    static List<TaskPair> parseList(String text, String option) {
        List<TaskPair> pairs = new ArrayList<>();
        for (String part : text.split(";", -1)) {
            if (part.isBlank()) {
                throw new UsageException(option + ": empty pair in '" + text + "'; separate pairs OLD/NEW by ';'");
            }
            TaskPair pair = parse(part, option);
            if (pairs.contains(pair)) {
                throw new UsageException(option + ": pair " + pair + " is listed twice");
            }
            pairs.add(pair);
        }
        return pairs;
    }

    private static int[] classes(String side, String pair, String which, String option) {
        if (side.isBlank()) {
            throw new UsageException(option + ": pair '" + pair + "' has no " + which + " classes");
        }
        String[] parts = side.split(",", -1);
        int[] classes = new int[parts.length];
        boolean[] seen = new boolean[10];
        for (int i = 0; i < parts.length; i++) {
            int c;
            try {
                c = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException(option + ": '" + parts[i] + "' in pair '" + pair + "' is not a digit class 0-9");
            }
            if (c < 0 || c > 9) {
                throw new UsageException(option + ": class " + c + " in pair '" + pair + "' is unknown; the digits are"
                        + " classes 0-9");
            }
            if (seen[c]) {
                throw new UsageException(option + ": class " + c + " is listed twice in pair '" + pair + "'");
            }
            seen[c] = true;
            classes[i] = c;
        }
        return classes;
    }

    /** The pair as written: {@code 0,1,2/3,4,5}. */
    @Override
    public String toString() {
        return join(oldClasses) + "/" + join(newClasses);
    }

    /** A file-name-safe form: {@code 012-345}. */
    String slug() {
        return Arrays.stream(oldClasses).mapToObj(String::valueOf).collect(Collectors.joining()) + "-"
                + Arrays.stream(newClasses).mapToObj(String::valueOf).collect(Collectors.joining());
    }

    private static String join(int[] classes) {
        return Arrays.stream(classes).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskPair p && Arrays.equals(oldClasses, p.oldClasses) && Arrays.equals(newClasses, p.newClasses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(oldClasses) * 31 + Arrays.hashCode(newClasses);
    }
}
