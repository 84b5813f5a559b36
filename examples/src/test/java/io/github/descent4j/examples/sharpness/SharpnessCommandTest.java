package io.github.descent4j.examples.sharpness;

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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./descent4j sharpness} end to end at a tiny size, and its bad-input handling. */
class SharpnessCommandTest {

    @Test
    void tinyRunWritesSummaryAndPlots(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("sharpness", "--epochs", "2", "--seeds", "1", "--directions", "2", "--radius", "1,4",
                "--every", "5", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 1  SGD+Nesterov", "SAM rho 0.05", "ASAM rho 0.5 eta 0.01", "nBAR alpha 0.1 constant",
                "oBAR alpha 0.1 constant", "sharpness@4.0", "wrote summary.json");

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("sharpness");
        assertThat(summary.get("seeds").asInt()).isEqualTo(1);
        assertThat(summary.get("epochs").asInt()).isEqualTo(2);
        int train = summary.get("trainExamples").asInt();
        assertThat(train + summary.get("testExamples").asInt()).isEqualTo(1797);
        assertThat(summary.get("flippedLabels").asInt()).isEqualTo(Math.round(0.2f * train));

        JsonNode noise = summary.get("labelNoise");
        assertThat(noise.get("sharpnessProxy").get("directions").asInt()).isEqualTo(2);
        List<String> names = new ArrayList<>();
        for (JsonNode m : noise.get("methods")) {
            names.add(m.get("method").asText());
            for (String field : List.of("testAccuracy", "noisyTrainAccuracy", "memorised")) {
                assertThat(m.get(field).asDouble()).as(field).isBetween(0.0, 1.0);
                assertThat(m.get(field + "PerSeed")).hasSize(1);
            }
            assertThat(m.get("testAccuracy").asDouble()).as("learns the clean digits").isGreaterThan(0.5);
            assertThat(m.get("trainLoss").asDouble()).isPositive();
            JsonNode sharpness = m.get("sharpness");
            assertThat(sharpness).hasSize(2);
            assertThat(sharpness.get(0).get("radius").asDouble()).isEqualTo(1.0);
            assertThat(sharpness.get(1).get("increase").asDouble()).as("larger radius, larger increase")
                    .isGreaterThan(sharpness.get(0).get("increase").asDouble());
        }
        assertThat(names).containsExactly("SGD+Nesterov", "SAM rho 0.05", "ASAM rho 0.5 eta 0.01");

        JsonNode lowRank = summary.get("lowRank");
        JsonNode iterations = lowRank.get("iterations");
        int perEpoch = (train + SharpnessExperiment.BATCH - 1) / SharpnessExperiment.BATCH;
        assertThat(iterations.get(0).asInt()).isZero();
        assertThat(iterations.get(1).asInt()).isEqualTo(5);
        assertThat(iterations.get(iterations.size() - 1).asInt()).isEqualTo(2 * perEpoch);
        double sgdFinal = Double.NaN;
        double obarFinal = Double.NaN;
        for (JsonNode m : lowRank.get("methods")) {
            JsonNode curve = m.get("balancednessPerSeed").get(0);
            assertThat(curve).hasSize(iterations.size());
            assertThat(Math.abs(curve.get(0).asDouble())).as("every method starts from the same unbalanced pair")
                    .isEqualTo(m.get("initialAbsB").asDouble()).isGreaterThan(10);
            assertThat(Math.abs(curve.get(curve.size() - 1).asDouble())).isEqualTo(m.get("finalAbsB").asDouble());
            if (m.get("method").asText().equals("SGD")) {
                sgdFinal = m.get("finalAbsB").asDouble();
            } else if (m.get("method").asText().startsWith("oBAR")) {
                obarFinal = m.get("finalAbsB").asDouble();
            }
        }
        assertThat(obarFinal).as("oBAR balances the pair, SGD barely moves B").isLessThan(sgdFinal / 2);

        for (String png : List.of("noise.png", "sharpness.png", "balancedness.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).as(png).isGreaterThanOrEqualTo(800);
        }
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String[][] bad = {
                {"sharpness", "--noise", "1"},
                {"sharpness", "--noise", "-0.1"},
                {"sharpness", "--rho", "0"},
                {"sharpness", "--asam-rho", "NaN"},
                {"sharpness", "--asam-eta", "-1"},
                {"sharpness", "--alpha", "-0.5"},
                {"sharpness", "--alpha-schedule", "step"},
                {"sharpness", "--epochs", "0"},
                {"sharpness", "--seeds", "two"},
                {"sharpness", "--rank", "65"},
                {"sharpness", "--init-scale", "0.5"},
                {"sharpness", "--radius", "1,0"},
                {"sharpness", "--directions", "0"},
                {"sharpness", "--every"},
                {"sharpness", "--bogus"},
        };
        String[] expected = {"--noise must be a number in [0.0, 1.0)", "--noise must be a number in [0.0, 1.0)",
                "--rho must be a number in (0.0, inf)", "--asam-rho must be a number in (0.0, inf)",
                "--asam-eta must be a number in [0.0, inf)", "--alpha must be a number in [0.0, inf)",
                "--alpha-schedule must be constant, linear or cosine", "--epochs must be an integer >= 1",
                "--seeds must be an integer >= 1", "--rank must be an integer in [1, 64]", "--init-scale must be a number in [1.0, inf)",
                "--radius must be comma-separated finite numbers > 0", "--directions must be an integer >= 1", "--every needs a value",
                "unknown option '--bogus'"};
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
        CliRun r = CliRun.of("sharpness", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--epochs", "--seeds", "--noise", "--rho", "--asam-rho", "--alpha", "--alpha-schedule",
                "--radius", "--directions", "--out", "minibatches (" + SharpnessExperiment.BATCH + ")");
        assertThat(CliRun.of("--help").out()).contains("  sharpness  ");
    }
}
