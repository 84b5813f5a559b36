package io.github.descent4j.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Readers for the small numeric datasets descent4j uses in tests and examples.
 * <p>
 * Two layouts, both comma-separated with the class index in the last column:
 * <ul>
 *   <li>with a header {@code n, d, name_0, name_1, ...} (the scikit-learn export of iris, wine, breast
 *       cancer): {@link #readWithHeader};</li>
 *   <li>without a header (the 8×8 digits): {@link #readHeaderless}, class names are the label values.</li>
 * </ul>
 * Files ending in {@code .gz} are decompressed on the fly.
 */
public final class DataFiles {
    private DataFiles() {}

    /** Reads a CSV whose first line is {@code n, d, class names...}; checks n and d. */
    public static LabelledData readWithHeader(Path file) {
        return readWithHeader(file.toString(), lines(file));
    }

    /** Reads a headed CSV from a stream, e.g. a classpath resource; {@code name} is used in messages. */
    public static LabelledData readWithHeader(String name, InputStream in) {
        return readWithHeader(name, lines(name, in));
    }

    private static LabelledData readWithHeader(String file, List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        String[] header = lines.get(0).split(",");
        if (header.length < 3) {
            throw new IllegalArgumentException(file + ": header must be 'n, d, class names...', got '" + lines.get(0) + "'");
        }
        int n = Integer.parseInt(header[0].trim());
        int d = Integer.parseInt(header[1].trim());
        List<String> names = new ArrayList<>();
        for (int i = 2; i < header.length; i++) {
            names.add(header[i].trim());
        }
        LabelledData data = parseRows(file, lines.subList(1, lines.size()), d, names);
        if (data.size() != n) {
            throw new IllegalArgumentException(file + ": header promises " + n + " rows, found " + data.size());
        }
        return data;
    }

    /** Reads a header-less CSV of features then an integer label per line; classes are 0..max label. */
    public static LabelledData readHeaderless(Path file) {
        return readHeaderless(file.toString(), lines(file));
    }

    /** Reads a header-less CSV from a stream, e.g. a classpath resource; {@code name} is used in messages. */
    public static LabelledData readHeaderless(String name, InputStream in) {
        return readHeaderless(name, lines(name, in));
    }

    private static LabelledData readHeaderless(String file, List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        int d = lines.get(0).split(",").length - 1;
        int maxLabel = 0;
        for (String line : lines) {
            String[] cells = line.split(",");
            maxLabel = Math.max(maxLabel, (int) Double.parseDouble(cells[cells.length - 1].trim()));
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c <= maxLabel; c++) {
            names.add(Integer.toString(c));
        }
        return parseRows(file, lines, d, names);
    }

    private static LabelledData parseRows(String file, List<String> lines, int d, List<String> names) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",");
            if (cells.length != d + 1) {
                throw new IllegalArgumentException(file + " row " + lineNo + ": expected " + (d + 1) + " columns, got " + cells.length);
            }
            double[] row = new double[d];
            for (int j = 0; j < d; j++) {
                row[j] = Double.parseDouble(cells[j].trim());
            }
            rows.add(row);
            labels.add((int) Double.parseDouble(cells[d].trim()));
        }
        return new LabelledData(rows.toArray(new double[0][]), labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    private static List<String> lines(Path file) {
        try {
            return lines(file.toString(), Files.newInputStream(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("data file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> lines(String name, InputStream raw) {
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> out = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                out.add(line);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
