package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.tribuo.listen.PreparedExamples;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Output;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;

import java.util.ArrayList;
import java.util.List;

/** Converts a dataset's examples into feature vectors (bias appended) and objective targets, like Tribuo's loop. */
final class ExampleConversion {
    private ExampleConversion() {}

    /**
     * @throws IllegalArgumentException for a negative, NaN or infinite example weight, or an output the
     *     trainer's target conversion rejects
     */
    static <T extends Output<T>, U> PreparedExamples<T> prepare(Dataset<T> data, ImmutableFeatureMap featureMap,
                                                                ImmutableOutputInfo<T> outputInfo,
                                                                TrainerHooks<T, U, ?> hooks) {
        int n = data.size();
        SGDVector[] features = new SGDVector[n];
        Object[] targets = new Object[n];
        List<T> outputs = new ArrayList<>(n);
        double[] weights = new double[n];
        int i = 0;
        for (Example<T> example : data) {
            double w = example.getWeight();
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("example " + i + " has weight " + w
                        + "; example weights must be finite and >= 0");
            }
            weights[i] = w;
            features[i] = example.size() == featureMap.size()
                    ? DenseVector.createDenseVector(example, featureMap, true)
                    : SparseVector.createSparseVector(example, featureMap, true);
            targets[i] = hooks.target().apply(outputInfo, example.getOutput());
            outputs.add(example.getOutput());
            i++;
        }
        return new PreparedExamples<>(featureMap, features, targets, outputs, weights);
    }
}
