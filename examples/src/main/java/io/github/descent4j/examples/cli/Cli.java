package io.github.descent4j.examples.cli;

/** Option-value parsing shared by the subcommands; every problem becomes a one-line {@link UsageException}. */
public final class Cli {
    private Cli() {}

    public static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    public static int intAtLeast(String text, String option, int min) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min) {
                throw new UsageException(option + " must be an integer >= " + min + ", got " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer >= " + min + ", got '" + text + "'");
        }
    }

    public static long parseLong(String text, String option) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer, got '" + text + "'");
        }
    }

    public static double[] positiveDoubles(String text, String option) {
        String[] parts = text.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException(option + " must be comma-separated numbers > 0, got '" + parts[i].trim() + "'");
            }
            if (!(values[i] > 0) || Double.isInfinite(values[i])) {
                throw new UsageException(option + " must be comma-separated finite numbers > 0, got " + parts[i].trim());
            }
        }
        return values;
    }

    /** A number in the given interval (each end open or closed), else a one-line usage error stating it. */
    public static double doubleIn(String text, String option, double low, boolean lowClosed, double high, boolean highClosed) {
        String range = (lowClosed ? "[" : "(") + low + ", " + (high == Double.MAX_VALUE ? "inf" : Double.toString(high))
                + (highClosed && high != Double.MAX_VALUE ? "]" : ")");
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a number in " + range + ", got '" + text + "'");
        }
        boolean ok = !Double.isNaN(v) && !Double.isInfinite(v) && (lowClosed ? v >= low : v > low)
                && (highClosed ? v <= high : v < high);
        if (!ok) {
            throw new UsageException(option + " must be a number in " + range + ", got " + text);
        }
        return v;
    }
}
