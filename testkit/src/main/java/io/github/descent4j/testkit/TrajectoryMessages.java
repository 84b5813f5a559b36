package io.github.descent4j.testkit;

import io.github.descent4j.core.training.LossTrajectory.Point;

import java.util.Locale;

/** The text of {@link TrajectoryAssert}'s failure messages: run summaries, numbers, the first difference. */
final class TrajectoryMessages {
    private TrajectoryMessages() {}

    /** Describes where two snapshots first differ, or returns null when they are bit-identical. */
    static String firstDifference(RunSnapshot a, RunSnapshot b) {
        int common = Math.min(a.points.size(), b.points.size());
        for (int i = 0; i < common; i++) {
            Point p = a.points.get(i);
            Point q = b.points.get(i);
            if (p.equals(q)) {
                continue;
            }
            if (p.step() != q.step()) {
                return String.format(Locale.ROOT, "point #%d is at step %d in <%s> but at step %d in <%s>",
                        i, p.step(), a.name, q.step(), b.name);
            }
            String at = String.format(Locale.ROOT, "they first differ at point #%d (step %d): ", i, p.step());
            // Double.compare, like Point.equals, tells 0.0 from -0.0; full precision shows the difference.
            if (Double.compare(p.loss(), q.loss()) != 0) {
                return at + "loss " + p.loss() + " vs " + q.loss();
            }
            double[] pg = p.groupLosses();
            double[] qg = q.groupLosses();
            if (pg.length != qg.length) {
                return at + "<" + a.name + "> tracks " + pg.length + " groups and <" + b.name + "> " + qg.length;
            }
            for (int g = 0; g < pg.length; g++) {
                if (Double.compare(pg[g], qg[g]) != 0) {
                    return at + "group " + g + " loss " + pg[g] + " vs " + qg[g];
                }
            }
        }
        if (a.points.size() != b.points.size()) {
            RunSnapshot longer = a.points.size() > b.points.size() ? a : b;
            return String.format(Locale.ROOT, "<%s> has %d points and <%s> has %d; the first unmatched is %s in <%s>",
                    a.name, a.points.size(), b.name, b.points.size(), longer.points.get(common), longer.name);
        }
        return null;
    }

    /** One line per run, names padded so the numbers line up. */
    static String summary(RunSnapshot... runs) {
        int width = 0;
        for (RunSnapshot r : runs) {
            width = Math.max(width, r.name.length());
        }
        StringBuilder sb = new StringBuilder();
        for (RunSnapshot r : runs) {
            if (sb.length() > 0) {
                sb.append(System.lineSeparator());
            }
            sb.append("  ").append(r.name).append(':').append(" ".repeat(width - r.name.length() + 1));
            if (r.points.isEmpty()) {
                sb.append("no points");
                continue;
            }
            Point first = r.first();
            Point last = r.last();
            sb.append(r.points.size()).append(r.points.size() == 1 ? " point" : " points")
                    .append(", steps ").append(first.step()).append("..").append(last.step())
                    .append(", loss ").append(num(first.loss())).append(" → ").append(num(last.loss()));
            double[] groups = last.groupLosses();
            if (groups.length > 0) {
                sb.append(", final groups [");
                for (int g = 0; g < groups.length; g++) {
                    sb.append(g == 0 ? "" : ", ").append(num(groups[g]));
                }
                sb.append(']');
            }
        }
        return sb.toString();
    }

    /** Four significant digits: enough to judge a loss, short enough to read a message at a glance. */
    static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * {@code "a op b"} with four significant digits, or at full precision when four digits would print the
     * two numbers identically (a message such as "0.6150 > 0.6150" would only confuse).
     */
    static String compared(double a, String op, double b) {
        String[] shown = shown(a, b);
        return shown[0] + " " + op + " " + shown[1];
    }

    /** {@code "value > expression = limit"}, with the two numbers printed as {@link #compared} does. */
    static String exceeds(double value, String expression, double limit) {
        String[] shown = shown(value, limit);
        return shown[0] + " > " + expression + " = " + shown[1];
    }

    /** The two numbers as {@link #compared} prints them. */
    static String[] shown(double a, double b) {
        String sa = num(a);
        String sb = num(b);
        return sa.equals(sb) ? new String[] {Double.toString(a), Double.toString(b)} : new String[] {sa, sb};
    }
}
