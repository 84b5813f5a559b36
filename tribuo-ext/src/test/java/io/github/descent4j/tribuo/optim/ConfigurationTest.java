package io.github.descent4j.tribuo.optim;

import io.github.descent4j.datasets.tribuo.TribuoDatasets;
import io.github.descent4j.tribuo.Optimisers;
import io.github.descent4j.tribuo.TestData;
import io.github.descent4j.tribuo.layerwise.LayerwiseLearningRates;
import io.github.descent4j.tribuo.spd.AdamSPD;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import io.github.descent4j.datasets.LabelledData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.test.Helpers;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Optimisers configured through OLCUT XML train models whose provenance records every hyperparameter. */
class ConfigurationTest {
    private static final String CONFIG = "/io/github/descent4j/tribuo/optimisers-config.xml";

    /** The optimiser components of the XML file (not the schedules they use). */
    static Stream<String> componentNames() throws Exception {
        return xmlComponents().keySet().stream().filter(name -> !SCHEDULES.contains(name));
    }

    private static final List<String> SCHEDULES = List.of("warmup-cosine", "wsd", "one-cycle");

    /** Component name → (property name → value) as written in the XML file. */
    private static Map<String, Map<String, List<String>>> xmlComponents() throws Exception {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        try (InputStream in = ConfigurationTest.class.getResourceAsStream(CONFIG)) {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            NodeList components = doc.getElementsByTagName("component");
            for (int i = 0; i < components.getLength(); i++) {
                Element c = (Element) components.item(i);
                Map<String, List<String>> props = new LinkedHashMap<>();
                NodeList properties = c.getElementsByTagName("property");
                for (int p = 0; p < properties.getLength(); p++) {
                    Element e = (Element) properties.item(p);
                    props.put(e.getAttribute("name"), List.of(e.getAttribute("value")));
                }
                NodeList lists = c.getElementsByTagName("propertylist");
                for (int p = 0; p < lists.getLength(); p++) {
                    Element e = (Element) lists.item(p);
                    List<String> items = new ArrayList<>();
                    NodeList itemNodes = e.getElementsByTagName("item");
                    for (int k = 0; k < itemNodes.getLength(); k++) {
                        items.add(itemNodes.item(k).getTextContent().trim());
                    }
                    props.put(e.getAttribute("name"), items);
                }
                out.put(c.getAttribute("name"), props);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("componentNames")
    void configuredOptimiserTrainsAndProvenanceShowsEveryHyperparameter(String name) throws Exception {
        ConfigurationManager cm = new ConfigurationManager(CONFIG);
        StochasticGradientOptimiser optimiser = (StochasticGradientOptimiser) cm.lookup(name);

        LabelledData[] wine = TestData.wine();
        var train = TribuoDatasets.classification(wine[0], "wine-train", false);
        var test = TribuoDatasets.classification(wine[1], "wine-test", false);
        Model<Label> model = new LinearSGDTrainer(new LogMulticlass(), optimiser, 10, -1, 1, 1L).train(train);
        assertThat(new LabelEvaluator().evaluate(model, test).accuracy()).as(name + " accuracy").isGreaterThan(0.85);

        Provenance recorded = model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("optimiser");
        assertThat(recorded).isInstanceOf(ConfiguredObjectProvenance.class);
        ConfiguredObjectProvenance optimiserProvenance = (ConfiguredObjectProvenance) recorded;
        assertThat(optimiserProvenance.getClassName()).isEqualTo(optimiser.getClass().getName());
        Map<String, Map<String, List<String>>> xml = xmlComponents();
        for (Map.Entry<String, List<String>> property : xml.get(name).entrySet()) {
            Provenance value = optimiserProvenance.getConfiguredParameters().get(property.getKey());
            assertThat(value).as(name + "." + property.getKey() + " in provenance").isNotNull();
            if (value instanceof PrimitiveProvenance && !isNumberOrFlag(property.getValue().get(0))) {
                // an enum (WeightAveraging's mode) is recorded by its name
                assertThat(((PrimitiveProvenance<?>) value).getValue().toString()).as(name + "." + property.getKey())
                        .isEqualTo(property.getValue().get(0));
            } else if (value instanceof PrimitiveProvenance) {
                assertThat(Double.parseDouble(((PrimitiveProvenance<?>) value).getValue().toString().replace("true", "1").replace("false", "0")))
                        .as(name + "." + property.getKey())
                        .isEqualTo(Double.parseDouble(property.getValue().get(0).replace("true", "1").replace("false", "0")));
            } else if (value instanceof ListProvenance) {
                List<String> recordedItems = new ArrayList<>();
                for (Object item : (ListProvenance<?>) value) {
                    recordedItems.add(Double.toString(Double.parseDouble(((PrimitiveProvenance<?>) item).getValue().toString())));
                }
                assertThat(recordedItems).as(name + "." + property.getKey())
                        .isEqualTo(property.getValue().stream().map(v -> Double.toString(Double.parseDouble(v))).toList());
            } else {
                // a nested configurable (the base optimiser): its own hyperparameters are recorded inside it
                assertThat(value).isInstanceOf(ConfiguredObjectProvenance.class);
                assertThat(((ConfiguredObjectProvenance) value).getConfiguredParameters().keySet())
                        .containsAnyOf("learningRate", "initialLearningRate", "totalSteps");   // ours, Tribuo's, a schedule
            }
        }
    }

    private static boolean isNumberOrFlag(String value) {
        if (value.equals("true") || value.equals("false")) {
            return true;
        }
        try {
            Double.parseDouble(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("componentNames")
    void configurationRoundTripsThroughTribuoHelpers(String name) {
        ConfigurationManager cm = new ConfigurationManager(CONFIG);
        StochasticGradientOptimiser optimiser = (StochasticGradientOptimiser) cm.lookup(name);
        Helpers.testConfigurableRoundtrip(optimiser);
        assertThat(optimiser.copy().getProvenance()).isEqualTo(optimiser.getProvenance());
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("optim.SignSGD", "learningRate", "-0.1", ""),
                Arguments.of("optim.SignSGD", "learningRate", "NaN", ""),
                Arguments.of("optim.SignSGD", "momentum", "1.0", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Signum", "beta", "-0.5", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Lion", "beta1", "1.5", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Lion", "beta2", "NaN", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Lion", "weightDecay", "-1", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.NormalizedSGD", "learningRate", "Infinity", ""),
                Arguments.of("optim.AdaGradNorm", "b0", "0", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Adam", "epsilon", "0", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.Adam", "beta2", "1", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("optim.AdamW", "weightDecay", "-0.01", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("spd.AdamSPD", "lambda", "-1", "<property name=\"learningRate\" value=\"0.1\"/>"),
                Arguments.of("spd.AdamSPD", "learningRate", "0", "<property name=\"lambda\" value=\"0.1\"/>"),
                Arguments.of("clip.GlobalNormClipping", "maxNorm", "0", BASE),
                Arguments.of("clip.GlobalNormClipping", "maxNorm", "-1", BASE),
                Arguments.of("clip.GlobalNormClipping", "maxNorm", "NaN", BASE),
                Arguments.of("clip.GlobalNormClipping", "maxNorm", "Infinity", BASE),
                Arguments.of("schedule.WarmupCosineSchedule", "warmupSteps", "20", "<property name=\"totalSteps\" value=\"10\"/>"),
                Arguments.of("schedule.WarmupCosineSchedule", "minRatio", "NaN", "<property name=\"totalSteps\" value=\"10\"/><property name=\"warmupSteps\" value=\"1\"/>"),
                Arguments.of("schedule.WarmupStableDecaySchedule", "decayFraction", "0", "<property name=\"totalSteps\" value=\"10\"/><property name=\"warmupSteps\" value=\"1\"/>"),
                Arguments.of("schedule.OneCycleSchedule", "pctStart", "1.5", "<property name=\"totalSteps\" value=\"10\"/>"),
                Arguments.of("schedule.OneCycleSchedule", "maxMomentum", "1.0", "<property name=\"totalSteps\" value=\"10\"/>"),
                Arguments.of("schedule.OneCycleSchedule", "totalSteps", "1", ""),
                Arguments.of("average.WeightAveraging", "decay", "1.0", MODE_EMA),
                Arguments.of("average.WeightAveraging", "decay", "NaN", MODE_EMA),
                Arguments.of("average.WeightAveraging", "decay", "-0.1", MODE_EMA),
                Arguments.of("average.WeightAveraging", "decay", "0.5", MODE_SWA),
                Arguments.of("average.WeightAveraging", "startStep", "-1", MODE_SWA));
    }

    /** A base optimiser component for the wrappers' invalid settings. */
    private static final String BASE = "<property name=\"base\" value=\"base\"/>\n</component>\n"
            + "<component name=\"base\" type=\"io.github.descent4j.tribuo.optim.Adam\"><property name=\"learningRate\" value=\"0.1\"/>";

    /** WeightAveraging's mode, then the base. */
    private static final String MODE_EMA = "<property name=\"mode\" value=\"EMA\"/>\n" + BASE;
    private static final String MODE_SWA = "<property name=\"mode\" value=\"SWA\"/>\n" + BASE;

    @ParameterizedTest(name = "{0}.{1} = {2}")
    @MethodSource("invalidSettings")
    void invalidConfigurationIsRejectedNamingTheProperty(String type, String property, String value, String others,
                                                         @TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "<component name=\"bad\" type=\"io.github.descent4j.tribuo." + type + "\">\n"
                + "<property name=\"" + property + "\" value=\"" + value + "\"/>\n" + others + "\n"
                + "</component>\n</config>\n");
        ConfigurationManager cm = new ConfigurationManager(file.toString());
        assertThatThrownBy(() -> cm.lookup("bad"))
                .isInstanceOf(PropertyException.class)
                .hasMessageContaining(property);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0.5", "NaN"})
    void invalidMultiplierInConfigurationIsRejected(String multiplier, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "<component name=\"adam\" type=\"io.github.descent4j.tribuo.optim.Adam\"><property name=\"learningRate\" value=\"0.1\"/></component>\n"
                + "<component name=\"bad\" type=\"io.github.descent4j.tribuo.layerwise.LayerwiseLearningRates\">\n"
                + "<property name=\"base\" value=\"adam\"/><propertylist name=\"multipliers\"><item>1.0</item><item>" + multiplier
                + "</item></propertylist>\n</component>\n</config>\n");
        ConfigurationManager cm = new ConfigurationManager(file.toString());
        assertThatThrownBy(() -> cm.lookup("bad")).isInstanceOf(PropertyException.class).hasMessageContaining("multipliers");
    }

    @Test
    void spdOverTribuoAdaGradRoundTripsItsConfiguration() {
        SelectiveProjectionDecay spd = new SelectiveProjectionDecay(new AdaGrad(0.3, 1e-5), 0.25, true);
        Helpers.testConfigurableRoundtrip(spd);
    }
}
