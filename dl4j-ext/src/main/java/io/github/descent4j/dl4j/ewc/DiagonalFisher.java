package io.github.descent4j.dl4j.ewc;

import io.github.descent4j.core.InvalidHyperparameterException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

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
        Map<String, INDArray> f = accumulate(net.paramTable(), data, one -> {
            net.setInput(one.getFeatures());
            net.setLabels(one.getLabels());
            net.setLayerMaskArrays(one.getFeaturesMaskArray(), one.getLabelsMaskArray());
            net.computeGradientAndScore();
            return net.gradient().gradientForVariable();
        });
        net.clearLayerMaskArrays();
        net.clear();
        return f;
    }

    /**
     * The same for a computation graph with one input and one output ({@code DataSet} examples); keys are
     * the graph's parameter names ({@code "dense_W"}, …).
     *
     * @throws InvalidHyperparameterException naming {@code graph} (null, or not one input and one output) or
     *         {@code data}
     */
    public static Map<String, INDArray> compute(ComputationGraph graph, DataSetIterator data) {
        if (graph == null) {
            throw new InvalidHyperparameterException("graph", "the graph is null");
        }
        if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            throw new InvalidHyperparameterException("graph", "the Fisher of a graph is computed from DataSet examples,"
                    + " so the graph must have one input and one output; it has " + graph.getNumInputArrays() + " and "
                    + graph.getNumOutputArrays());
        }
        Map<String, INDArray> f = accumulate(graph.paramTable(), data, one -> {
            graph.setInputs(one.getFeatures());
            graph.setLabels(one.getLabels());
            graph.setLayerMaskArrays(one.getFeaturesMaskArray() == null ? null : new INDArray[] {one.getFeaturesMaskArray()},
                    one.getLabelsMaskArray() == null ? null : new INDArray[] {one.getLabelsMaskArray()});
            graph.computeGradientAndScore();
            return graph.gradient().gradientForVariable();
        });
        graph.clearLayerMaskArrays();
        graph.clear();
        return f;
    }

    /** (1/N)·Σₙ g_n² per parameter, with g_n the gradient {@code gradientOf} returns for example n alone. */
    private static Map<String, INDArray> accumulate(Map<String, INDArray> table, DataSetIterator data,
                                                    Function<DataSet, Map<String, INDArray>> gradientOf) {
        if (data == null) {
            throw new InvalidHyperparameterException("data", "the old-task data is missing (null iterator)");
        }
        if (data.resetSupported()) {
            data.reset();
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            sums.put(e.getKey(), new double[(int) e.getValue().length()]);
        }
        long count = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            int n = batch.numExamples();
            for (int e = 0; e < n; e++) {
                Map<String, INDArray> grads = gradientOf.apply(batch.get(e));
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
