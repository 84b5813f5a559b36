package io.github.descent4j.testkit;

import io.github.descent4j.core.training.LossTrajectory;
import io.github.descent4j.core.training.LossTrajectory.Point;
import org.assertj.core.api.AbstractAssert;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

import static io.github.descent4j.testkit.TrajectoryMessages.compared;
import static io.github.descent4j.testkit.TrajectoryMessages.exceeds;
import static io.github.descent4j.testkit.TrajectoryMessages.firstDifference;
import static io.github.descent4j.testkit.TrajectoryMessages.num;
import static io.github.descent4j.testkit.TrajectoryMessages.shown;
import static io.github.descent4j.testkit.TrajectoryMessages.summary;

/**
 * AssertJ assertions on a recorded training run, meant to guard an optimiser swap with regression tests
 * against a baseline optimiser's run:
 * <pre>
 *   assertThatRun(adam)
 *       .hasFinalLossWithinFactorOf(sgd, 1.5)
 *       .hasRarestGroupLossBelow(sgd)
 *       .convergesTo(0.5, 2_000);
 * </pre>
 * Every assertion first requires the run under test to have recorded points, and every failure message
 * summarises each trajectory involved (name, number of points, first and last step, initial and final
 * loss, final group losses) before saying what went wrong, so a failing CI log is enough to judge whether
 * the new optimiser regressed or the threshold was too tight.
 * <p>
 * A diverged run (final loss {@code +∞}) never satisfies a "within a factor" or "decreases" assertion, even
 * when the baseline diverged too: {@code ∞ ≤ factor · ∞} holds arithmetically, but a regression guard that
 * passes because both runs blew up would hide exactly the failure it exists to catch.
 */
public final class TrajectoryAssert extends AbstractAssert<TrajectoryAssert, LossTrajectory> {
    /** Sentinel group index for "the last group", resolved once the group count is known. */
    private static final int RAREST = -1;

    TrajectoryAssert(LossTrajectory actual) {
        super(actual, TrajectoryAssert.class);
    }

    // ---------------------------------------------------------------- overall loss

    /**
     * Verifies that the final loss is at most {@code factor} times the baseline's final loss.
     *
     * @param baseline the reference run, e.g. plain SGD on the same data and seed
     * @param factor how much worse than the baseline is tolerated; finite and at least 1
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code factor} is not finite or below 1
     * @throws NullPointerException if {@code baseline} is null
     */
    public TrajectoryAssert hasFinalLossWithinFactorOf(LossTrajectory baseline, double factor) {
        requireFactorAtLeastOne(factor);
        RunSnapshot run = recorded();
        RunSnapshot base = recordedBaseline(run, baseline);
        double limit = factor * base.finalLoss();
        if (!(run.finalLoss() <= limit) || diverged(run.finalLoss())) {
            fail("Expecting final loss of <%s> within %s× of baseline <%s>:%n%s%nbut %s",
                    run.name, num(factor), base.name, summary(run, base),
                    diverged(run.finalLoss())
                            ? "<" + run.name + "> diverged"
                            : exceeds(run.finalLoss(), num(factor) + " × " + num(base.finalLoss()), limit));
        }
        return this;
    }

    /**
     * Verifies that the final loss is strictly below {@code bound}.
     *
     * @param bound the exclusive upper bound; not NaN
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code bound} is NaN
     */
    public TrajectoryAssert hasFinalLossBelow(double bound) {
        if (Double.isNaN(bound)) {
            throw new IllegalArgumentException("bound must not be NaN");
        }
        RunSnapshot run = recorded();
        if (!(run.finalLoss() < bound)) {
            fail("Expecting final loss of <%s> below %s:%n%s%nbut %s",
                    run.name, num(bound), summary(run), compared(run.finalLoss(), ">=", bound));
        }
        return this;
    }

    /**
     * Verifies that the final loss is strictly below the baseline's final loss.
     *
     * @param baseline the reference run
     * @return {@code this}, for chaining
     * @throws NullPointerException if {@code baseline} is null
     */
    public TrajectoryAssert hasFinalLossBelow(LossTrajectory baseline) {
        RunSnapshot run = recorded();
        RunSnapshot base = recordedBaseline(run, baseline);
        if (!(run.finalLoss() < base.finalLoss())) {
            fail("Expecting final loss of <%s> below baseline <%s>:%n%s%nbut %s",
                    run.name, base.name, summary(run, base), compared(run.finalLoss(), ">=", base.finalLoss()));
        }
        return this;
    }

    /**
     * Verifies that the final loss is at most the initial loss divided by {@code factor}, i.e. training
     * reduced the loss at least {@code factor}-fold.
     *
     * @param factor the required reduction; finite and at least 1 (1 = merely did not increase)
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code factor} is not finite or below 1
     */
    public TrajectoryAssert decreasesLossBy(double factor) {
        requireFactorAtLeastOne(factor);
        RunSnapshot run = recorded();
        double initial = run.first().loss();
        double limit = initial / factor;
        if (!(run.finalLoss() <= limit) || diverged(run.finalLoss())) {
            fail("Expecting <%s> to decrease its loss by a factor of %s:%n%s%nbut %s",
                    run.name, num(factor), summary(run),
                    diverged(run.finalLoss())
                            ? "<" + run.name + "> diverged"
                            : exceeds(run.finalLoss(), num(initial) + " / " + num(factor), limit));
        }
        return this;
    }

    /**
     * Verifies that some recorded point has a loss at most {@code tolerance}, and that the first such point
     * was recorded at or before step {@code maxSteps}. Loss is only observed at recorded steps, so the step
     * found is an upper bound on when the run actually got there; record often enough for {@code maxSteps}
     * to be meaningful.
     *
     * @param tolerance the loss to reach; not NaN
     * @param maxSteps the latest acceptable step; not negative
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code tolerance} is NaN or {@code maxSteps} is negative
     */
    public TrajectoryAssert convergesTo(double tolerance, long maxSteps) {
        if (Double.isNaN(tolerance)) {
            throw new IllegalArgumentException("tolerance must not be NaN");
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must not be negative, got " + maxSteps);
        }
        RunSnapshot run = recorded();
        OptionalLong reached = OptionalLong.empty();
        Point lowest = run.first();
        for (Point p : run.points) {
            if (reached.isEmpty() && p.loss() <= tolerance) {
                reached = OptionalLong.of(p.step());
            }
            if (p.loss() < lowest.loss()) {
                lowest = p;
            }
        }
        if (reached.isEmpty()) {
            fail("Expecting <%s> to reach loss <= %s within %d steps:%n%s%nbut it never did: lowest loss %s at step %d",
                    run.name, num(tolerance), maxSteps, summary(run), compared(lowest.loss(), ">", tolerance),
                    lowest.step());
        } else if (reached.getAsLong() > maxSteps) {
            fail("Expecting <%s> to reach loss <= %s within %d steps:%n%s%nbut it first did at step %d > %d",
                    run.name, num(tolerance), maxSteps, summary(run), reached.getAsLong(), maxSteps);
        }
        return this;
    }

    // ---------------------------------------------------------------- group losses

    /**
     * Verifies that the final loss of the rarest group (the last one) is strictly below the baseline's.
     * Both runs must track group losses, and the same number of groups.
     *
     * @param baseline the reference run
     * @return {@code this}, for chaining
     * @throws NullPointerException if {@code baseline} is null
     */
    public TrajectoryAssert hasRarestGroupLossBelow(LossTrajectory baseline) {
        return groupLossCompared(RAREST, baseline, 1, true);
    }

    /**
     * Verifies that the final loss of the rarest group (the last one) is at most {@code factor} times the
     * baseline's, e.g. {@code 0.5} demands that the new optimiser at least halves it. Unlike
     * {@link #hasRarestGroupLossBelow(LossTrajectory)} the comparison is not strict, so {@code factor = 1}
     * accepts a tie.
     *
     * @param baseline the reference run
     * @param factor the largest acceptable ratio to the baseline; in (0, 1]
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code factor} is not in (0, 1]
     * @throws NullPointerException if {@code baseline} is null
     */
    public TrajectoryAssert hasRarestGroupLossBelow(LossTrajectory baseline, double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1], got " + factor);
        }
        return groupLossCompared(RAREST, baseline, factor, false);
    }

    /**
     * Verifies that the final loss of group {@code group} (0 = most frequent) is strictly below the
     * baseline's. Both runs must track group losses, the same number of groups, and more than
     * {@code group} of them.
     *
     * @param group the group's index, most frequent first; not negative
     * @param baseline the reference run
     * @return {@code this}, for chaining
     * @throws IllegalArgumentException if {@code group} is negative
     * @throws NullPointerException if {@code baseline} is null
     */
    public TrajectoryAssert hasGroupLossBelow(int group, LossTrajectory baseline) {
        if (group < 0) {
            throw new IllegalArgumentException("group must not be negative, got " + group);
        }
        return groupLossCompared(group, baseline, 1, true);
    }

    /**
     * Verifies that the final group losses do not decrease from the most frequent group to the rarest:
     * the signature of an optimiser (typically plain gradient descent) that fits common classes and leaves
     * rare ones untrained. Needs at least two groups, since with fewer there is no ordering to show.
     *
     * @return {@code this}, for chaining
     */
    public TrajectoryAssert ordersGroupsByFrequency() {
        RunSnapshot run = recorded();
        int groups = run.groupCount();
        if (groups < 2) {
            fail("Expecting final group losses of <%s> to increase from most frequent to rarest:%n%s%n"
                    + "but it tracks %d group loss(es); at least 2 are needed", run.name, summary(run), groups);
        }
        double[] losses = run.last().groupLosses();
        for (int g = 1; g < groups; g++) {
            if (!(losses[g - 1] <= losses[g])) {
                String[] shown = shown(losses[g - 1], losses[g]);
                fail("Expecting final group losses of <%s> to increase from most frequent to rarest:%n%s%n"
                        + "but group %d loss %s > group %d loss %s",
                        run.name, summary(run), g - 1, shown[0], g, shown[1]);
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- reproducibility

    /**
     * Verifies that both runs recorded the same points, bit for bit (steps, losses and group losses), as
     * {@link LossTrajectory#equals} does but ignoring the names, so that a run can be compared with a rerun
     * or with the same optimiser under another label. The failure names the first differing point with its
     * step and both values at full precision.
     *
     * @param other the run to compare with
     * @return {@code this}, for chaining
     * @throws NullPointerException if {@code other} is null
     */
    public TrajectoryAssert isIdenticalTo(LossTrajectory other) {
        RunSnapshot run = recorded();
        RunSnapshot that = new RunSnapshot(Objects.requireNonNull(other, "other"));
        String difference = firstDifference(run, that);
        if (difference != null) {
            fail("Expecting <%s> to be bit-identical to <%s> (names ignored):%n%s%nbut %s",
                    run.name, that.name, summary(run, that), difference);
        }
        return this;
    }

    // ---------------------------------------------------------------- internals

    private TrajectoryAssert groupLossCompared(int group, LossTrajectory baseline, double factor, boolean strict) {
        RunSnapshot run = recorded();
        RunSnapshot base = recordedBaseline(run, baseline);
        int groups = run.groupCount();
        if (groups == 0 || base.groupCount() == 0 || groups != base.groupCount()) {
            fail("Expecting <%s> and baseline <%s> to track the same number of group losses:%n%s%n"
                    + "but <%s> tracks %d and <%s> tracks %d",
                    run.name, base.name, summary(run, base), run.name, groups, base.name, base.groupCount());
        }
        if (group >= groups) {
            fail("Expecting final loss of group %d of <%s> below baseline <%s>:%n%s%n"
                    + "but both track only %d groups (0 to %d)",
                    group, run.name, base.name, summary(run, base), groups, groups - 1);
        }
        int g = group == RAREST ? groups - 1 : group;
        String which = group == RAREST ? "rarest group (" + g + ")" : "group " + g;
        double mine = run.last().groupLoss(g);
        double theirs = base.last().groupLoss(g);
        if (strict) {
            if (!(mine < theirs)) {
                fail("Expecting final loss of %s of <%s> below baseline <%s>:%n%s%nbut %s",
                        which, run.name, base.name, summary(run, base), compared(mine, ">=", theirs));
            }
        } else {
            double limit = factor * theirs;
            if (!(mine <= limit) || diverged(mine)) {
                fail("Expecting final loss of %s of <%s> within %s× of baseline <%s>:%n%s%nbut %s",
                        which, run.name, num(factor), base.name, summary(run, base),
                        diverged(mine)
                                ? "it diverged"
                                : exceeds(mine, num(factor) + " × " + num(theirs), limit));
            }
        }
        return this;
    }

    /** Null and emptiness check of the run under test; the snapshot it returns is what gets asserted on. */
    private RunSnapshot recorded() {
        isNotNull();
        RunSnapshot run = new RunSnapshot(actual);
        if (run.points.isEmpty()) {
            fail("Expecting trajectory <%s> to have recorded points, but it is empty", run.name);
        }
        return run;
    }

    /**
     * Null and emptiness check of a baseline. An empty baseline is reported as a failure rather than an
     * illegal argument: it usually means the baseline run itself went wrong, which the test should show.
     */
    private RunSnapshot recordedBaseline(RunSnapshot run, LossTrajectory baseline) {
        RunSnapshot base = new RunSnapshot(Objects.requireNonNull(baseline, "baseline"));
        if (base.points.isEmpty()) {
            fail("Expecting baseline trajectory <%s> to have recorded points, but it is empty:%n%s",
                    base.name, summary(run, base));
        }
        return base;
    }

    private static void requireFactorAtLeastOne(double factor) {
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be finite and at least 1, got " + factor);
        }
    }

    private static boolean diverged(double loss) {
        return loss == Double.POSITIVE_INFINITY;
    }

    /** Fails with a message already formatted here, so '%' in a trajectory name cannot break AssertJ's format. */
    private void fail(String format, Object... args) {
        failWithMessage("%s", String.format(Locale.ROOT, format, args));
    }
}
