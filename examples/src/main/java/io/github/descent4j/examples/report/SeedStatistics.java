package io.github.descent4j.examples.report;

import java.util.List;
import java.util.Locale;

/** Summaries over seeds that the showcases print and write: mean, sample standard deviation, "mean ± sd". */
public final class SeedStatistics {
    private SeedStatistics() {}

    /** The mean; NaN for no values. */
    public static double mean(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (divisor n − 1; 0 for a single value). */
    public static double sd(List<? extends Number> values) {
        double m = mean(values);
        return Math.sqrt(values.stream().mapToDouble(v -> (v.doubleValue() - m) * (v.doubleValue() - m)).sum()
                / Math.max(1, values.size() - 1));
    }

    /** "mean ± sd" with the given number of decimals. */
    public static String meanSd(List<? extends Number> values, int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " ± " + f, mean(values), sd(values));
    }
}
