package io.github.descent4j.examples.imbalance;

import io.github.descent4j.examples.cli.UsageException;
import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.AdamW;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.optim.NormalizedSGD;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.optim.Signum;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.math.optimisers.SGD;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The optimisers the imbalance showcase knows by name, each with the log grid of learning rates it is
 * tuned over. Gradient descent and its momentum variant are Tribuo's own {@code SGD}; the rest are
 * descent4j's. Momentum 0.9 and Adam's β = (0.9, 0.999) follow Kunstner et al. (2024).
 */
final class OptimiserCatalog {

    /** A named optimiser family: how to build it at a learning rate, and the default grid. */
    record Entry(String name, DoubleFunction<StochasticGradientOptimiser> factory, double[] grid) {}

    /** Sign methods, Adam and Lion take steps of about lr per coordinate. */
    private static final double[] SIGN = {1e-4, 1e-3, 1e-2, 1e-1};
    private static final double[] ADAM = {1e-3, 1e-2, 1e-1, 1};
    /** Gradient-scaled steps: SGD, its momentum variant, AdaGrad-Norm. */
    private static final double[] GRADIENT = {1e-1, 1, 10, 100};
    private static final double[] NORMALIZED = {1e-2, 1e-1, 1, 10};

    /**
     * The one grid every optimiser gets on the synthetic problem: six decades, wide enough that each
     * optimiser's best rate at the default horizon lies inside it.
     */
    static final double[] WIDE_GRID = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add("SGD", lr -> SGD.getSimpleSGD(lr), GRADIENT);
        add("SGD+momentum", lr -> SGD.getSimpleSGD(lr, 0.9, SGD.Momentum.STANDARD), GRADIENT);
        add("Adam", lr -> new Adam(lr), ADAM);
        add("SignSGD", lr -> new SignSGD(lr, 0.0), SIGN);
        add("SignSGD+momentum", lr -> new SignSGD(lr, 0.9), SIGN);
        add("NormalizedSGD", lr -> new NormalizedSGD(lr, 0.0), NORMALIZED);
        add("Signum", lr -> new Signum(lr, 0.9), SIGN);
        add("Lion", lr -> new Lion(lr, 0.9, 0.99, 0.0), SIGN);
        add("AdaGradNorm", lr -> new AdaGradNorm(lr, 0.01), GRADIENT);
        add("NormalizedSGD+momentum", lr -> new NormalizedSGD(lr, 0.9), NORMALIZED);
        add("AdamW", lr -> new AdamW(lr, 0.9, 0.999, 1e-8, 0.01), ADAM);
        add("AdaGrad", lr -> new AdaGrad(lr, 1e-8), GRADIENT);
    }

    /** The showcase's default comparison, in report order. */
    static final List<String> DEFAULT = List.of("SGD", "SGD+momentum", "Adam", "SignSGD", "SignSGD+momentum",
            "NormalizedSGD", "Signum", "Lion", "AdaGradNorm");

    private OptimiserCatalog() {}

    private static void add(String name, DoubleFunction<StochasticGradientOptimiser> factory, double[] grid) {
        ENTRIES.put(name.toLowerCase(Locale.ROOT), new Entry(name, factory, grid));
    }

    /** Every known name. */
    static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Entry e : ENTRIES.values()) {
            names.add(e.name());
        }
        return names;
    }

    /**
     * The entry called {@code name} (case-insensitive; {@code -} may stand for {@code +}).
     *
     * @throws UsageException listing the known names if there is none
     */
    static Entry get(String name) {
        Entry e = ENTRIES.get(name.trim().toLowerCase(Locale.ROOT).replace('-', '+'));
        if (e == null) {
            throw new UsageException("unknown optimizer '" + name + "'; known: " + String.join(", ", names()));
        }
        return e;
    }

    /** Parses a comma-separated list of names. */
    static List<Entry> parse(String list) {
        List<Entry> entries = new ArrayList<>();
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                Entry e = get(part);
                if (entries.contains(e)) {
                    throw new UsageException("optimizer '" + e.name() + "' is listed twice");
                }
                entries.add(e);
            }
        }
        if (entries.isEmpty()) {
            throw new UsageException("--optimizers needs at least one name; known: " + String.join(", ", names()));
        }
        return entries;
    }
}
