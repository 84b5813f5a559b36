package io.github.descent4j.dl4j.lora;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.descent4j.testkit.ConformanceTally;
import io.github.descent4j.testkit.GoldenCase;
import io.github.descent4j.testkit.GoldenCases;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static io.github.descent4j.testkit.Descent4jAssertions.assertThatValues;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code lora-dense} golden case (microsoft/LoRA loralib semantics, torch float64) through {@link LoraDense}:
 * the output, dA, dB and dInput for the case's upstream gradient, and the SGD fine-tuning trajectory of A and B
 * through a real {@link MultiLayerNetwork} ({@code fit} with DL4J's L2 loss at half the learning rate, which is the
 * case's 0.5·Σ(out − Y)²/batch), with W and b bit-identical throughout. Double 1e-9, float 1e-5.
 */
class LoraGoldenConformanceTest {

    @Test
    void everyCaseMatchesInDouble() {
        runAll(DataType.DOUBLE, 1e-9);
    }

    @Test
    void everyCaseMatchesInFloat() {
        runAll(DataType.FLOAT, 1e-5);
    }

    static Map<String, Integer> runAll(DataType type, double tolerance) {
        ConformanceTally tally = new ConformanceTally("LoraGoldenConformanceTest (" + type + ", " + tolerance + ")",
                GoldenCases.directory());
        for (GoldenCase c : GoldenCases.ofKind(GoldenCases.load(GoldenCases.directory()), "lora-dense")) {
            Activation activation = switch (c.text("activation", "")) {
                case "identity" -> Activation.IDENTITY;
                case "tanh" -> Activation.TANH;
                case "relu" -> Activation.RELU;
                case "sigmoid" -> Activation.SIGMOID;
                default -> null;
            };
            if (!c.algorithm().equals("LoRA") || activation == null) {
                tally.unknown(c, "not a LoRA dense case with a known activation");
                continue;
            }
            JsonNode trajectory = c.json().path("hyperparameters").path("trajectory");
            if (c.json().path("steps").size() > 0 && (!trajectory.path("optimizer").asText().equals("SGD")
                    || !trajectory.path("loss").asText().replace(" ", "").equals("0.5*sum((out-Y)^2)/batch"))) {
                // the replay below is SGD on DL4J's L2 loss at lr/2, which is exactly this objective and no other
                tally.unknown(c, "a LoRA trajectory with optimizer '" + trajectory.path("optimizer").asText() + "' and loss '"
                        + trajectory.path("loss").asText() + "' (only SGD on 0.5*sum((out-Y)^2)/batch is replayed)");
                continue;
            }
            replay(c, activation, type, tolerance);
            tally.ran(c.algorithm() + "/" + c.text("activation", ""));
        }
        return tally.finish();
    }

    private static INDArray matrix(JsonNode json, String field, long rows, long cols, DataType type) {
        return Nd4j.create(GoldenCase.toDoubleArray(json.path(field)), new long[]{rows, cols}, 'c').castTo(type);
    }

    private static double[] rowMajor(INDArray a) {
        return a.dup('c').reshape(-1).toDoubleVector();
    }

    private static void replay(GoldenCase c, Activation activation, DataType type, double tolerance) {
        JsonNode j = c.json();
        int batch = j.path("batch").asInt();
        int nIn = j.path("nIn").asInt();
        int nOut = j.path("nOut").asInt();
        int rank = (int) c.hyperparameter("rank");
        double alpha = c.hyperparameter("alpha");
        double lr = j.path("hyperparameters").path("trajectory").path("learningRate").asDouble();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(type).updater(new Sgd(lr / 2))
                .list()
                .layer(new LoraDense.Builder().nIn(nIn).nOut(nOut).rank(rank).alpha(alpha).activation(activation).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .build());
        net.init();
        net.initGradientsView();   // fit does this; the direct backprop below needs it too
        Layer layer = net.getLayer(0);
        INDArray w = matrix(j, "W", nIn, nOut, type);
        INDArray b = matrix(j, "b", 1, nOut, type);
        layer.getParam("W").assign(w);
        layer.getParam("b").assign(b);
        layer.getParam("A").assign(matrix(j, "A", nIn, rank, type));
        layer.getParam("B").assign(matrix(j, "B", rank, nOut, type));
        INDArray x = matrix(j, "input", batch, nIn, type);
        JsonNode g = j.path("gradient");

        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, mgr);
        INDArray out = layer.activate(true, mgr);
        assertThatValues(rowMajor(out)).as(c.name() + " output").isCloseTo(GoldenCase.toDoubleArray(g.path("output")), tolerance);
        Pair<Gradient, INDArray> back = layer.backpropGradient(matrix(g, "upstream", batch, nOut, type), mgr);
        assertThatValues(rowMajor(back.getFirst().getGradientFor("A"))).as(c.name() + " dA")
                .isCloseTo(GoldenCase.toDoubleArray(g.path("dA")), tolerance);
        assertThatValues(rowMajor(back.getFirst().getGradientFor("B"))).as(c.name() + " dB")
                .isCloseTo(GoldenCase.toDoubleArray(g.path("dB")), tolerance);
        assertThatValues(rowMajor(back.getSecond())).as(c.name() + " dInput")
                .isCloseTo(GoldenCase.toDoubleArray(g.path("dInput")), tolerance);
        assertThat(rowMajor(back.getFirst().getGradientFor("W"))).as("dW is never computed").containsOnly(0.0);

        INDArray y = matrix(j, "targets", batch, nOut, type);
        double[] wBefore = rowMajor(layer.getParam("W"));
        double[] bBefore = rowMajor(layer.getParam("b"));
        int step = 0;
        for (JsonNode s : j.path("steps")) {
            net.fit(x, y);
            step++;
            // DL4J's L2 loss is Σ(out − y)² per example averaged over the batch: twice the case's 0.5·Σ/batch
            assertThat(net.score() / 2).as("%s loss before step %d", c.name(), step)
                    .isCloseTo(s.path("loss").asDouble(), org.assertj.core.data.Offset.offset(tolerance * Math.max(1, s.path("loss").asDouble())));
            assertThatValues(rowMajor(layer.getParam("A"))).as("%s step %d A", c.name(), step)
                    .isCloseTo(GoldenCase.toDoubleArray(s.path("after").get(0)), tolerance);
            assertThatValues(rowMajor(layer.getParam("B"))).as("%s step %d B", c.name(), step)
                    .isCloseTo(GoldenCase.toDoubleArray(s.path("after").get(1)), tolerance);
            assertThat(rowMajor(layer.getParam("W"))).as("W frozen").containsExactly(wBefore);
            assertThat(rowMajor(layer.getParam("b"))).as("b frozen").containsExactly(bBefore);
        }
        assertThat(step).as("%s trajectory steps replayed", c.name()).isEqualTo(j.path("steps").size());
    }
}
