package io.github.descent4j.examples.batch;

import io.github.descent4j.examples.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code ./descent4j batch} end to end at a tiny size, and its bad-input handling. */
class BatchCommandTest {

    @Test
    void digitsRunWritesSummaryAndPlot(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("batch", "--epochs", "2", "--b0", "4", "--max-batch", "64", "--target", "0.8", "--threads", "2",
                "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("6/6]", "AdaGradNorm / norm test", "AdaGrad / augmented test", "wrote summary.json");

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("batch");
        assertThat(summary.get("accuracyOn").asText()).isEqualTo("test");
        assertThat(summary.get("maxBatch").asInt()).isEqualTo(64);
        JsonNode runs = summary.get("runs");
        assertThat(runs).hasSize(6);
        Map<String, Long> constantSteps = new HashMap<>();
        long examples = runs.get(0).get("examples").asLong();
        for (JsonNode run : runs) {
            assertThat(run.get("examples").asLong()).as("equal example budget").isEqualTo(examples);
            assertThat(run.get("finalAccuracy").asDouble()).isBetween(0.8, 1.0);
            assertThat(run.get("finalLoss").asDouble()).as("cross-entropy below the uniform guess's ln 10")
                    .isStrictlyBetween(0.0, Math.log(10));
            if (run.get("schedule").asText().equals("constant")) {
                constantSteps.put(run.get("optimizer").asText(), run.get("steps").asLong());
                assertThat(run.get("finalBatchSize").asInt()).isEqualTo(4);
            }
        }
        assertThat(constantSteps).containsOnlyKeys("AdaGradNorm", "AdaGrad");
        for (JsonNode run : runs) {
            if (run.get("schedule").asText().equals("constant")) {
                continue;
            }
            assertThat(run.get("steps").asLong()).as(run.toString())
                    .isLessThan(constantSteps.get(run.get("optimizer").asText()));
            int previousStep = 0;
            int previousBatch = 4;
            for (JsonNode change : run.get("batchSizeChanges")) {
                assertThat(change.get(0).asInt()).isGreaterThan(previousStep);
                assertThat(change.get(1).asInt()).isGreaterThanOrEqualTo(previousBatch).isLessThanOrEqualTo(64);
                previousStep = change.get(0).asInt();
                previousBatch = change.get(1).asInt();
            }
            assertThat(previousBatch).as("the batch grew").isGreaterThan(4);
            assertThat(run.get("finalBatchSize").asInt()).isEqualTo(previousBatch);
        }

        BufferedImage png = ImageIO.read(dir.resolve("batch-size.png").toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isGreaterThanOrEqualTo(800);
    }

    @Test
    void tunedRunChoosesFromTheGridOnValidationDataByTheStatedRule(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("batch", "--tune", "--epochs", "2", "--b0", "4", "--max-batch", "64", "--target", "0.8",
                "--adagradnorm-lrs", "0.5,2", "--adagrad-lrs", "0.1", "--eta-grid", "0.5,1.5", "--theta-grid", "1",
                "--nu-grid", "1", "--seeds", "2", "--threads", "2", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 1: tuned 12 runs on 944 examples", "seed 2: tuned 12 runs", "means over 2 seeds",
                "target: >= 10x fewer steps");

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("tuned").asBoolean()).isTrue();
        assertThat(summary.get("selection").asText()).isEqualTo("accuracy");
        assertThat(summary.get("seeds")).hasSize(2);
        assertThat(summary.get("tuning")).as("(2 + 2·2 + 2) AdaGradNorm + (1 + 2 + 1) AdaGrad, per seed").hasSize(24);
        JsonNode runs = summary.get("runs");
        assertThat(runs).hasSize(12);
        for (JsonNode run : runs) {
            List<JsonNode> candidates = elements(summary.get("tuning")).stream()
                    .filter(t -> t.get("seed").equals(run.get("seed")) && t.get("optimizer").equals(run.get("optimizer"))
                            && t.get("schedule").equals(run.get("schedule"))).toList();
            JsonNode chosen = candidates.stream().filter(t -> sameConfig(t, run)).findFirst().orElseThrow();
            double bestAccuracy = candidates.stream().mapToDouble(t -> t.get("tuningAccuracy").asDouble()).max().orElseThrow();
            if (run.get("schedule").asText().equals("constant")) {
                assertThat(chosen.get("tuningAccuracy").asDouble()).as("most accurate rate").isEqualTo(bestAccuracy);
                continue;
            }
            JsonNode constant = null;
            for (JsonNode other : runs) {
                if (other.get("seed").equals(run.get("seed")) && other.get("optimizer").equals(run.get("optimizer"))
                        && other.get("schedule").asText().equals("constant")) {
                    constant = elements(summary.get("tuning")).stream()
                            .filter(t -> t.get("seed").equals(run.get("seed")) && sameConfig(t, other)).findFirst().orElseThrow();
                }
            }
            double floor = constant.get("tuningAccuracy").asDouble() - 0.005;
            List<JsonNode> within = candidates.stream().filter(t -> t.get("tuningAccuracy").asDouble() >= floor - 1e-12).toList();
            if (within.isEmpty()) {
                assertThat(chosen.get("tuningAccuracy").asDouble()).isEqualTo(bestAccuracy);
            } else {
                assertThat(within).contains(chosen);
                assertThat(within).allSatisfy(t -> assertThat(t.get("steps").asLong()).isGreaterThanOrEqualTo(chosen.get("steps").asLong()));
            }
        }

        JsonNode means = summary.get("means");
        assertThat(means).hasSize(6);
        for (int i = 0; i < 6; i++) {
            double steps = (runs.get(i).get("steps").asDouble() + runs.get(i + 6).get("steps").asDouble()) / 2;
            assertThat(means.get(i).get("steps").asDouble()).isEqualTo(steps);
            JsonNode m = means.get(i);
            if (i % 3 != 0) {
                JsonNode constant = means.get(i - i % 3);
                assertThat(m.get("stepRatio").asDouble()).isCloseTo(constant.get("steps").asDouble() / steps, within(1e-9));
                assertThat(m.get("accuracyDeltaPoints").asDouble())
                        .isCloseTo(100 * (m.get("accuracy").asDouble() - constant.get("accuracy").asDouble()), within(1e-9));
                assertThat(m.get("meetsTarget").asBoolean()).isEqualTo(
                        m.get("stepRatio").asDouble() >= 10 && m.get("accuracyDeltaPoints").asDouble() >= -0.5);
            } else {
                assertThat(m.has("stepRatio")).isFalse();
            }
        }
    }

    @Test
    void tunedSyntheticRunTunesOnAnotherDrawAndStepsSelectionKeepsTheStepRatio(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("batch", "--data", "synthetic", "--synthetic-size", "4", "--tune", "--select", "steps",
                "--epochs", "3", "--b0", "2", "--adagradnorm-lrs", "1", "--adagrad-lrs", "0.1,0.4", "--eta-grid", "0.25,1",
                "--theta-grid", "0.5", "--nu-grid", "0.5", "--threads", "2", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("accuracyOn").asText()).isEqualTo("train");
        assertThat(summary.get("selection").asText()).isEqualTo("steps");
        List<JsonNode> tuning = elements(summary.get("tuning"));
        assertThat(tuning).hasSize(1 + 2 + 1 + 2 + 4 + 2);
        for (JsonNode run : summary.get("runs")) {
            if (run.get("schedule").asText().equals("constant")) {
                continue;
            }
            long constantSteps = tuning.stream()
                    .filter(t -> t.get("optimizer").equals(run.get("optimizer")) && t.get("schedule").asText().equals("constant"))
                    .mapToLong(t -> t.get("steps").asLong()).max().orElseThrow();
            JsonNode chosen = tuning.stream().filter(t -> sameConfig(t, run)).findFirst()
                    .orElseThrow();
            List<JsonNode> fewSteps = tuning.stream()
                    .filter(t -> t.get("optimizer").equals(run.get("optimizer")) && t.get("schedule").equals(run.get("schedule"))
                            && t.get("steps").asLong() * 10 <= constantSteps).toList();
            if (!fewSteps.isEmpty()) {
                assertThat(fewSteps).contains(chosen);
                assertThat(fewSteps).allSatisfy(t -> assertThat(t.get("tuningAccuracy").asDouble())
                        .isLessThanOrEqualTo(chosen.get("tuningAccuracy").asDouble()));
            }
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static boolean sameConfig(JsonNode a, JsonNode b) {
        for (String field : List.of("optimizer", "schedule", "learningRate", "eta", "theta", "nu")) {
            if (!a.get(field).equals(b.get(field))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String[][] bad = {
                {"batch", "--data", "mnist"},
                {"batch", "--b0", "0"},
                {"batch", "--b0", "8", "--max-batch", "4"},
                {"batch", "--target", "1.5"},
                {"batch", "--eta", "-1"},
                {"batch", "--epochs"},
                {"batch", "--bogus"},
                {"batch", "--seeds", "0"},
                {"batch", "--eta-grid", "0.5,1"},
                {"batch", "--tune", "--select", "fast"},
                {"batch", "--tune", "--tolerance", "101"},
                {"batch", "--tune", "--validation", "1"},
                {"batch", "--tune", "--eta-grid", "0,1"},
                {"batch", "--tune", "--adagrad-lrs", "0.1,abc"},
                {"batch", "--tune", "--nu-grid"},
                {"batch", "--tune", "--b0", "1000"},
        };
        for (String[] args : bad) {
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).as(String.join(" ", args)).startsWith("descent4j: ").doesNotContain("\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.of("batch", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--b0", "--max-batch", "--target", "--eta", "--theta", "--nu", "--seeds", "--tune",
                "--validation", "--select", "--tolerance", "--adagradnorm-lrs", "--adagrad-lrs", "--eta-grid", "--theta-grid",
                "--nu-grid");
    }
}
