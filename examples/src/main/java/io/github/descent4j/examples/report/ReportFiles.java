package io.github.descent4j.examples.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.descent4j.examples.cli.UsageException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writing a showcase's results: the output directory, indented JSON, PNG charts, and the one-line error. */
public final class ReportFiles {
    private ReportFiles() {}

    /** What a command writes into its output directory. */
    @FunctionalInterface
    public interface Writer {
        void write(Path dir) throws IOException;
    }

    /**
     * Runs {@code writer} on {@code dir}; an I/O failure becomes a one-line {@link UsageException}.
     *
     * @throws UsageException "cannot write results to DIR: reason"
     */
    public static void write(Path dir, Writer writer) {
        try {
            writer.write(dir);
        } catch (IOException e) {
            throw new UsageException("cannot write results to " + dir + ": " + e.getMessage());
        }
    }

    /** Creates {@code dir} if needed and writes {@code root} to {@code dir/file} as indented JSON. */
    public static void writeJson(Path dir, String file, JsonNode root) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(file).toFile(), root);
    }

    /** Saves {@code chart} as {@code dir/file} (a PNG; the directory must exist). */
    public static void writePng(Path dir, String file, Chart<?, ?> chart) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
