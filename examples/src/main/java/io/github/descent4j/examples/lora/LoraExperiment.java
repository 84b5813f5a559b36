package io.github.descent4j.examples.lora;

import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.dl4j.lora.Lora;
import io.github.descent4j.dl4j.lora.LoraAdapters;
import io.github.descent4j.dl4j.lora.LoraDense;
import io.github.descent4j.dl4j.lora.LoraParamInitializer;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import io.github.descent4j.examples.dl4j.DigitsTraining;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static io.github.descent4j.examples.dl4j.DigitsTraining.CLASSES;
import static io.github.descent4j.examples.dl4j.DigitsTraining.accuracy;
import static io.github.descent4j.examples.dl4j.DigitsTraining.toDataSet;

/**
 * The fine-tuning part of {@code ./descent4j lora}: an MLP 64-64-64-10 (tanh, Adam) is pre-trained on the 8×8 digits
 * 0–4, then fine-tuned on 5–9 only for a fixed number of epochs, once per method: every parameter (full), LoRA
 * (Hu et al. 2022) on the three hidden dense layers via {@link Lora#apply} (W and b frozen, the output layer trained
 * normally), and LoRA with SAM ({@link SharpnessAwareTraining#sam}), nBAR or oBAR (Li, Zhang and He, NeurIPS 2024,
 * {@link BalancednessAwareTraining}). Each method starts from the same pre-trained network with a fresh Adam state
 * and sees the same minibatch order. The protocol and measured numbers are in {@code docs/lora.md}.
 */
final class LoraExperiment {
    static final int BATCH = 32;
    static final String[] HIDDEN = {"0", "1", "2"};

    enum Method {
        FULL("full"), LORA("LoRA"), LORA_SAM("LoRA+SAM"), LORA_NBAR("LoRA+nBAR"), LORA_OBAR("LoRA+oBAR");

        final String label;

        Method(String label) {
            this.label = label;
        }

        boolean lora() {
            return this != FULL;
        }
    }

    /**
     * @param seeds seeds 1..seeds (one 70/30 split, one initialisation and one minibatch order each)
     * @param pretrainEpochs epochs on 0–4
     * @param epochs fine-tuning epochs on 5–9
     * @param rank LoRA rank r; LoRA's α is 2r (scaling α/r = 2)
     * @param learningRate Adam's rate for fine-tuning (every method)
     * @param rho SAM's radius
     * @param barAlpha BAR's α₀, decayed linearly to 0 over the fine-tuning steps
     */
    record Settings(int seeds, int pretrainEpochs, int epochs, int rank, double learningRate, double rho, double barAlpha) {}

    /**
     * One method's results, one entry per seed; {@code balancedness[seed][layer][epoch]} is |½(‖A‖² − ‖B‖²)| of each
     * LoRA layer before fine-tuning and after each epoch (empty for full fine-tuning).
     */
    record MethodResult(Method method, List<Double> newAccuracy, List<Double> oldAccuracy, List<Double> oldAccuracyTenWay,
                        List<Double> msPerStep, List<Long> trainableParameters, List<Long> adapterBytes,
                        List<double[][]> balancedness) {
        static MethodResult empty(Method m) {
            return new MethodResult(m, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    record Result(Settings settings, List<Double> pretrainedOldAccuracy, List<MethodResult> methods) {}

    private LoraExperiment() {}

    static Result run(LabelledData digits, Settings settings, PrintStream progress) {
        List<MethodResult> methods = new ArrayList<>();
        for (Method m : Method.values()) {
            methods.add(MethodResult.empty(m));
        }
        List<Double> pretrainedOld = new ArrayList<>();
        for (int seed = 1; seed <= settings.seeds(); seed++) {
            LabelledData[] split = digits.split(0.7, seed);
            DataSet train = toDataSet(split[0]);
            DataSet test = toDataSet(split[1]);
            DataSet oldTrain = DigitsTraining.byClass(train, 0, 5);
            DataSet newTrain = DigitsTraining.byClass(train, 5, 10);
            DataSet oldTest = DigitsTraining.byClass(test, 0, 5);
            DataSet newTest = DigitsTraining.byClass(test, 5, 10);

            MultiLayerNetwork pretrained = DigitsTraining.pretrain(oldTrain, seed, settings.pretrainEpochs(), BATCH);
            pretrainedOld.add(accuracy(pretrained, oldTest, 0, 5));
            int stepsPerEpoch = (newTrain.numExamples() + BATCH - 1) / BATCH;
            long totalSteps = (long) stepsPerEpoch * settings.epochs();
            for (Method m : Method.values()) {
                MultiLayerNetwork tuned = fineTuneCopy(pretrained, m, settings, seed, totalSteps);
                Random order = new Random(1000L + seed);
                double[][] b = new double[m.lora() ? HIDDEN.length : 0][settings.epochs() + 1];
                record(tuned, b, 0);
                long nanos = 0;
                for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                    long start = System.nanoTime();
                    DigitsTraining.epoch(tuned, newTrain, order, BATCH);
                    nanos += System.nanoTime() - start;
                    record(tuned, b, epoch + 1);
                }
                MethodResult r = methods.get(m.ordinal());
                r.newAccuracy().add(accuracy(tuned, newTest, 0, CLASSES));
                r.oldAccuracy().add(accuracy(tuned, oldTest, 0, 5));
                r.oldAccuracyTenWay().add(accuracy(tuned, oldTest, 0, CLASSES));
                r.msPerStep().add(nanos / 1e6 / totalSteps);
                r.trainableParameters().add(trainableParameters(tuned));
                r.adapterBytes().add(m.lora() ? adapterBytes(tuned) : 0L);
                r.balancedness().add(b);
                progress.printf(Locale.ROOT, "seed %d  %-10s 5-9 %.3f  0-4 %.3f (among 0-4)  %.3f ms/step%s%n", seed,
                        m.label, last(r.newAccuracy()), last(r.oldAccuracy()), last(r.msPerStep()),
                        m.lora() ? String.format(Locale.ROOT, "  |B| layer 0 %.4g -> %.4g", b[0][0], b[0][settings.epochs()]) : "");
            }
        }
        return new Result(settings, pretrainedOld, methods);
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    /** A copy of the pre-trained network with a fresh Adam(lr), turned into a LoRA network for the LoRA methods. */
    static MultiLayerNetwork fineTuneCopy(MultiLayerNetwork pretrained, Method method, Settings settings, long seed,
                                          long totalSteps) {
        MultiLayerNetwork tuned = new TransferLearning.Builder(pretrained.clone())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(settings.learningRate()))
                        .seed(seed).build())
                .build();
        if (!method.lora()) {
            return tuned;
        }
        MultiLayerNetwork lora = Lora.apply(tuned, settings.rank(), 2.0 * settings.rank(), HIDDEN);
        switch (method) {
            case LORA_SAM -> lora.addListeners(SharpnessAwareTraining.sam(settings.rho()));
            case LORA_NBAR -> BalancednessAwareTraining.nbar(AlphaScheduleConfig.linear(settings.barAlpha(), totalSteps)).onLora(lora);
            case LORA_OBAR -> BalancednessAwareTraining.obar(AlphaScheduleConfig.linear(settings.barAlpha(), totalSteps)).onLora(lora);
            default -> { }
        }
        return lora;
    }

    /** |½(‖A‖² − ‖B‖²)| of every LoRA layer, in layer order, into column {@code at}. */
    private static void record(MultiLayerNetwork net, double[][] b, int at) {
        int i = 0;
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof LoraDense) {
                b[i++][at] = Math.abs(balancedness(layer.getParam(LoraParamInitializer.A_KEY),
                        layer.getParam(LoraParamInitializer.B_KEY)));
            }
        }
    }

    static double balancedness(INDArray a, INDArray b) {
        double na = a.norm2Number().doubleValue();
        double nb = b.norm2Number().doubleValue();
        return 0.5 * (na * na - nb * nb);
    }

    /** Parameters the fine-tuning updates: all of them, except W and b of LoRA layers (frozen by {@link Lora#apply}). */
    static long trainableParameters(MultiLayerNetwork net) {
        long n = 0;
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof LoraDense) {
                n += layer.getParam(LoraParamInitializer.A_KEY).length() + layer.getParam(LoraParamInitializer.B_KEY).length();
            } else {
                n += layer.numParams();
            }
        }
        return n;
    }

    static long adapterBytes(MultiLayerNetwork net) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            LoraAdapters.save(net, bytes);
            return bytes.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
