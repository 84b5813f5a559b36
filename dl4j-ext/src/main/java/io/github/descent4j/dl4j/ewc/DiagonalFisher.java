package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The diagonal empirical Fisher of a trained network on a task's data, as EWC uses it (Kirkpatrick et al.
 * 2017):
 * <pre>
 *   Fᵢ = (1/N) · Σₙ (∂ℓₙ/∂θᵢ)²
 * </pre>
 * with ℓₙ the network's loss on example n alone, at its current parameters. The per-example gradients come
 * from running the network on minibatches of one example ({@code computeGradientAndScore}), which is slow
 * (one forward and backward pass per example) but exact and free of any batch-size effect; the network's
 * regularisations do not enter (DL4J adds them in the updater, not in the gradient), dropout and other
 * training-time noise do when the network has them. Sums are in double, in data order.
 */
public final class DiagonalFisher {
    private DiagonalFisher() {}

    /**
     * @param net  the network trained on the old task (its parameters are not changed)
     * @param data the old task's data; reset before use when it supports reset
     * @return per parameter name ({@code "0_W"}, …), F shaped like the parameter, in double
     * @throws InvalidHyperparameterException naming {@code net} or {@code data} when missing or empty
     */
    public static Map<String, INDArray> compute(MultiLayerNetwork net, DataSetIterator data) {
        if (net == null) {
            throw new InvalidHyperparameterException("net", "the network is null");
        }
        if (data == null) {
            throw new InvalidHyperparameterException("data", "the old-task data is missing (null iterator)");
        }
        if (data.resetSupported()) {
            data.reset();
        }
        Map<String, INDArray> table = net.paramTable();
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            sums.put(e.getKey(), new double[(int) e.getValue().length()]);
        }
        long count = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            int n = batch.numExamples();
            for (int e = 0; e < n; e++) {
                DataSet one = batch.get(e);
                net.setInput(one.getFeatures());
                net.setLabels(one.getLabels());
                net.setLayerMaskArrays(one.getFeaturesMaskArray(), one.getLabelsMaskArray());
                net.computeGradientAndScore();
                Map<String, INDArray> grads = net.gradient().gradientForVariable();
                for (Map.Entry<String, double[]> s : sums.entrySet()) {
                    INDArray grad = grads.get(s.getKey());
                    if (grad == null) {
                        continue;   // a parameter without gradient (not trained): F = 0
                    }
                    double[] g = ElasticWeightConsolidation.valuesOf(grad.castTo(DataType.DOUBLE),
                            table.get(s.getKey()).ordering());
                    double[] sum = s.getValue();
                    for (int i = 0; i < g.length; i++) {
                        sum[i] += g[i] * g[i];
                    }
                }
                count++;
            }
        }
        net.clearLayerMaskArrays();
        net.clear();
        if (count == 0) {
            throw new InvalidHyperparameterException("data", "the old-task data has no examples");
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            INDArray p = e.getValue();
            double[] f = sums.get(e.getKey());
            for (int i = 0; i < f.length; i++) {
                f[i] /= count;
            }
            out.put(e.getKey(), org.nd4j.linalg.factory.Nd4j.createFromArray(f).reshape(p.ordering(), p.shape()));
        }
        return out;
    }
}
