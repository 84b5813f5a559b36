package io.github.descent4j.datasets.tribuo;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.SparseLabelledData;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts descent4j's framework-free {@link LabelledData} and {@link SparseLabelledData} into Tribuo
 * classification datasets (class weights as example weights: {@code io.github.descent4j.tribuo.imbalance.ClassWeightedExamples}).
 */
public final class TribuoDatasets {
    private TribuoDatasets() {}

    /**
     * A Tribuo dataset with features named {@code f000, f001, ...}.
     *
     * @param data the examples
     * @param description provenance description, e.g. the file name
     * @param omitZeros drop zero-valued features from each example, so Tribuo represents the examples as
     *                  sparse vectors and its SGD models produce sparse gradients
     */
    public static MutableDataset<Label> classification(LabelledData data, String description, boolean omitZeros) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(description, factory), factory);
        String[] names = new String[data.dimension()];
        for (int j = 0; j < names.length; j++) {
            names[j] = String.format("f%03d", j);
        }
        for (int i = 0; i < data.size(); i++) {
            Label label = new Label(data.classNames().get(data.labels()[i]));
            double[] row = data.features()[i];
            List<String> featureNames = new ArrayList<>(row.length);
            List<Double> values = new ArrayList<>(row.length);
            for (int j = 0; j < row.length; j++) {
                if (!omitZeros || row[j] != 0.0) {
                    featureNames.add(names[j]);
                    values.add(row[j]);
                }
            }
            double[] v = new double[values.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = values.get(k);
            }
            dataset.add(new ArrayExample<>(label, featureNames.toArray(new String[0]), v));
        }
        return dataset;
    }

    /**
     * A Tribuo dataset holding only each example's active features, named by {@code data.featureNames()};
     * Tribuo's SGD models then see sparse vectors and produce sparse gradients.
     */
    public static MutableDataset<Label> classification(SparseLabelledData data, String description) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(description, factory), factory);
        String[] names = data.featureNames().toArray(new String[0]);
        Label[] labels = new Label[data.classCount()];
        for (int c = 0; c < labels.length; c++) {
            labels[c] = new Label(data.classNames().get(c));
        }
        for (int i = 0; i < data.size(); i++) {
            int[] indices = data.indices()[i];
            String[] featureNames = new String[indices.length];
            for (int k = 0; k < indices.length; k++) {
                featureNames[k] = names[indices[k]];
            }
            dataset.add(new ArrayExample<>(labels[data.labels()[i]], featureNames, data.values()[i].clone()));
        }
        return dataset;
    }
}
