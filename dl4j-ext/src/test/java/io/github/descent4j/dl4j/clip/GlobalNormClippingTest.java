package io.github.descent4j.dl4j.clip;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.dl4j.updater.Adam;
import io.github.descent4j.dl4j.updater.Lion;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The DL4J clipping listener over networks with several updater blocks, frozen layers and BatchNorm. */
class GlobalNormClippingTest {

    /** Three updater blocks (Adam, Lion, Sgd), a frozen layer and a BatchNormalization layer. */
    private static MultiLayerConfiguration mixed() {
        return new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(8).activation(Activation.TANH).updater(new Adam(0.01)).build())
                .layer(new FrozenLayer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).build()))
                .layer(new BatchNormalization.Builder().nOut(8).updater(new Lion(1e-3)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
    }

    private static DataSet data(long seed, double scale) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.randn(DataType.DOUBLE, 12, 5).muli(scale);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 12, 3);
        for (int i = 0; i < 12; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(features, labels);
    }

    /**
     * The reference step by hand, as DL4J's optimiser runs it: gradient, then (trainable variables only) the clip
     * with the norm of the minibatch-mean gradient, the updater blocks, and θ ← θ − update.
     */
    private static double referenceStep(MultiLayerNetwork net, DataSet batch, double maxNorm) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) net.getUpdater();
        List<INDArray> trainable = new ArrayList<>();
        double squared = 0;
        for (var block : updater.getUpdaterBlocks()) {
            for (var p : block.getLayersAndVariablesInBlock()) {
                if (!(p.getLayer().getConfig().getUpdaterByParam(p.getParamName()) instanceof NoOp)) {
                    trainable.add(p.getGradView());
                    double n = p.getGradView().norm2Number().doubleValue() / batch.numExamples();
                    squared += n * n;
                }
            }
        }
        double norm = Math.sqrt(squared);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            trainable.forEach(g -> g.muli(coef));
        }
        updater.update(net.gradient(), net.getIterationCount(), net.getEpochCount(), batch.numExamples(),
                LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(net.getFlattenedGradients().reshape(net.params().shape()));
        net.setIterationCount(net.getIterationCount() + 1);
        return norm;
    }

    @Test
    void theNormSpansEveryBlockSkipsFrozenAndRunningStatisticsAndTheStepMatchesTheReference() {
        MultiLayerNetwork clipped = new MultiLayerNetwork(mixed());
        clipped.init();
        MultiLayerNetwork reference = new MultiLayerNetwork(mixed());
        reference.init();
        MultiLayerNetwork unclipped = new MultiLayerNetwork(mixed());
        unclipped.init();
        assertThat(((BaseMultiLayerUpdater<?>) clipped.getUpdater()).getUpdaterBlocks()).hasSizeGreaterThanOrEqualTo(3);
        List<Double> reported = new ArrayList<>();
        GlobalNormClipping clip = GlobalNormClipping.maxNorm(0.05).reportTo((model, iteration, epoch, norm, coef) -> {
            assertThat(model).isSameAs(clipped);
            assertThat(iteration).isEqualTo(reported.size());
            reported.add(norm);
        });
        clipped.addListeners(clip);
        INDArray frozen = clipped.getLayer(1).params().dup();
        INDArray initialMean = clipped.getLayer(2).getParam("mean").dup();
        for (int step = 0; step < 4; step++) {
            DataSet batch = data(step, 3.0);
            double norm = referenceStep(reference, batch, 0.05);
            clipped.fit(batch);
            unclipped.fit(batch);
            if (step == 0) {
                // from the same θ: the running statistics come from the forward pass, not from the clipped gradient
                for (String stat : new String[]{"mean", "log10stdev"}) {
                    assertThat(clipped.getLayer(2).getParam(stat).toDoubleVector()).as(stat)
                            .containsExactly(unclipped.getLayer(2).getParam(stat).toDoubleVector());
                }
                assertThat(clipped.getLayer(2).getParam("mean").toDoubleVector()).as("the statistics moved")
                        .isNotEqualTo(initialMean.toDoubleVector());
            }
            assertThat(clip.lastNorm()).as("step %d norm", step).isCloseTo(norm, within(1e-12 * norm));
            assertThat(clip.lastCoefficient()).isLessThan(1.0);
            assertThat(clipped.params().toDoubleVector()).as("step %d", step)
                    .usingElementComparator((a, b) -> Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) ? 0 : 1)
                    .containsExactly(reference.params().toDoubleVector());
        }
        assertThat(reported).hasSize(4);
        assertThat(clip.clippedSteps()).isEqualTo(4);
        assertThat(clipped.getLayer(1).params()).as("frozen layer").isEqualTo(frozen);
        assertThat(clipped.params().toDoubleVector()).isNotEqualTo(unclipped.params().toDoubleVector());
    }

    @Test
    void aSmallGradientPassesUnchangedAndTheSingleReductionPathAgreesWithTheReference() {
        MultiLayerConfiguration plain = new NeuralNetConfiguration.Builder().seed(8).dataType(DataType.DOUBLE).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        for (double maxNorm : new double[]{1e3, 0.01}) {
            MultiLayerNetwork net = new MultiLayerNetwork(plain.clone());
            net.init();
            MultiLayerNetwork reference = new MultiLayerNetwork(plain.clone());
            reference.init();
            GlobalNormClipping clip = GlobalNormClipping.maxNorm(maxNorm);
            net.addListeners(clip);
            for (int step = 0; step < 3; step++) {
                DataSet batch = data(10 + step, 1.0);
                double norm = referenceStep(reference, batch, maxNorm);
                net.fit(batch);
                assertThat(clip.lastNorm()).isCloseTo(norm, within(1e-12 * norm));
                assertThat(clip.lastCoefficient() == 1.0).as("unclipped at maxNorm %s", maxNorm).isEqualTo(maxNorm > 1);
                assertThat(net.params().toDoubleVector()).usingElementComparator(
                        (a, b) -> Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) ? 0 : 1).containsExactly(reference.params().toDoubleVector());
            }
        }
    }

    @Test
    void aNonFiniteGradientIsRefusedBeforeAnythingIsScaled() {
        MultiLayerNetwork net = new MultiLayerNetwork(mixed());
        net.init();
        net.addListeners(GlobalNormClipping.maxNorm(1.0));
        DataSet bad = data(1, 1.0);
        bad.getFeatures().putScalar(0, 0, Double.NaN);
        INDArray before = net.params().dup();
        assertThatThrownBy(() -> net.fit(bad)).isInstanceOf(NonFiniteGradientException.class).hasMessageContaining("nothing was clipped");
        assertThat(net.params()).isEqualTo(before);
    }

    @Test
    void aGraphIsClippedAndARestoredNetworkContinuesBitIdentically() throws IOException {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.DOUBLE)
                .updater(new Adam(0.02)).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        graph.init();
        GlobalNormClipping clip = GlobalNormClipping.maxNorm(0.1);
        graph.addListeners(clip);
        graph.fit(data(3, 2.0));
        assertThat(clip.lastCoefficient()).isLessThan(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        restored.addListeners(GlobalNormClipping.fromJson(clip.toJson()));
        for (int i = 0; i < 3; i++) {
            graph.fit(data(20 + i, 2.0));
            restored.fit(data(20 + i, 2.0));
        }
        assertThat(restored.params().toDoubleVector()).containsExactly(graph.params().toDoubleVector());
    }

    @Test
    void configurationIsAValueInJsonAndJavaSerialisationAndBadBoundsAreNamed() throws Exception {
        GlobalNormClipping clip = GlobalNormClipping.maxNorm(2.5);
        assertThat(clip.toJson()).isEqualTo("{\"maxNorm\":2.5}");
        assertThat(GlobalNormClipping.fromJson(clip.toJson())).isEqualTo(clip).hasSameHashCodeAs(clip);
        assertThat(clip).isNotEqualTo(GlobalNormClipping.maxNorm(2.0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(clip);
        }
        Object back = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertThat(back).isEqualTo(clip);
        assertThat(((GlobalNormClipping) back).reportTo((m, i, e, n, c) -> { })).isNotNull();
        for (double bad : new double[]{0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> GlobalNormClipping.maxNorm(bad)).isInstanceOf(InvalidHyperparameterException.class)
                    .hasMessageContaining("maxNorm");
        }
        assertThatThrownBy(() -> GlobalNormClipping.fromJson("{\"maxNorm\":-3}")).hasMessageContaining("maxNorm");
        Model notANetwork = null;
        assertThatThrownBy(() -> clip.onGradientCalculation(notANetwork)).hasMessageContaining("MultiLayerNetwork");
    }
}
