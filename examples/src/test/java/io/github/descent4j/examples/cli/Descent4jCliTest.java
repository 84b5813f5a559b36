package io.github.descent4j.examples.cli;

import io.github.descent4j.examples.CliRun;
import io.github.descent4j.examples.compare.OptimiserComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class Descent4jCliTest {

    @Test
    void compareOnTheEmbeddedDataPrintsEveryOptimiserWithAccuracyAndLoss() {
        CliRun r = CliRun.of("compare", "--epochs", "5");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("UCI wine (embedded)", "178 examples");
        for (String name : OptimiserComparison.optimisers().keySet()) {
            String row = r.out().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for " + name + " in\n" + r.out()));
            String[] cells = row.substring(24).trim().split("\\s+");
            double accuracy = Double.parseDouble(cells[0]);
            double loss = Double.parseDouble(cells[1]);
            assertThat(accuracy).as(name + " accuracy").isBetween(0.0, 1.0);
            assertThat(loss).as(name + " loss").isFinite().isPositive();
            if (!name.startsWith("Tribuo Adam")) {
                assertThat(accuracy).as(name + " trains").isGreaterThan(0.85);
            }
        }
    }

    @Test
    void explicitDataFileIsUsed(@TempDir Path dir) throws Exception {
        Path iris = dir.resolve("iris.csv");
        Files.copy(Path.of(System.getProperty("descent4j.data.dir", "../test-data/data"), "iris.csv"), iris);
        CliRun r = CliRun.of("compare", "--data", iris.toString(), "--epochs", "3");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("150 examples", "4 features", "3 classes");
    }

    @Test
    void helpIsPrinted() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("usage: ./descent4j", "  spark ");
    }

    @Test
    void sparkThroughTheJarPointsAtTheScript() {
        CliRun r = CliRun.of("spark", "--epochs", "1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("descent4j: spark is not in this jar: run ./descent4j spark; it runs from its own module"
                + " (examples-spark)" + System.lineSeparator());
    }

    @Test
    void badInputGivesOneClearLineAndExitCode2() {
        CliRun missing = CliRun.of("compare", "--data", "/nonexistent/file.csv");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("descent4j: data file /nonexistent/file.csv does not exist" + System.lineSeparator());

        CliRun epochs = CliRun.of("compare", "--epochs", "zero");
        assertThat(epochs.exitCode()).isEqualTo(2);
        assertThat(epochs.err()).contains("--epochs must be an integer >= 1").doesNotContain("Exception");

        CliRun unknown = CliRun.of("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'frobnicate'");
    }
}
