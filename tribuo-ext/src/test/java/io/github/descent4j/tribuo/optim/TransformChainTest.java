package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.test.Helpers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configurable transform chain reproduces the fused optimisers and round-trips through OLCUT. */
class TransformChainTest {
    private static final String ADAM = "scaleByAdam(beta1=0.8, beta2=0.99, epsilon=1.0E-7) | scaleByLearningRate()";
    private static final String ADAMW = "scaleByAdam(beta1=0.8, beta2=0.99, epsilon=1.0E-7) | addDecayedWeights(weightDecay=0.05)"
            + " | scaleByLearningRate()";

    /** Dense wine one example at a time, and sparse digits in minibatches of 32 (lazy updates). */
    @ParameterizedTest(name = "{0}, sparse = {1}")
    @CsvSource({"Adam, false", "Adam, true", "AdamW, false", "AdamW, true"})
    void aChainReproducesTheFusedOptimiserOnALinearSgdTrainerRun(String fused, boolean sparse) {
        double lr = 0.01;
        StochasticGradientOptimiser reference = fused.equals("Adam") ? new Adam(lr, 0.8, 0.99, 1e-7) : new AdamW(lr, 0.8, 0.99, 1e-7, 0.05);
        StochasticGradientOptimiser chain = new TransformChain(lr, fused.equals("Adam") ? ADAM : ADAMW);
        LabelledData[] data = sparse ? TestData.digits() : TestData.wine();
        var train = TribuoDatasets.classification(data[0], "train", sparse);
        DenseMatrix expected = weights(new LinearSGDTrainer(new LogMulticlass(), reference, 3, -1, sparse ? 32 : 1, 1L).train(train));
        DenseMatrix actual = weights(new LinearSGDTrainer(new LogMulticlass(), chain, 3, -1, sparse ? 32 : 1, 1L).train(train));
        assertThat(actual.getDimension1Size()).isEqualTo(expected.getDimension1Size());
        double worst = 0;
        for (int i = 0; i < expected.getDimension1Size(); i++) {
            for (int j = 0; j < expected.getDimension2Size(); j++) {
                double e = expected.get(i, j);
                worst = Math.max(worst, Math.abs(actual.get(i, j) - e) / Math.max(Math.abs(e), 1e-8));
            }
        }
        System.out.println("TransformChainTest: " + fused + (sparse ? " sparse digits" : " dense wine") + ", largest relative weight difference " + worst);
        assertThat(worst).as("largest relative difference of the weights").isLessThan(1e-10);
        assertThat(expected.get(0, 0)).isNotZero();
    }

    private static DenseMatrix weights(Model<Label> model) {
        return ((LinearSGDModel) model).getWeightsCopy();
    }

    @Test
    void configurationRoundTripsThroughOlcutXml(@TempDir Path dir) throws Exception {
        List<String> items = List.of("clipByGlobalNorm(maxNorm=1.0)", "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)",
                "addDecayedWeights(weightDecay=0.01) | scaleByLearningRate()");
        TransformChain optimiser = (TransformChain) lookup(dir, "<property name=\"learningRate\" value=\"0.01\"/>"
                + "<propertylist name=\"transforms\">" + items.stream().map(i -> "<item>" + i + "</item>").reduce("", String::concat)
                + "</propertylist>");
        assertThat(optimiser.getLearningRate()).isEqualTo(0.01);
        assertThat(optimiser.getSpec()).isEqualTo(String.join(" | ", items));
        assertThat(optimiser.toString()).isEqualTo("TransformChain(learningRate=0.01,transforms=" + String.join(" | ", items) + ")");

        Helpers.testConfigurableRoundtrip(optimiser);
        assertThat(optimiser.copy().getProvenance()).isEqualTo(optimiser.getProvenance());
        assertThat(new TransformChain(0.01, io.github.descent4j.core.transform.TransformChain.parse(optimiser.getSpec())).getSpec())
                .isEqualTo(optimiser.getSpec());

        LabelledData[] wine = TestData.wine();
        var train = TribuoDatasets.classification(wine[0], "wine-train", false);
        Model<Label> model = new LinearSGDTrainer(new LogMulticlass(), optimiser, 2, -1, 1, 1L).train(train);
        var recorded = (ConfiguredObjectProvenance) model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("optimiser");
        assertThat(recorded.getClassName()).isEqualTo(TransformChain.class.getName());
        List<String> recordedItems = new ArrayList<>();
        for (Object item : (ListProvenance<?>) recorded.getConfiguredParameters().get("transforms")) {
            recordedItems.add(((PrimitiveProvenance<?>) item).getValue().toString());
        }
        assertThat(recordedItems).isEqualTo(items);
    }

    @Test
    void aBadChainIsRejectedNamingTheFieldTheTransformAndTheParameter(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> lookup(dir, "<property name=\"learningRate\" value=\"0.01\"/>"
                + "<propertylist name=\"transforms\"><item>scaleByAdam(beta1=1.5)</item><item>scaleByLearningRate()</item></propertylist>"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("transforms").hasMessageContaining("scaleByAdam: beta1 must be in [0, 1)");
        assertThatThrownBy(() -> lookup(dir, "<property name=\"learningRate\" value=\"0.01\"/>"
                + "<propertylist name=\"transforms\"><item>sign()</item><item>normalizeByGlobalNorm()</item></propertylist>"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("must be the first part");
        assertThatThrownBy(() -> lookup(dir, "<property name=\"learningRate\" value=\"-1\"/>"
                + "<propertylist name=\"transforms\"><item>sign()</item></propertylist>"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> lookup(dir, "<property name=\"learningRate\" value=\"0.01\"/>"))
                .isInstanceOf(PropertyException.class).hasMessageContaining("transforms");
        assertThatThrownBy(() -> new TransformChain(0.01, "sign() | scaleByLearningRatee()"))
                .hasMessageContaining("unknown transform 'scaleByLearningRatee'");
    }

    private static Object lookup(Path dir, String properties) throws Exception {
        Path file = dir.resolve("chain-" + System.nanoTime() + ".xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n<component name=\"chain\" type=\""
                + TransformChain.class.getName() + "\">" + properties + "</component>\n</config>\n");
        return new ConfigurationManager(file.toString()).lookup("chain");
    }
}
