package io.github.descent4j.core.training;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * The recorded loss of one training run: at chosen optimiser steps, the overall loss and, optionally, the
 * loss of each class-frequency group (most frequent group first). Framework-free, so the Tribuo and DL4J
 * listeners fill it and the testkit assertions and the showcase read it.
 * <p>
 * Steps must be recorded in strictly increasing order and every record must carry the same number of
 * group losses. Losses must be finite or {@code +∞} (a diverged run); NaN is rejected so that it can never
 * hide in a comparison.
 */
public final class LossTrajectory implements Serializable {
    private static final long serialVersionUID = 1L;


    /**
     * One recorded point.
     *
     * @param step optimiser steps taken before the loss was measured (0 = the initial parameters)
     * @param loss the overall loss
     * @param groupLosses the loss of each group, most frequent first; empty when groups are not tracked
     */
    public record Point(long step, double loss, double[] groupLosses) implements Serializable {
        public Point {
            groupLosses = groupLosses.clone();
        }

        @Override
        public double[] groupLosses() {
            return groupLosses.clone();
        }

        /** The loss of group {@code g}. */
        public double groupLoss(int g) {
            return groupLosses[g];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Point p && step == p.step && Double.compare(loss, p.loss) == 0
                    && Arrays.equals(groupLosses, p.groupLosses);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(step) * 31 + Double.hashCode(loss) * 17 + Arrays.hashCode(groupLosses);
        }

        @Override
        public String toString() {
            return "step " + step + ": loss " + loss + (groupLosses.length == 0 ? "" : " groups " + Arrays.toString(groupLosses));
        }
    }

    private final String name;
    private final ArrayList<Point> points = new ArrayList<>();
    private int groupCount = -1;

    /** An empty trajectory labelled {@code name} (usually the optimiser's name). */
    public LossTrajectory(String name) {
        this.name = name;
    }

    /** The label given at construction. */
    public String name() {
        return name;
    }

    /** Records the overall loss at {@code step} without group losses. */
    public synchronized void record(long step, double loss) {
        record(step, loss, new double[0]);
    }

    /**
     * Records the overall and per-group loss at {@code step}.
     *
     * @throws IllegalArgumentException if the step does not increase, a loss is NaN or negative infinity, or
     *     the number of groups differs from earlier records
     */
    public synchronized void record(long step, double loss, double[] groupLosses) {
        if (!points.isEmpty() && step <= points.get(points.size() - 1).step()) {
            throw new IllegalArgumentException("step must increase: got " + step + " after "
                    + points.get(points.size() - 1).step());
        }
        requireLoss("loss", loss);
        for (int g = 0; g < groupLosses.length; g++) {
            requireLoss("groupLosses[" + g + "]", groupLosses[g]);
        }
        if (groupCount >= 0 && groupLosses.length != groupCount) {
            throw new IllegalArgumentException("groupLosses has " + groupLosses.length
                    + " entries but earlier records have " + groupCount);
        }
        groupCount = groupLosses.length;
        points.add(new Point(step, loss, groupLosses));
    }

    private static void requireLoss(String what, double value) {
        if (Double.isNaN(value) || value == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(what + " must be a number or +Infinity, got " + value);
        }
    }

    /** The recorded points, oldest first (an unmodifiable snapshot). */
    public synchronized List<Point> points() {
        return Collections.unmodifiableList(new ArrayList<>(points));
    }

    /** Number of recorded points. */
    public synchronized int size() {
        return points.size();
    }

    /** Whether nothing has been recorded. */
    public synchronized boolean isEmpty() {
        return points.isEmpty();
    }

    /** Number of groups per record, 0 when none are tracked or nothing is recorded. */
    public synchronized int groupCount() {
        return Math.max(groupCount, 0);
    }

    /** The first recorded point. */
    public synchronized Point first() {
        requireNonEmpty();
        return points.get(0);
    }

    /** The last recorded point. */
    public synchronized Point last() {
        requireNonEmpty();
        return points.get(points.size() - 1);
    }

    /** The overall loss of the last record. */
    public double finalLoss() {
        return last().loss();
    }

    /**
     * The first recorded step whose overall loss is at most {@code tolerance}, or empty if none is.
     */
    public synchronized OptionalLong firstStepReaching(double tolerance) {
        for (Point p : points) {
            if (p.loss() <= tolerance) {
                return OptionalLong.of(p.step());
            }
        }
        return OptionalLong.empty();
    }

    private void requireNonEmpty() {
        if (points.isEmpty()) {
            throw new IllegalStateException("trajectory '" + name + "' has no recorded points");
        }
    }

    /** Equal when the names and every recorded point (bit for bit) are equal. */
    @Override
    public synchronized boolean equals(Object o) {
        return o instanceof LossTrajectory t && name.equals(t.name) && points.equals(t.points());
    }

    @Override
    public synchronized int hashCode() {
        return name.hashCode() * 31 + points.hashCode();
    }

    @Override
    public synchronized String toString() {
        if (points.isEmpty()) {
            return name + ": (empty)";
        }
        return name + ": " + points.size() + " points, " + first() + " … " + last();
    }
}
