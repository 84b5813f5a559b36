package io.github.descent4j.core.layerwise;

import io.github.descent4j.core.Check;
import io.github.descent4j.core.InvalidHyperparameterException;

import java.util.Arrays;
import java.util.List;

/**
 * A distribution of learning-rate multipliers over the depth of a network: layer 0 is the input side
 * (embeddings or first layer), layer {@code depth − 1} the head. Kenneweg et al. (2024), "Learning Rate
 * Distributions over Layers Reduce Forgetting", fine-tune with such per-layer multipliers and combine
 * distributions found on different tasks by their geometric mean.
 * <p>
 * Framework-free: the DL4J and Tribuo adapters turn the multipliers into per-layer (per-tensor) learning
 * rates.
 */
public abstract class LearningRateDistribution {

    private LearningRateDistribution() {}

    /**
     * The multiplier of every layer, input side first.
     *
     * @param depth number of layers that train, >= 1
     */
    public final double[] multipliers(int depth) {
        Check.atLeast("depth", depth, 1);
        return compute(depth);
    }

    abstract double[] compute(int depth);

    /** Every layer gets multiplier 1. */
    public static LearningRateDistribution flat() {
        return new Flat();
    }

    /**
     * Layer-wise learning-rate decay (the ELECTRA / BEiT convention): layer i gets
     * {@code decay^(depth − 1 − i)}, so the head gets 1 and the first layer the strongest decay.
     *
     * @param decay in (0, 1]
     */
    public static LearningRateDistribution layerwiseDecay(double decay) {
        return new LayerwiseDecay(decay);
    }

    /**
     * Explicit multipliers, input side first. When their number differs from the depth, they are resampled
     * by linear interpolation: value k sits at position k / (n − 1) of the depth, layer i at i / (depth − 1)
     * (a single layer takes the head's value, the last one).
     *
     * @param multipliers finite, >= 0, at least one > 0
     */
    public static LearningRateDistribution explicit(double... multipliers) {
        return new Explicit(multipliers);
    }

    /**
     * The element-wise geometric mean {@code (Π_k d_k[i])^(1/K)} of several distributions, each evaluated at
     * the same depth; Kenneweg et al. combine distributions found on different tasks this way.
     */
    public static LearningRateDistribution geometricMean(LearningRateDistribution... distributions) {
        return new GeometricMean(List.of(distributions));
    }

    private static final class Flat extends LearningRateDistribution {
        @Override
        double[] compute(int depth) {
            double[] m = new double[depth];
            Arrays.fill(m, 1.0);
            return m;
        }

        @Override
        public String toString() {
            return "flat";
        }
    }

    private static final class LayerwiseDecay extends LearningRateDistribution {
        private final double decay;

        LayerwiseDecay(double decay) {
            Check.positive("decay", decay);
            if (decay > 1) {
                throw new InvalidHyperparameterException("decay", "decay must be in (0, 1], got " + decay);
            }
            this.decay = decay;
        }

        @Override
        double[] compute(int depth) {
            double[] m = new double[depth];
            for (int i = 0; i < depth; i++) {
                m[i] = Math.pow(decay, depth - 1 - i);
            }
            return m;
        }

        @Override
        public String toString() {
            return "layerwiseDecay(" + decay + ")";
        }
    }

    private static final class Explicit extends LearningRateDistribution {
        private final double[] values;

        Explicit(double[] values) {
            if (values == null || values.length == 0) {
                throw new InvalidHyperparameterException("multipliers", "multipliers must hold at least one value");
            }
            boolean anyPositive = false;
            for (int k = 0; k < values.length; k++) {
                Check.nonNegative("multipliers[" + k + "]", values[k]);
                anyPositive |= values[k] > 0;
            }
            if (!anyPositive) {
                throw new InvalidHyperparameterException("multipliers", "multipliers must not all be 0");
            }
            this.values = values.clone();
        }

        @Override
        double[] compute(int depth) {
            int n = values.length;
            if (n == depth) {
                return values.clone();
            }
            double[] m = new double[depth];
            if (depth == 1) {
                m[0] = values[n - 1];
                return m;
            }
            if (n == 1) {
                Arrays.fill(m, values[0]);
                return m;
            }
            for (int i = 0; i < depth; i++) {
                double position = i * (n - 1) / (double) (depth - 1);
                int k = Math.min((int) Math.floor(position), n - 2);
                double t = position - k;
                m[i] = values[k] + t * (values[k + 1] - values[k]);
            }
            return m;
        }

        @Override
        public String toString() {
            return "explicit" + Arrays.toString(values);
        }
    }

    private static final class GeometricMean extends LearningRateDistribution {
        private final List<LearningRateDistribution> parts;

        GeometricMean(List<LearningRateDistribution> parts) {
            if (parts.isEmpty()) {
                throw new InvalidHyperparameterException("distributions", "distributions must hold at least one distribution");
            }
            this.parts = parts;
        }

        @Override
        double[] compute(int depth) {
            double[] logSum = new double[depth];
            for (LearningRateDistribution d : parts) {
                double[] m = d.multipliers(depth);
                for (int i = 0; i < depth; i++) {
                    logSum[i] += Math.log(m[i]);
                }
            }
            double[] mean = new double[depth];
            for (int i = 0; i < depth; i++) {
                // A zero multiplier gives log 0 = −∞ and exp(−∞) = 0: a layer frozen by one distribution stays frozen.
                mean[i] = Math.exp(logSum[i] / parts.size());
            }
            return mean;
        }

        @Override
        public String toString() {
            return "geometricMean" + parts;
        }
    }
}
