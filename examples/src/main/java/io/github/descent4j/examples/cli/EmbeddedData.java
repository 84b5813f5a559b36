package io.github.descent4j.examples.cli;

import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The datasets shipped inside the command-line jar, so the showcase runs without any file. */
public final class EmbeddedData {
    private static final String DIGITS = "/io/github/descent4j/examples/digits.csv.gz";

    private EmbeddedData() {}

    /** UCI optical digits as shipped by scikit-learn: 1797 images of 8 × 8 pixels (0–16), labels 0–9. */
    public static LabelledData digits() {
        try (InputStream in = EmbeddedData.class.getResourceAsStream(DIGITS)) {
            if (in == null) {
                throw new UsageException("the embedded digits data is missing from the jar (" + DIGITS + ")");
            }
            return DataFiles.readHeaderless("digits.csv.gz", in);
        } catch (IOException | UncheckedIOException e) {
            throw new UsageException("cannot read the embedded digits data: " + e.getMessage());
        }
    }
}
