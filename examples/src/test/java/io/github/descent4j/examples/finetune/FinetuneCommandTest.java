package io.github.descent4j.examples.finetune;

import io.github.descent4j.examples.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code ./descent4j finetune} end to end on the embedded digits, and its bad-input handling. */
class FinetuneCommandTest {

    /**
     * The seed's claim at a reduced size: at similar 5–9 accuracy, layer-wise decay and SPD each keep more
     * of 0–4 (among 0–4) than a flat learning rate.
     */
    @Test
    void layerwiseDecayAndSpdForgetLessThanAFlatRate(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("finetune", "--seeds", "3", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode methods = new ObjectMapper().readTree(dir.resolve("summary.json").toFile()).get("methods");
        JsonNode flat = methods.get("flat learning rate");
        JsonNode decay = methods.get("layer-wise decay 0.50");
        JsonNode spd = methods.get("SPD lambda 10");
        assertThat(flat).as(methods.toString()).isNotNull();
        assertThat(decay).as(methods.toString()).isNotNull();
        assertThat(spd).as(methods.toString()).isNotNull();
        for (JsonNode m : new JsonNode[]{decay, spd}) {
            assertThat(m.get("newAccuracy").asDouble()).as("similar 5-9 accuracy").isCloseTo(flat.get("newAccuracy").asDouble(), within(0.03));
            assertThat(m.get("oldAccuracyAmongOld").asDouble()).as("0-4 kept, vs flat " + flat.get("oldAccuracyAmongOld"))
                    .isGreaterThan(flat.get("oldAccuracyAmongOld").asDouble() + 0.01);
        }
        BufferedImage plot = ImageIO.read(dir.resolve("forgetting.png").toFile());
        assertThat(plot.getWidth()).isEqualTo(800);
    }

    @Test
    void badInputGivesOneLineAndExitCode2(@TempDir Path dir) {
        String[][] cases = {
                {"finetune", "--decay", "0"},
                {"finetune", "--decay", "1.5"},
                {"finetune", "--spd-lambda", "-1"},
                {"finetune", "--target", "NaN"},
                {"finetune", "--seeds", "0"},
                {"finetune", "--data", dir.resolve("missing.csv").toString()},
                {"finetune", "--frobnicate"},
        };
        String[] expected = {"--decay", "--decay", "--spd-lambda", "--target", "--seeds", "does not exist", "--frobnicate"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertThat(r.exitCode()).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(expected[i]).doesNotContain("Exception", "\tat ");
        }
    }
}
