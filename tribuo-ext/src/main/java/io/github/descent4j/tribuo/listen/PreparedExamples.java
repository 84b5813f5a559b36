package io.github.descent4j.tribuo.listen;

import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Output;
import org.tribuo.math.la.SGDVector;

import java.util.List;

/**
 * A dataset converted once into the vectors a descent4j training loop works on (feature vectors with the
 * bias feature appended, objective targets), so listeners can evaluate it repeatedly without converting
 * examples again. Created by {@link TrainingProgress#prepare}.
 *
 * @param <T> the output type
 */
public final class PreparedExamples<T extends Output<T>> {
    private final ImmutableFeatureMap featureMap;
    private final SGDVector[] features;
    private final Object[] targets;
    private final List<T> outputs;
    private final double[] weights;

    public PreparedExamples(ImmutableFeatureMap featureMap, SGDVector[] features, Object[] targets, List<T> outputs, double[] weights) {
        this.featureMap = featureMap;
        this.features = features;
        this.targets = targets;
        this.outputs = List.copyOf(outputs);
        this.weights = weights;
    }

    /** Number of examples. */
    public int size() {
        return features.length;
    }

    /** The output of every example, in dataset order. */
    public List<T> outputs() {
        return outputs;
    }

    /** The weight of example {@code i}. */
    public double weight(int i) {
        return weights[i];
    }

    public ImmutableFeatureMap featureMap() {
        return featureMap;
    }

    public SGDVector features(int i) {
        return features[i];
    }

    public Object target(int i) {
        return targets[i];
    }
}
