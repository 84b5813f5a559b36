package io.github.descent4j.tribuo;

import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The numeric datasets copied into test-data/data (system property descent4j.data.dir). */
public final class TestData {
    private TestData() {}

    static Path dir() {
        return Paths.get(System.getProperty("descent4j.data.dir", "../test-data/data"));
    }

    /** Wine, split 70/30 stratified and standardised on the training part: {train, test}. */
    public static LabelledData[] wine() {
        LabelledData[] split = DataFiles.readWithHeader(dir().resolve("wine_data.csv")).split(0.7, 42);
        return split[0].standardise(split[1]);
    }

    /** Digits with pixels scaled to [0, 1] (zeros stay zero, so the data can be sparse): {train, test}. */
    public static LabelledData[] digits() {
        LabelledData all = DataFiles.readHeaderless(dir().resolve("digits.csv.gz"));
        double[][] f = new double[all.size()][];
        for (int i = 0; i < f.length; i++) {
            f[i] = all.features()[i].clone();
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] /= 16.0;
            }
        }
        return new LabelledData(f, all.labels(), all.classNames()).split(0.7, 42);
    }
}
