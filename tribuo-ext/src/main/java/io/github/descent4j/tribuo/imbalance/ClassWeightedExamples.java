package io.github.descent4j.tribuo.imbalance;

import io.github.descent4j.core.imbalance.ClassWeighting;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Class reweighting for Tribuo classification datasets (Kunstner et al. 2024, "Heavy-Tailed Class Imbalance
 * and Why Adam Outperforms Gradient Descent on Language Models"): each example's weight becomes its class
 * weight, which descent4j's trainers honour in every minibatch mean.
 */
public final class ClassWeightedExamples {
    private ClassWeightedExamples() {}

    /**
     * Sets every example's weight to its class weight under {@code weighting}, computed from this dataset's
     * class counts (so the weighted loss is {@code Σ w_y ℓ / Σ w_y}, as in Kunstner et al. 2024). Tribuo
     * stores weights as floats.
     *
     * @return the class weights by label name
     */
    public static Map<String, Double> apply(MutableDataset<Label> dataset, ClassWeighting weighting) {
        List<Label> domain = new ArrayList<>(dataset.getOutputIDInfo().getDomain());
        int[] counts = new int[domain.size()];
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < domain.size(); c++) {
            index.put(domain.get(c).getLabel(), c);
        }
        for (Example<Label> example : dataset) {
            counts[index.get(example.getOutput().getLabel())]++;
        }
        double[] weights = weighting.weights(counts);
        Map<String, Double> byName = new HashMap<>();
        for (int c = 0; c < domain.size(); c++) {
            byName.put(domain.get(c).getLabel(), weights[c]);
        }
        for (Example<Label> example : dataset) {
            example.setWeight((float) weights[index.get(example.getOutput().getLabel())]);
        }
        return byName;
    }
}
