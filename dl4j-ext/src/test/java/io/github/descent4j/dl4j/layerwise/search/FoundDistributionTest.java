package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.LearningRateDistribution;
import io.github.descent4j.dl4j.layerwise.LayerwiseLearningRates;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FoundDistributionTest {
    @TempDir
    Path dir;

    @Test
    void savesLoadsExactlyAndAppliesPerLayerRates() throws Exception {
        FoundDistribution found = new FoundDistribution("0,1/2,3", new double[] {0.0031622776601683794, 0.1, 2.5},
                List.of("0", "1", "2"));
        Path file = dir.resolve("sub/found.json");
        found.write(file);
        FoundDistribution back = FoundDistribution.read(file);
        assertThat(back).isEqualTo(found);
        assertThat(Files.readString(file)).contains("\"format\" : \"descent4j-lr-distribution\"");

        MultiLayerNetwork net = new TwoTaskProblem(1).protocol().start();
        Map<Integer, Double> applied = LayerwiseLearningRates.apply(net, back.distribution());
        assertThat(applied.values()).containsExactly(0.0031622776601683794, 0.1, 2.5);
        for (int i = 0; i < 3; i++) {
            for (String param : List.of("W", "b")) {
                assertThat(net.getLayer(i).conf().getLayer().getUpdaterByParam(param).getLearningRate(0, 0))
                        .isCloseTo(0.02 * found.multipliers()[i], within(1e-15));
            }
        }
    }

    @Test
    void combinesByGeometricMeanAndResamplesToAnotherDepth() throws Exception {
        FoundDistribution a = new FoundDistribution("a", new double[] {0.01, 1}, List.of());
        FoundDistribution b = new FoundDistribution("b", new double[] {1, 4}, List.of());
        double[] combined = LearningRateDistribution.geometricMean(a.distribution(), b.distribution()).multipliers(3);
        assertThat(combined[0]).isCloseTo(0.1, within(1e-12));
        assertThat(combined[1]).isCloseTo(Math.sqrt(0.505 * 2.5), within(1e-12)); // each resampled, then combined
        assertThat(combined[2]).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void refusesBadFilesAndValues() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"descent4j-lr-distribution\",\"version\":1,\"multipliers\":[1,-2]}");
        assertThatThrownBy(() -> FoundDistribution.read(file)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("multipliers[1]");
        Files.writeString(file, "{\"format\":\"descent4j-lr-distribution\",\"version\":1,\"multipliers\":[]}");
        assertThatThrownBy(() -> FoundDistribution.read(file)).hasMessageContaining("at least one value");
        Files.writeString(file, "{\"format\":\"descent4j-lr-distribution\",\"version\":1,\"multipliers\":[1,\"x\"]}");
        assertThatThrownBy(() -> FoundDistribution.read(file)).hasMessageContaining("multipliers[1] is not a number");
        Files.writeString(file, "{\"format\":\"descent4j-lr-distribution\",\"version\":2,\"multipliers\":[1]}");
        assertThatThrownBy(() -> FoundDistribution.read(file)).hasMessageContaining("version");
        Files.writeString(file, "{\"multipliers\":[1]}");
        assertThatThrownBy(() -> FoundDistribution.read(file)).hasMessageContaining("not a descent4j learning-rate distribution");
        assertThatThrownBy(() -> new FoundDistribution("x", new double[] {0, 0}, List.of()))
                .hasMessageContaining("must not all be 0");
        assertThatThrownBy(() -> new FoundDistribution("x", new double[] {1, Double.NaN}, List.of()))
                .hasMessageContaining("multipliers[1]");
        assertThatThrownBy(() -> new FoundDistribution("x", new double[] {1, 2}, List.of("0")))
                .hasMessageContaining("layers");
    }
}
