package io.github.descent4j.examples.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./descent4j spark} in-process at a tiny budget, and its bad-input handling (which never starts Spark). */
class SparkCommandTest {
    private static final List<String> COLUMNS = List.of("singleMachine", "parameterAveraging", "gradientSharing");

    record Run(int exitCode, String out, String err) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = SparkCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    // DL4J's gradient sharing can hang in local mode (docs/spark.md): fail instead of blocking the build
    @Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oneEpochOfTwoUpdatersWritesEveryColumn(@TempDir Path dir) throws IOException {
        Run r = Run.of("--updaters", "Lion,sam", "--epochs", "1", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 epochs of 40 minibatches of 32", "one machine", "parameter averaging", "gradient sharing",
                "wrote summary.json");
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("epochs").asInt()).isEqualTo(1);
        assertThat(summary.get("master").asText()).isEqualTo("local[2]");
        JsonNode updaters = summary.get("updaters");
        assertThat(updaters.fieldNames()).toIterable().containsExactly("lion", "sam");
        for (String key : List.of("lion", "sam")) {
            JsonNode u = updaters.get(key);
            assertThat(r.out().lines().filter(l -> l.startsWith(u.get("name").asText() + " ")).count())
                    .as("a table row for " + u.get("name") + " in\n" + r.out()).isEqualTo(1);
            for (String column : COLUMNS) {
                JsonNode cell = u.get(column);
                assertThat(cell).as(key + " " + column + " in " + u).isNotNull();
                // chance is 0.1 on ten digits: one epoch trains well above it on every path
                assertThat(cell.get("accuracy").asDouble()).as(key + " " + column).isBetween(0.0, 1.0).isGreaterThan(0.4);
                assertThat(cell.get("seconds").asDouble()).as(key + " " + column + " seconds").isPositive().isFinite();
            }
        }
    }

    @Test
    void helpListsTheUpdaters() {
        Run r = Run.of("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("usage: ./descent4j spark", "lion, signsgd, adagradnorm, adamw, spd, sam", "--epochs", "--out");
    }

    @Test
    void badInputGivesOneLineAndExitCode2() {
        String[][] cases = {
                {"--epochs", "0"},
                {"--epochs", "many"},
                {"--updaters", "lion,adam"},
                {"--updaters", "lion,LION"},
                {"--updaters", ""},
                {"--out"},
                {"--frobnicate"},
        };
        String[] expected = {"--epochs must be an integer >= 1", "--epochs", "unknown updater 'adam'; choose from lion",
                "'lion' is listed twice", "unknown updater ''", "--out needs a value", "unknown option '--frobnicate'"};
        for (int i = 0; i < cases.length; i++) {
            Run r = Run.of(cases[i]);
            assertThat(r.exitCode()).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).startsWith("descent4j: ").contains(expected[i]).doesNotContain("Exception", "\tat ");
            assertThat(r.out()).as(String.join(" ", cases[i])).isEmpty();
        }
    }
}
