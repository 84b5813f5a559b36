package io.github.descent4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.core.batch.AdaptiveBatchSize;
import io.github.descent4j.core.batch.BatchStatistics;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link BatchStatistics} and {@link AdaptiveBatchSize} on every batch-test golden case (timlautk/AdAdaGrad
 * {@code tests.py}): statistics to 1e-9 relative, next batch sizes (uncapped, {@code ⌈max(b, T)⌉})
 * exactly.
 */
class BatchTestConformanceTest {
    private static final String KIND = "batch-test";
    private static final double RTOL = 1e-9;

    @Test
    void everyBatchTestCaseMatches() {
        runAll(GoldenCases.directory());
    }

    /** Checks every batch-test case of {@code dir}; fails on an unknown algorithm or when none ran. */
    static Map<String, Integer> runAll(Path dir) {
        ConformanceTally tally = new ConformanceTally("BatchTestConformanceTest", dir);
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(dir), KIND)) {
            if (!c.algorithm().equals("AdaptiveBatchTests")) {
                tally.unknown(c, "not the adaptive batch-size tests");
                continue;
            }
            JsonNode m = c.json().path("perExampleGradients");
            int rows = m.path("rows").asInt();
            int cols = m.path("cols").asInt();
            double[] values = GoldenCase.toDoubleArray(m.path("values"));
            assertThat(values).as("%s: values", c.name()).hasSize(rows * cols);
            double eta = c.hyperparameter("eta");
            double theta = c.hyperparameter("theta");
            double nu = c.hyperparameter("nu");
            JsonNode e = c.json().path("expected");

            BatchStatistics s = BatchStatistics.of(values, rows, cols);
            close(c, "meanGradientNormSquared", s.meanGradientNormSquared(), e);
            close(c, "normTestStatistic", s.normTest(eta), e);
            close(c, "innerProductTestStatistic", s.innerProductTest(theta), e);
            close(c, "orthogonalityTestStatistic", s.orthogonalityTest(nu), e);

            int uncapped = Integer.MAX_VALUE;
            assertThat(BatchStatistics.nextBatchSize(rows, s.normTest(eta), uncapped)).as("%s: nextBatchNorm", c.name())
                    .isEqualTo(expectedInt(c, e, "nextBatchNorm"));
            assertThat(BatchStatistics.nextBatchSize(rows, s.innerProductTest(theta), uncapped))
                    .as("%s: nextBatchInnerProduct", c.name()).isEqualTo(expectedInt(c, e, "nextBatchInnerProduct"));
            assertThat(BatchStatistics.nextBatchSize(rows, s.augmentedTest(theta, nu), uncapped))
                    .as("%s: nextBatchAugmented", c.name()).isEqualTo(expectedInt(c, e, "nextBatchAugmented"));

            // The stateful driver, started at b0 = rows with no effective cap, agrees.
            assertThat(AdaptiveBatchSize.norm(eta, rows, uncapped).update(values, rows, cols))
                    .as("%s: driver norm", c.name()).isEqualTo(expectedInt(c, e, "nextBatchNorm"));
            assertThat(AdaptiveBatchSize.innerProduct(theta, rows, uncapped).update(values, rows, cols))
                    .as("%s: driver inner product", c.name()).isEqualTo(expectedInt(c, e, "nextBatchInnerProduct"));
            assertThat(AdaptiveBatchSize.augmented(theta, nu, rows, uncapped).update(values, rows, cols))
                    .as("%s: driver augmented", c.name()).isEqualTo(expectedInt(c, e, "nextBatchAugmented"));
            tally.ran(c.algorithm());
        }
        return tally.finish();
    }

    private static void close(GoldenCase c, String field, double actual, JsonNode expected) {
        JsonNode node = expected.path(field);
        assertThat(node.isNumber()).as("%s: expected.%s present", c.name(), field).isTrue();
        double want = node.asDouble();
        assertThat(actual).as("%s: %s", c.name(), field).isCloseTo(want, within(RTOL * Math.abs(want)));
    }

    private static int expectedInt(GoldenCase c, JsonNode expected, String field) {
        JsonNode node = expected.path(field);
        assertThat(node.canConvertToInt()).as("%s: expected.%s is an int", c.name(), field).isTrue();
        return node.asInt();
    }
}
