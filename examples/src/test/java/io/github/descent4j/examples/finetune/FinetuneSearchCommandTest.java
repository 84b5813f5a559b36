package io.github.descent4j.examples.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.descent4j.dl4j.layerwise.search.FoundDistribution;
import io.github.descent4j.examples.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code ./descent4j finetune --search} end to end at a tiny budget, resumed, and its bad-input handling. */
class FinetuneSearchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] tiny(Path out, String trials, String... extra) {
        List<String> args = new ArrayList<>(List.of("finetune", "--search", "--search-pairs", "0,1/2,3;4,5/6,7",
                "--eval-pair", "8,9/0,1", "--trials", trials, "--initial-design", "2", "--seeds", "2",
                "--pretrain-epochs", "4", "--max-epochs", "3", "--ewc-lambdas", "1,1000", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void tinySearchWritesTheSummaryDistributionsPlotsAndResumes(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of(tiny(dir, "2"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trial 1/2 (design)").contains("trial 2/2 (BO)").contains("found on 0,1/2,3").contains("geometric mean");

        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("task").asText()).isEqualTo("finetune-search");
        assertThat(summary.get("searchPairs")).extracting(JsonNode::asText).containsExactly("0,1/2,3", "4,5/6,7");
        assertThat(summary.get("evalPair").asText()).isEqualTo("8,9/0,1");
        JsonNode d = summary.get("distributions");
        double[] a = doubles(d.get("0,1/2,3"));
        double[] b = doubles(d.get("4,5/6,7"));
        double[] combined = doubles(d.get("combined"));
        assertThat(a).hasSize(4);
        assertThat(b).hasSize(4);
        assertThat(combined).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(a[i]).isBetween(1e-3, 10.0);
            assertThat(combined[i]).isCloseTo(Math.sqrt(a[i] * b[i]), within(1e-12 * combined[i]));
        }
        // The saved distributions are what the summary reports.
        assertThat(FoundDistribution.read(dir.resolve("distributions/01-23.json")).multipliers()).containsExactly(a);
        assertThat(FoundDistribution.read(dir.resolve("distributions/combined.json")).multipliers()).containsExactly(combined);

        JsonNode methods = summary.get("methods");
        List<String> names = new ArrayList<>();
        methods.fieldNames().forEachRemaining(names::add);
        assertThat(names).hasSize(7).contains("flat", "layer-wise decay 0.500", "found on 0,1/2,3", "found on 4,5/6,7",
                "geometric mean", "SPD lambda 10").anyMatch(n -> n.startsWith("EWC lambda "));
        for (JsonNode m : methods) {
            for (String key : List.of("newTaskAccuracy", "oldTaskAccuracy")) {
                assertThat(m.get(key).asDouble()).isBetween(0.0, 1.0);
                assertThat(m.get("sd").get(key).asDouble()).isBetween(0.0, 1.0);
                assertThat(m.get("perSeed").get(key)).hasSize(2);
            }
        }
        assertThat(summary.get("ewc").get("meanObjectiveByLambda").size()).isEqualTo(2);

        BufferedImage plot = ImageIO.read(dir.resolve("distributions.png").toFile());
        assertThat(plot.getWidth()).isEqualTo(800);
        assertThat(colours(plot)).as("three curves, axes and legend").isGreaterThan(20);
        assertThat(ImageIO.read(dir.resolve("forgetting.png").toFile()).getWidth()).isEqualTo(900);

        // Resume with a larger budget: the first two trials are kept as they were, one more is run.
        JsonNode before = JSON.readTree(dir.resolve("search/01-23.json").toFile()).get("trials");
        Path index = dir.resolve("search-index.json");
        CliRun changed = CliRun.of(tiny(dir.resolve("second"), "3", "--resume", index.toString(), "--lr", "0.003"));
        assertThat(changed.exitCode()).isEqualTo(2);
        assertThat(changed.err()).contains("was searched with --lr 0.001, this run has 0.003").doesNotContain("\tat ");
        CliRun resumed = CliRun.of(tiny(dir.resolve("second"), "3", "--resume", index.toString()));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed ").contains("2 of 3 trials done").contains("trial 3/3 (BO)")
                .doesNotContain("trial 1/3");
        JsonNode after = JSON.readTree(dir.resolve("search/01-23.json").toFile()).get("trials");
        assertThat(after).hasSize(3);
        assertThat(after.get(0)).isEqualTo(before.get(0));
        assertThat(after.get(1)).isEqualTo(before.get(1));
        assertThat(dir.resolve("second/summary.json")).exists();
        assertThat(dir.resolve("second/distributions/combined.json")).exists();
        assertThat(FoundDistribution.read(dir.resolve("distributions/combined.json")).multipliers())
                .as("the first run's outputs are left alone").containsExactly(combined);
    }

    @Test
    void badInputGivesOneLineAndExitCode2(@TempDir Path dir) throws IOException {
        Path notIndex = Files.writeString(dir.resolve("x.json"), "{\"task\":\"other\"}");
        String[][] cases = {
                {"--bounds", "10,0.1"},
                {"--bounds", "0,10"},
                {"--bounds", "-1,10"},
                {"--trials", "3", "--initial-design", "5"},
                {"--search-pairs", "0,1/1,2"},
                {"--search-pairs", "0,1/2,12"},
                {"--search-pairs", "0,1/"},
                {"--search-pairs", "0,1/2,3;;4/5"},
                {"--search-pairs", "0,0/2"},
                {"--eval-pair", FinetuneSearchCommand.DEFAULT_PAIRS.split(";")[0]},
                {"--eval-pair", "a/b"},
                {"--tolerance", "2"},
                {"--ewc-lambdas", ","},
                {"--eval-pair", "4,3,2,1,0/9,8,7,6,5"},
                {"--resume", dir.resolve("missing.json").toString()},
                {"--resume", notIndex.toString()},
        };
        String[] expected = {"--bounds must have LO < HI", "--bounds must be comma-separated finite numbers > 0",
                "--bounds", "--trials must be >= --initial-design (5), got 3", "class 1 on both sides",
                "class 12 in pair '0,1/2,12' is unknown", "has no new classes", "empty pair", "class 0 is listed twice",
                "also a search pair", "not a digit class", "--tolerance", "--ewc-lambdas", "also a search pair", "does not exist",
                "is not a search-index.json"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("finetune", "--search"));
            args.addAll(List.of(cases[i]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(expected[i]).doesNotContain("Exception", "\tat ");
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
