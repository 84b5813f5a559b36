package io.github.descent4j.examples.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.descent4j.core.sharpness.toy.BalancednessExperiment;
import io.github.descent4j.core.sharpness.toy.BalancednessTrajectory;
import io.github.descent4j.examples.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code ./descent4j lora --toy} end to end with a short T, and the refusal without {@code --toy}. */
class LoraCommandTest {
    private static final int STEPS = 5000;
    private static final int EVERY = 500;
    private static final long SEED = 7;

    @Test
    void toyGridPrintsTheTableAndWritesSummaryAndPlot(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("lora", "--toy", "--steps", Integer.toString(STEPS), "--every", Integer.toString(EVERY),
                "--seed", Long.toString(SEED), "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("5000 steps, seed 7", "wrote summary.json and " + ToyReport.PLOT);

        // The same grid straight from core: the command must report exactly these runs, in this order.
        List<BalancednessTrajectory> expected = new BalancednessExperiment(BalancednessExperiment.PAPER_LEARNING_RATE,
                STEPS, EVERY, SEED, BalancednessExperiment.paperX0(), BalancednessExperiment.paperY0()).runPaperGrid();
        assertThat(expected).hasSize(12);

        List<String[]> rows = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            if (line.matches("^(NOP|OP)\\s+(SGD|SAM)\\s.*")) {
                rows.add(line.trim().split("\\s+"));
            }
        }
        assertThat(r.out()).contains("problem", "method", "alpha", "firstB", "lastB", "|lastB|/|firstB|");
        assertThat(rows).as("one table row per run\n" + r.out()).hasSize(expected.size());

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("lora");
        assertThat(summary.get("methods").isObject()).isTrue();
        assertThat(summary.get("methods").size()).isZero();
        JsonNode toy = summary.get("toy");
        assertThat(toy.isArray()).isTrue();
        assertThat(toy).hasSize(expected.size());
        assertThat(summary.get("toySettings").get("steps").asLong()).isEqualTo(STEPS);
        assertThat(summary.get("toySettings").get("seed").asLong()).isEqualTo(SEED);
        JsonNode recorded = summary.get("toySettings").get("recordedSteps");
        assertThat(recorded).hasSize(STEPS / EVERY + 1);
        assertThat(recorded.get(1).asLong()).isEqualTo(EVERY);
        assertThat(recorded.get(recorded.size() - 1).asLong()).isEqualTo(STEPS);

        for (int i = 0; i < expected.size(); i++) {
            BalancednessTrajectory e = expected.get(i);
            JsonNode node = toy.get(i);
            String label = e.problem() + " " + e.method() + " alpha " + e.alpha();
            assertThat(node.get("problem").asText()).as(label).isEqualTo(e.problem()).isIn("NOP", "OP");
            assertThat(node.get("method").asText()).as(label).isEqualTo(e.method().name()).isIn("SGD", "SAM");
            assertThat(node.get("alpha").asDouble()).as(label).isEqualTo(e.alpha());
            assertThat(node.get("firstB").asDouble()).as(label).isEqualTo(e.firstB()).isCloseTo(-0.56, within(1e-12));
            assertThat(node.get("lastB").asDouble()).as(label).isEqualTo(e.lastB());
            assertThat(node.get("B")).as(label).hasSize(recorded.size());

            String[] row = rows.get(i);
            assertThat(row[0]).as(label).isEqualTo(e.problem());
            assertThat(row[1]).as(label).isEqualTo(e.method().name());
            assertThat(Double.parseDouble(row[2])).as(label).isEqualTo(e.alpha());
            assertThat(Double.parseDouble(row[4])).as(label).isCloseTo(e.firstB(), within(1e-6));
            assertThat(Double.parseDouble(row[5])).as(label).isCloseTo(e.lastB(), within(1e-5 * Math.abs(e.lastB())));
            assertThat(Double.parseDouble(row[6])).as(label).isCloseTo(e.shrinkRatio(), within(1e-3 * e.shrinkRatio()));
        }
        // Even after 5 000 steps the paper's picture shows: SGD keeps |B|, SAM on OP with noise shrinks it.
        for (int i = 0; i < expected.size(); i++) {
            JsonNode node = toy.get(i);
            double ratio = Math.abs(node.get("lastB").asDouble() / node.get("firstB").asDouble());
            if (node.get("method").asText().equals("SGD")) {
                assertThat(ratio).as("SGD run %d", i).isCloseTo(1.0, within(0.01));
            } else if (node.get("problem").asText().equals("OP") && node.get("alpha").asDouble() == 1.0) {
                assertThat(ratio).as("SAM on OP, alpha 1").isLessThan(0.9);
            }
        }

        BufferedImage image = ImageIO.read(dir.resolve(ToyReport.PLOT).toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void withoutToyItRefusesClearlyAndWritesNothing(@TempDir Path dir) {
        CliRun r = CliRun.of("lora", "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("descent4j: ").contains("not implemented yet", "--toy")
                .doesNotContain("\n", "Exception");
        assertThat(r.out()).isEmpty();
        assertThat(Files.exists(dir.resolve("out"))).isFalse();
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String[][] bad = {
                {"lora", "--toy", "--steps", "0"},
                {"lora", "--toy", "--every", "0"},
                {"lora", "--toy", "--seed", "one"},
                {"lora", "--toy", "--steps"},
                {"lora", "--toy", "--bogus"},
        };
        String[] expected = {"--steps must be an integer >= 1", "--every must be an integer >= 1",
                "--seed must be an integer", "--steps needs a value", "unknown option '--bogus'"};
        for (int i = 0; i < bad.length; i++) {
            CliRun r = CliRun.of(bad[i]);
            assertThat(r.exitCode()).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(r.err().strip()).as(String.join(" ", bad[i])).startsWith("descent4j: ").contains(expected[i])
                    .doesNotContain("\n", "Exception");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void helpListsTheOptionsAndTheTopLevelHelpTheCommand() {
        CliRun r = CliRun.of("lora", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--toy", "--steps", "--seed", "--every", "--out", "not implemented yet");
        assertThat(CliRun.of("--help").out()).contains("  lora       --toy");
    }
}
