package io.github.descent4j.examples.imbalance;

import io.github.descent4j.examples.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.descent4j.core.training.LossTrajectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatRun;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./descent4j imbalance} end to end at tiny sizes, and its bad-input handling. */
class ImbalanceCommandTest {

    private static LossTrajectory curve(JsonNode optimizer, String name) {
        LossTrajectory t = new LossTrajectory(name);
        for (JsonNode row : optimizer.get("curve")) {
            double[] groups = new double[row.size() - 2];
            for (int g = 0; g < groups.length; g++) {
                groups[g] = row.get(g + 2).asDouble();
            }
            t.record(row.get(0).asLong(), row.get(1).asDouble(), groups);
        }
        return t;
    }

    /** A real picture: the right size and more than a handful of colours (axes, text, several curves). */
    private static void assertNonTrivialImage(Path png, int minWidth) throws IOException {
        assertThat(png).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(minWidth);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in " + png).isGreaterThan(20);
    }

    @Test
    void syntheticRunWritesSummaryAndPlots(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("imbalance", "--synthetic", "4", "--steps", "40", "--optimizers", "SGD,Adam,SignSGD",
                "--lr-grid", "0.01,0.1", "--threads", "2", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("6/6]", "SGD", "Adam", "SignSGD", "wrote summary.json");

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("imbalance");
        assertThat(summary.get("groups").asInt()).isEqualTo(4);
        assertThat(summary.get("classes").asInt()).isEqualTo(15);
        assertThat(summary.get("examples").asInt()).isEqualTo(64);
        JsonNode optimizers = summary.get("optimizers");
        assertThat(optimizers.fieldNames()).toIterable().containsExactly("SGD", "Adam", "SignSGD");
        for (JsonNode o : optimizers) {
            assertThat(o.get("learningRate").asDouble()).isIn(0.01, 0.1);
            assertThat(o.get("groupLoss")).hasSize(4);
            assertThat(o.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            JsonNode curve = o.get("curve");
            assertThat(curve.get(0).get(0).asLong()).isZero();
            assertThat(curve.get(curve.size() - 1).get(0).asLong()).isEqualTo(40);
            assertThat(curve.get(0)).hasSize(2 + 4);
            assertThat(curve.get(0).get(1).asDouble()).isCloseTo(Math.log(15), org.assertj.core.api.Assertions.within(1e-9));
            // The reported learning rate is the grid's best by final loss.
            double best = Double.POSITIVE_INFINITY;
            for (JsonNode run : o.get("grid")) {
                best = Math.min(best, run.get("score").asDouble());
            }
            assertThat(o.get("finalLoss").asDouble()).isEqualTo(best);
            assertThat(o.get("groupLoss").get(3).asDouble()).isEqualTo(curve.get(curve.size() - 1).get(5).asDouble());
        }
        assertThatRun(curve(optimizers.get("Adam"), "Adam")).decreasesLossBy(2);
        assertNonTrivialImage(dir.resolve("group-loss.png"), 3 * 400);
        assertNonTrivialImage(dir.resolve("overall-loss.png"), 800);
    }

    /**
     * The seed's finding on the default synthetic problem (m = 6, full batch, 50 steps, the six-decade grid):
     * gradient descent orders the groups by frequency and leaves the rarest far behind; Adam and sign
     * descent do not.
     */
    @Test
    void defaultSyntheticRunReproducesTheHeavyTailFinding(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("imbalance", "--optimizers", "SGD,Adam,SignSGD,SignSGD+momentum,Lion", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode optimizers = new ObjectMapper().readTree(dir.resolve("summary.json").toFile()).get("optimizers");
        LossTrajectory gd = curve(optimizers.get("SGD"), "SGD");
        assertThat(optimizers.get("SGD").get("learningRate").asDouble())
                .as("GD's best rate is inside the grid, not at its edge").isBetween(1e-3, 1.0);
        assertThatRun(gd).ordersGroupsByFrequency();
        assertThatRun(curve(optimizers.get("Adam"), "Adam")).hasRarestGroupLossBelow(gd, 0.05).hasFinalLossBelow(gd);
        assertThatRun(curve(optimizers.get("SignSGD+momentum"), "SignSGD+momentum")).hasRarestGroupLossBelow(gd, 0.05);
        assertThatRun(curve(optimizers.get("Lion"), "Lion")).hasRarestGroupLossBelow(gd, 0.05);
        assertThatRun(curve(optimizers.get("SignSGD"), "SignSGD")).hasRarestGroupLossBelow(gd, 0.6);
    }

    @Test
    void textRunOnATinyInlineText(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("tiny.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append("the cat sat on the mat and the dog sat on the log. ");
            if (i % 7 == 0) {
                sb.append("a rare bird flew over the hill. ");
            }
        }
        Files.writeString(text, sb.toString());
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("imbalance", "--text", text.toString(), "--vocab", "8", "--context", "2", "--steps", "30",
                "--batch", "32", "--groups", "3", "--optimizers", "Adam,SGD", "--lr-grid", "0.05", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("classes").asInt()).isEqualTo(9);
        assertThat(summary.get("groups").asInt()).isEqualTo(3);
        assertThat(summary.get("dataset").asText()).contains("tiny.txt", "V=8", "k=2");
        assertThat(summary.get("optimizers").get("Adam").get("groupLoss")).hasSize(3);
    }

    @Test
    void badInputGivesOneLineAndExitCode2(@TempDir Path dir) throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, " ... !!! \n");
        String[][] cases = {
                {"imbalance", "--text", dir.resolve("missing.txt").toString()},
                {"imbalance", "--text", empty.toString()},
                {"imbalance", "--vocab", "1"},
                {"imbalance", "--synthetic", "3", "--groups", "8"},
                // m = 3: class 0 holds 8 of 24 examples, more than 1/6, so G = 6 leaves group 1 without a class.
                {"imbalance", "--synthetic", "3", "--groups", "6"},
                {"imbalance", "--optimizers", "SGD,Adamax"},
                {"imbalance", "--batch", "zero"},
                {"imbalance", "--steps", "-3"},
                {"imbalance", "--lr-grid", "0.1,NaN"},
                {"imbalance", "--class-weights", "heavy"},
                {"imbalance", "--synthetic", "3", "--text", "x.txt"},
                {"imbalance", "--wat"},
        };
        String[] expected = {"does not exist", "no words", "--vocab", "--groups",
                "--groups 6 leaves frequency group(s) [1] without any class (a class holds more than 1/6 of the training"
                        + " examples), so their loss cannot be tracked; the largest --groups that leaves none empty is 5", "Adamax", "--batch", "--steps", "--lr-grid",
                "--class-weights", "alternatives", "--wat"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertThat(r.exitCode()).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", cases[i])).contains(expected[i]).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void helpListsTheImbalanceOptions() {
        CliRun top = CliRun.of("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("imbalance", "compare");
        CliRun r = CliRun.of("imbalance", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--synthetic", "--text", "--vocab", "--context", "--optimizers", "--steps", "--batch",
                "--groups", "--out");
    }
}
