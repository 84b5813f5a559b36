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

/** {@code ./descent4j lora --toy} end to end with a short T, and the fine-tuning comparison with tiny epochs and one seed. */
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
    void fineTuningWritesEveryMethodWithSaneFields(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("lora", "--seeds", "1", "--pretrain-epochs", "3", "--epochs", "2", "--rank", "4",
                "--no-toy", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 seeds", "LoRA r 4", "wrote summary.json and " + FinetuneReport.PLOT)
                .doesNotContain("lora --toy");
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("lora");
        assertThat(summary.get("toy").isArray()).isTrue();
        assertThat(summary.get("toy").size()).isZero();
        JsonNode methods = summary.get("methods");
        List<String> names = new ArrayList<>();
        methods.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("full", "LoRA", "LoRA+SAM", "LoRA+nBAR", "LoRA+oBAR");
        long fullParameters = methods.get("full").get("trainableParameters").asLong();
        // 64*64*3 + 64*3 hidden + 64*10 + 10 head, all trained.
        assertThat(fullParameters).isEqualTo(3 * (64 * 64 + 64) + 64 * 10 + 10);
        assertThat(methods.get("full").get("adapterBytes").asLong()).isZero();
        assertThat(methods.get("full").get("balancedness").size()).isZero();
        for (String name : names) {
            JsonNode m = methods.get(name);
            for (String field : List.of("accuracy", "oldTaskAccuracy", "msPerStep", "trainableParameters", "adapterBytes",
                    "balancedness")) {
                assertThat(m.has(field)).as(name + "." + field).isTrue();
            }
            assertThat(m.get("accuracy").asDouble()).as(name).isBetween(0.0, 1.0);
            assertThat(m.get("oldTaskAccuracy").asDouble()).as(name).isBetween(0.0, 1.0);
            assertThat(m.get("msPerStep").asDouble()).as(name).isPositive().isFinite();
            // One table row per method, with its name first.
            assertThat(r.out().lines().anyMatch(l -> l.startsWith(name + " "))).as(name + " row\n" + r.out()).isTrue();
            if (!name.equals("full")) {
                // A and B of three 64x64 layers at r 4, plus the trained head.
                assertThat(m.get("trainableParameters").asLong()).as(name).isEqualTo(3 * (64 * 4 + 4 * 64) + 64 * 10 + 10)
                        .isLessThan(fullParameters);
                assertThat(m.get("adapterBytes").asLong()).as(name).isPositive();
                JsonNode b = m.get("balancedness");
                assertThat(b.size()).as(name).isEqualTo(3);
                for (JsonNode layer : b) {
                    assertThat(layer.get("firstB").asDouble()).as(name).isPositive().isFinite();
                    assertThat(layer.get("lastB").asDouble()).as(name).isGreaterThanOrEqualTo(0.0).isFinite();
                    assertThat(layer.get("B")).as(name).hasSize(3);
                    assertThat(layer.get("B").get(0).asDouble()).isEqualTo(layer.get("firstB").asDouble());
                    assertThat(layer.get("B").get(2).asDouble()).isEqualTo(layer.get("lastB").asDouble());
                }
            }
        }
        // Every LoRA method starts from the same adapters (B = 0, A from the same seed), so the same first |B|.
        double first = methods.get("LoRA").get("balancedness").get("0").get("firstB").asDouble();
        for (String name : List.of("LoRA+SAM", "LoRA+nBAR", "LoRA+oBAR")) {
            assertThat(methods.get(name).get("balancedness").get("0").get("firstB").asDouble()).as(name)
                    .isCloseTo(first, within(1e-9 * first));
        }
        BufferedImage image = ImageIO.read(dir.resolve(FinetuneReport.PLOT).toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
        assertThat(Files.exists(dir.resolve(ToyReport.PLOT))).isFalse();
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String[][] bad = {
                {"lora", "--toy", "--steps", "0"},
                {"lora", "--toy", "--every", "0"},
                {"lora", "--toy", "--seed", "one"},
                {"lora", "--toy", "--steps"},
                {"lora", "--toy", "--bogus"},
                {"lora", "--rank", "65"},
                {"lora", "--toy", "--no-toy"},
        };
        String[] expected = {"--steps must be an integer >= 1", "--every must be an integer >= 1",
                "--seed must be an integer", "--steps needs a value", "unknown option '--bogus'",
                "--rank must be an integer in [1, 64]", "--toy and --no-toy exclude each other"};
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
        assertThat(r.out()).contains("--toy", "--no-toy", "--steps", "--seed", "--every", "--out",
                "--seeds", "--epochs", "--pretrain-epochs", "--rank", "--lr", "--rho", "--bar-alpha");
        assertThat(CliRun.of("--help").out()).contains("  lora       fine-tune digits 0-4 -> 5-9", "--toy: SGD vs SAM");
    }
}
