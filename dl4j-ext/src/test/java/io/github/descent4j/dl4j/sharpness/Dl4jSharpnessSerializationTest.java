package io.github.descent4j.dl4j.sharpness;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java serialisation of the sharpness listeners: a round trip gives an equal configuration that trains a
 * network to the same bits as the original.
 */
class Dl4jSharpnessSerializationTest {

    @Test
    void listenersSurviveJavaSerialisationAndTrainIdentically() throws Exception {
        List<TrainingListener> listeners = List.of(
                SharpnessAwareTraining.sam(0.05),
                SharpnessAwareTraining.asam(0.5, 0.01),
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.linear(0.5, 10), FactorPair.weights("0", "1")),
                BalancednessAwareTraining.obar(AlphaScheduleConfig.cosine(0.3, 7), FactorPair.weights("0", "1")),
                BalancednessAwareTraining.nbar(AlphaScheduleConfig.constant(0.2), FactorPair.weights("0", "1")));
        int cases = 0;
        for (TrainingListener original : listeners) {
            Object copy = roundTrip(original);
            assertThat(copy).as("%s after a round trip", original).isNotSameAs(original).isEqualTo(original)
                    .hasSameHashCodeAs(original);
            assertThat(copy.toString()).isEqualTo(original.toString());
            assertThat(train((TrainingListener) copy)).as("%s: parameters after training with the copy", original)
                    .containsExactly(train(original));
            cases++;
        }
        System.out.println("Dl4jSharpnessSerializationTest: " + cases + " listeners round-tripped");
        assertThat(cases).isEqualTo(listeners.size());
    }

    private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    private static double[] train(TrainingListener listener) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        net.addListeners(listener);
        Nd4j.getRandom().setSeed(3);
        DataSet batch = new DataSet(Nd4j.rand(DataType.DOUBLE, 5, 3), Nd4j.rand(DataType.DOUBLE, 5, 2));
        for (int i = 0; i < 4; i++) {
            net.fit(batch);
        }
        return net.params().toDoubleVector();
    }
}
