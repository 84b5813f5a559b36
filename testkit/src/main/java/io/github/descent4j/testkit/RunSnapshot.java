package io.github.descent4j.testkit;

import io.github.descent4j.core.training.LossTrajectory;
import io.github.descent4j.core.training.LossTrajectory.Point;

import java.util.List;

/**
 * One consistent snapshot of a trajectory. A listener may still be recording into it; reading the
 * points once keeps the check and the numbers in its message about the same state.
 */
final class RunSnapshot {
    final String name;
    final List<Point> points;

    RunSnapshot(LossTrajectory trajectory) {
        this.name = String.valueOf(trajectory.name());
        this.points = trajectory.points();
    }

    Point first() {
        return points.get(0);
    }

    Point last() {
        return points.get(points.size() - 1);
    }

    double finalLoss() {
        return last().loss();
    }

    int groupCount() {
        return points.isEmpty() ? 0 : last().groupLosses().length;
    }
}
