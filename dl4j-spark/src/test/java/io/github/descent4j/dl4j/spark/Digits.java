package io.github.descent4j.dl4j.spark;

import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The bundled 8×8 digits, pixels scaled to [0, 1], one-hot labels: a 70/30 stratified split. */
final class Digits {
    private static LabelledData[] split;

    private Digits() {}

    static synchronized LabelledData[] split() {
        if (split == null) {
            LabelledData all = DataFiles.readHeaderless(Paths.get(System.getProperty("descent4j.data.dir", "../test-data/data"))
                    .resolve("digits.csv.gz"));
            double[][] f = new double[all.size()][];
            for (int i = 0; i < f.length; i++) {
                f[i] = all.features()[i].clone();
                for (int j = 0; j < f[i].length; j++) {
                    f[i][j] /= 16.0;
                }
            }
            split = new LabelledData(f, all.labels(), all.classNames()).split(0.7, 42);
        }
        return split;
    }

    static DataSet train() {
        return dataSet(split()[0]);
    }

    static DataSet test() {
        return dataSet(split()[1]);
    }

    /** The training set as minibatches of {@code size} examples (the last may be smaller), in a fixed shuffled order. */
    static List<DataSet> trainBatches(int size) {
        DataSet train = train();
        train.shuffle(7);
        List<DataSet> batches = new ArrayList<>();
        for (DataSet batch : train.batchBy(size)) {
            batches.add(batch);
        }
        return batches;
    }

    static DataSet dataSet(LabelledData data) {
        float[][] x = new float[data.size()][];
        float[][] y = new float[data.size()][data.classCount()];
        for (int i = 0; i < x.length; i++) {
            double[] row = data.features()[i];
            x[i] = new float[row.length];
            for (int j = 0; j < row.length; j++) {
                x[i][j] = (float) row[j];
            }
            y[i][data.labels()[i]] = 1f;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }
}
