package io.github.descent4j.tribuo;

import io.github.descent4j.core.data.LabelledData;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;

/** Converts descent4j's framework-free {@link LabelledData} into Tribuo classification datasets. */
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
}
