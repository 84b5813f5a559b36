package io.github.descent4j.core.imbalance;

import io.github.descent4j.core.InvalidHyperparameterException;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A partition of classes into groups of similar frequency, each group holding about the same number of
 * examples, as used by Kunstner et al. (2024), "Heavy-tailed class imbalance and why Adam outperforms
 * gradient descent on language models", to plot the training loss of frequent and rare classes
 * separately (their {@code split_classes_by_frequency}).
 * <p>
 * The rule, for counts n_0..n_{K−1} with total N = Σ n_k and G groups:
 * <ol>
 *   <li>sort the classes by count, largest first; equal counts by smaller class index first (Kunstner's
 *       code leaves the order of equal counts unspecified, this fixes it);</li>
 *   <li>the class at sorted position j, with {@code before} = the total count of the classes sorted
 *       before it, goes to group ⌊G · before / N⌋, computed exactly in integer arithmetic. So group g
 *       starts at the first class whose preceding classes already hold at least g/G of the examples;</li>
 *   <li>classes with count 0 (which sort last) go to the last, rarest group.</li>
 * </ol>
 * Groups are numbered most frequent first; within a group, classes are listed in sorted order.
 * <p>
 * As in the reference, a group can be EMPTY: when one class's share spans two cut points g/G at once
 * (possible only if it holds more than N/G examples; Kunstner's cut indices then coincide and
 * {@code np.split} returns an empty split), and with G above the number of classes the last groups stay empty. {@link #of} returns those groups as
 * the reference does; {@link #emptyGroups()} lists them and {@link #largestWithoutEmptyGroup(int[])} names the
 * largest G that leaves none empty, for listeners and tools that need every group populated.
 * <p>
 * The reference compares floating-point cumulative frequencies with {@code np.linspace} cut points; this
 * class decides the same comparisons exactly in integers, so the two can differ only where a cumulative
 * frequency lies within rounding of a cut point.
 */
public final class ClassFrequencyGroups implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] counts;
    private final int[][] groups;
    private final int[] groupOf;

    private ClassFrequencyGroups(long[] counts, int[][] groups, int[] groupOf) {
        this.counts = counts;
        this.groups = groups;
        this.groupOf = groupOf;
    }

    /**
     * Groups classes by their example counts using the rule in the class description; groups may be empty.
     *
     * @param classCounts examples per class index; non-empty, every count ≥ 0, total > 0
     * @param groups number of groups G ≥ 1 (as in the reference, any G: groups the rule leaves without a class are empty)
     * @throws IllegalArgumentException on invalid counts or {@code groups} &lt; 1
     */
    public static ClassFrequencyGroups of(int[] classCounts, int groups) {
        long[] counts = checkedCounts(classCounts);
        if (groups < 1) {
            throw new InvalidHyperparameterException("groups", "groups must be >= 1, got " + groups);
        }
        long total = Arrays.stream(counts).sum();
        int[] sorted = sortedByCount(counts);
        return build(counts, sorted, assign(counts, sorted, total, groups), groups);
    }

    /**
     * The largest G for which {@link #of} leaves no group empty for these counts (at least 1, at most the
     * number of classes K).
     *
     * @param classCounts examples per class index, as for {@link #of}
     */
    public static int largestWithoutEmptyGroup(int[] classCounts) {
        long[] counts = checkedCounts(classCounts);
        long total = Arrays.stream(counts).sum();
        int[] sorted = sortedByCount(counts);
        int largest = counts.length;
        // G = 1 never leaves a group empty, so the search always ends.
        while (largest > 1 && firstEmptyGroup(assign(counts, sorted, total, largest), largest) >= 0) {
            largest--;
        }
        return largest;
    }

    private static long[] checkedCounts(int[] classCounts) {
        if (classCounts == null || classCounts.length == 0) {
            throw new IllegalArgumentException("classCounts must hold at least one class, got none");
        }
        long total = 0;
        long[] counts = new long[classCounts.length];
        for (int k = 0; k < classCounts.length; k++) {
            if (classCounts[k] < 0) {
                throw new IllegalArgumentException("classCounts[" + k + "] must be >= 0, got " + classCounts[k]);
            }
            counts[k] = classCounts[k];
            total += classCounts[k];
        }
        if (total == 0) {
            throw new IllegalArgumentException("classCounts must have a total > 0, got all zeros");
        }
        return counts;
    }

    /**
     * Counts the labels per class, then groups as {@link #of(int[], int)}.
     *
     * @param labels class index per example, each in [0, classCount)
     * @param classCount number of classes K ≥ 1; classes never seen get count 0
     * @param groups number of groups, as for {@link #of(int[], int)}
     */
    public static ClassFrequencyGroups fromLabels(int[] labels, int classCount, int groups) {
        if (classCount < 1) {
            throw new IllegalArgumentException("classCount must be >= 1, got " + classCount);
        }
        int[] counts = new int[classCount];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("labels[" + i + "] must be in [0, " + (classCount - 1) + "], got " + labels[i]);
            }
            counts[labels[i]]++;
        }
        return of(counts, groups);
    }

    /** Class indices ordered by count descending, equal counts by index ascending. */
    private static int[] sortedByCount(long[] counts) {
        Integer[] order = new Integer[counts.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(k -> -counts[k]).thenComparingInt(k -> k));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** The group of each sorted position under G = {@code groups}. */
    private static int[] assign(long[] counts, int[] sorted, long total, int groups) {
        int[] assignment = new int[sorted.length];
        long before = 0;
        for (int j = 0; j < sorted.length; j++) {
            // Zero-count classes have before = N, which the formula would map to G: clamp into the last group.
            assignment[j] = Math.min(groups - 1, floorScaled(groups, before, total));
            before += counts[sorted[j]];
        }
        return assignment;
    }

    /** ⌊g · before / total⌋ exactly; falls back to BigInteger only if the product overflows a long. */
    private static int floorScaled(int g, long before, long total) {
        long high = Math.multiplyHigh(g, before);
        if (high == 0 && g * before >= 0) {
            return (int) (g * before / total);
        }
        return BigInteger.valueOf(g).multiply(BigInteger.valueOf(before)).divide(BigInteger.valueOf(total)).intValueExact();
    }

    /** The smallest group index that no position maps to, or −1. Assignments are non-decreasing. */
    private static int firstEmptyGroup(int[] assignment, int groups) {
        boolean[] used = new boolean[groups];
        for (int g : assignment) {
            used[g] = true;
        }
        for (int g = 0; g < groups; g++) {
            if (!used[g]) {
                return g;
            }
        }
        return -1;
    }

    private static ClassFrequencyGroups build(long[] counts, int[] sorted, int[] assignment, int groups) {
        List<List<Integer>> members = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            members.add(new ArrayList<>());
        }
        int[] groupOf = new int[counts.length];
        for (int j = 0; j < sorted.length; j++) {
            members.get(assignment[j]).add(sorted[j]);
            groupOf[sorted[j]] = assignment[j];
        }
        int[][] out = new int[groups][];
        for (int g = 0; g < groups; g++) {
            out[g] = members.get(g).stream().mapToInt(Integer::intValue).toArray();
        }
        return new ClassFrequencyGroups(counts, out, groupOf);
    }

    /** The indices of the groups that hold no class, ascending; empty when every group has a class. */
    public int[] emptyGroups() {
        return IntStream.range(0, groups.length).filter(g -> groups[g].length == 0).toArray();
    }

    /** Number of groups G. */
    public int groupCount() {
        return groups.length;
    }

    /** Number of classes K, including those with count 0. */
    public int classCount() {
        return counts.length;
    }

    /** The group (0 = most frequent) holding class {@code classIndex} ∈ [0, K). */
    public int groupOf(int classIndex) {
        if (classIndex < 0 || classIndex >= counts.length) {
            throw new IllegalArgumentException("classIndex must be in [0, " + (counts.length - 1) + "], got " + classIndex);
        }
        return groupOf[classIndex];
    }

    /** A copy of the class indices in group {@code group} ∈ [0, G), most frequent first. */
    public int[] classes(int group) {
        return groups[checkGroup(group)].clone();
    }

    /** A deep copy of all groups, most frequent group first. */
    public int[][] groups() {
        int[][] out = new int[groups.length][];
        for (int g = 0; g < groups.length; g++) {
            out[g] = groups[g].clone();
        }
        return out;
    }

    /** The total count of the classes in group {@code group} ∈ [0, G). */
    public long exampleCount(int group) {
        long sum = 0;
        for (int k : groups[checkGroup(group)]) {
            sum += counts[k];
        }
        return sum;
    }

    /** Per group, its share of all examples: exampleCount(g) / N. The entries sum to 1 up to rounding. */
    public double[] exampleFraction() {
        long total = Arrays.stream(counts).sum();
        double[] out = new double[groups.length];
        for (int g = 0; g < out.length; g++) {
            out[g] = (double) exampleCount(g) / total;
        }
        return out;
    }

    private int checkGroup(int group) {
        if (group < 0 || group >= groups.length) {
            throw new IllegalArgumentException("group must be in [0, " + (groups.length - 1) + "], got " + group);
        }
        return group;
    }

    /** E.g. {@code ClassFrequencyGroups[2 groups: [0] 50 examples; [2, 1] 25 examples]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ClassFrequencyGroups[").append(groups.length).append(" groups: ");
        for (int g = 0; g < groups.length; g++) {
            sb.append(g == 0 ? "" : "; ").append(Arrays.toString(groups[g])).append(' ').append(exampleCount(g)).append(" examples");
        }
        return sb.append(']').toString();
    }
}
