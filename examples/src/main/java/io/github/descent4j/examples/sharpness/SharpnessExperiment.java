package io.github.descent4j.examples.sharpness;

import io.github.descent4j.examples.dl4j.DigitsTraining;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.dl4j.sharpness.AlphaScheduleConfig;
import io.github.descent4j.dl4j.sharpness.BalancednessAwareTraining;
import io.github.descent4j.dl4j.sharpness.FactorPair;
import io.github.descent4j.dl4j.sharpness.SharpnessAwareTraining;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The experiments behind {@code ./descent4j sharpness}, on the 8×8 digits (70/30 split per seed) with a
 * fraction of the <em>training</em> labels flipped to a different class at random (test labels clean).
 * <ol>
 *   <li><b>Label noise</b>: an MLP 64-128-128-10 (ReLU, softmax) trained with SGD + Nesterov momentum alone,
 *       with SAM and with ASAM ({@link SharpnessAwareTraining}), the same learning rate, epochs, initialisation
 *       and minibatch order. Reported: clean test accuracy, accuracy on the noisy training labels, the share of
 *       flipped examples predicted as their wrong label (memorisation), and a sharpness proxy
 *       ({@link #sharpness}).</li>
 *   <li><b>A low-rank layer</b>: the first hidden layer factorised as 64→r (identity, no bias) then r→h (bias,
 *       ReLU), so (x, y) = (W₀, W₁) is scale-invariant: only x·y matters. x is initialised {@code initScale}
 *       times larger and y as many times smaller than DL4J's initialisation (same function, unbalanced pair).
 *       Trained with plain SGD, SAM, nBAR and oBAR ({@link BalancednessAwareTraining}); the balancedness
 *       B = ½(‖x‖² − ‖y‖²) is recorded every few iterations.</li>
 * </ol>
 */
final class SharpnessExperiment {
    static final int CLASSES = DigitsTraining.CLASSES;
    static final int HIDDEN = 128;
    /** The low-rank network's hidden width after the factorised layer. */
    static final int FACTOR_HIDDEN = 64;
    static final int BATCH = 64;
    /** Learning rate and momentum of the label-noise runs (SGD + Nesterov momentum). */
    static final double NOISE_LR = 0.1;
    static final double MOMENTUM = 0.9;
    /** Learning rate of plain SGD in the low-rank runs. */
    static final double FACTOR_LR = 0.2;

    /**
     * @param epochs passes over the training data, every run
     * @param seeds seeds 1..seeds (split, label flips, initialisation and minibatch order)
     * @param noise fraction of training labels flipped, in [0, 1)
     * @param rho SAM's radius
     * @param asamRho ASAM's radius
     * @param asamEta ASAM's offset η
     * @param alpha BAR's α₀
     * @param alphaSchedule BAR's schedule shape over the whole run
     * @param rank r of the factorised layer
     * @param initScale x is initialised this many times larger, y this many times smaller
     * @param radii ‖δ‖ of the sharpness proxy's perturbations, one proxy per radius
     * @param directions K, random directions averaged by the sharpness proxy
     * @param every B is recorded every this many iterations
     */
    record Settings(int epochs, int seeds, double noise, double rho, double asamRho, double asamEta, double alpha,
                    AlphaScheduleConfig.Kind alphaSchedule, int rank, double initScale, double[] radii, int directions,
                    int every) {}

    /** One label-noise method, one entry per seed; {@code sharpness} per radius, then per seed. */
    record NoiseRun(String name, List<Double> testAccuracy, List<Double> noisyTrainAccuracy, List<Double> memorised,
                    List<Double> trainLoss, List<List<Double>> sharpness) {}

    /** One low-rank method: per seed the test accuracy and B at iterations {@link Result#iterations()}. */
    record FactorRun(String name, List<Double> testAccuracy, List<double[]> balancedness) {
        List<Double> finalAbsB() {
            List<Double> out = new ArrayList<>();
            for (double[] b : balancedness) {
                out.add(Math.abs(b[b.length - 1]));
            }
            return out;
        }

        List<Double> initialAbsB() {
            List<Double> out = new ArrayList<>();
            for (double[] b : balancedness) {
                out.add(Math.abs(b[0]));
            }
            return out;
        }

        /** Mean over seeds of |B| at each recorded iteration. */
        double[] meanAbsB() {
            double[] out = new double[balancedness.get(0).length];
            for (double[] b : balancedness) {
                for (int i = 0; i < out.length; i++) {
                    out[i] += Math.abs(b[i]) / balancedness.size();
                }
            }
            return out;
        }
    }

    record Result(Settings settings, int trainSize, int testSize, int flipped, List<NoiseRun> noise,
                  List<FactorRun> factor, int[] iterations, double seconds) {}

    enum NoiseMethod { BASE, SAM, ASAM }

    enum FactorMethod { SGD, SAM, NBAR, OBAR }

    private SharpnessExperiment() {}

    static String name(NoiseMethod m, Settings s) {
        return switch (m) {
            case BASE -> "SGD+Nesterov";
            case SAM -> String.format(Locale.ROOT, "SAM rho %s", s.rho());
            case ASAM -> String.format(Locale.ROOT, "ASAM rho %s eta %s", s.asamRho(), s.asamEta());
        };
    }

    static String name(FactorMethod m, Settings s) {
        String schedule = s.alphaSchedule().name().toLowerCase(Locale.ROOT);
        return switch (m) {
            case SGD -> "SGD";
            case SAM -> String.format(Locale.ROOT, "SAM rho %s", s.rho());
            case NBAR -> String.format(Locale.ROOT, "nBAR alpha %s %s", s.alpha(), schedule);
            case OBAR -> String.format(Locale.ROOT, "oBAR alpha %s %s", s.alpha(), schedule);
        };
    }

    static Result run(LabelledData digits, Settings s, PrintStream progress) {
        long start = System.nanoTime();
        List<NoiseRun> noise = new ArrayList<>();
        for (NoiseMethod m : NoiseMethod.values()) {
            List<List<Double>> sharpness = new ArrayList<>();
            for (int k = 0; k < s.radii().length; k++) {
                sharpness.add(new ArrayList<>());
            }
            noise.add(new NoiseRun(name(m, s), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    sharpness));
        }
        List<FactorRun> factor = new ArrayList<>();
        for (FactorMethod m : FactorMethod.values()) {
            factor.add(new FactorRun(name(m, s), new ArrayList<>(), new ArrayList<>()));
        }
        int trainSize = 0;
        int testSize = 0;
        int flipped = 0;
        int[] iterations = null;
        for (int seed = 1; seed <= s.seeds(); seed++) {
            LabelledData[] split = digits.split(0.7, seed);
            LabelledData noisy = withFlippedLabels(split[0], s.noise(), seed);
            boolean[] wasFlipped = new boolean[noisy.size()];
            flipped = 0;
            for (int i = 0; i < wasFlipped.length; i++) {
                wasFlipped[i] = noisy.labels()[i] != split[0].labels()[i];
                flipped += wasFlipped[i] ? 1 : 0;
            }
            trainSize = noisy.size();
            testSize = split[1].size();
            DataSet train = DigitsTraining.toDataSet(noisy);
            DataSet test = DigitsTraining.toDataSet(split[1]);

            for (NoiseMethod m : NoiseMethod.values()) {
                long t0 = System.nanoTime();
                MultiLayerNetwork net = mlp(seed, new Nesterovs(NOISE_LR, MOMENTUM), 64, HIDDEN, HIDDEN);
                switch (m) {
                    case BASE -> { }
                    case SAM -> net.addListeners(SharpnessAwareTraining.sam(s.rho()));
                    case ASAM -> net.addListeners(SharpnessAwareTraining.asam(s.asamRho(), s.asamEta()));
                }
                Random order = new Random(1000L + seed);
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    DigitsTraining.epoch(net, train, order, BATCH);
                }
                net.setListeners();   // the proxy's forward passes are evaluation only
                NoiseRun r = noise.get(m.ordinal());
                r.testAccuracy().add(DigitsTraining.accuracy(net, test, 0, CLASSES));
                r.noisyTrainAccuracy().add(DigitsTraining.accuracy(net, train, 0, CLASSES));
                r.memorised().add(memorised(net, train, wasFlipped));
                r.trainLoss().add(net.score(train, false));
                StringBuilder proxies = new StringBuilder();
                for (int k = 0; k < s.radii().length; k++) {
                    double value = mean(sharpness(net, train, s.radii()[k], s.directions(), 7919L * seed));
                    r.sharpness().get(k).add(value);
                    proxies.append(String.format(Locale.ROOT, "  sharpness@%s %.4f", s.radii()[k], value));
                }
                progress.printf(Locale.ROOT, "seed %d  %-26s test %.3f  noisy train %.3f  memorised %.3f  loss %.3f%s  (%.1f s)%n",
                        seed, r.name(), last(r.testAccuracy()), last(r.noisyTrainAccuracy()), last(r.memorised()),
                        last(r.trainLoss()), proxies, (System.nanoTime() - t0) / 1e9);
            }

            long totalIterations = (long) s.epochs() * ((train.numExamples() + BATCH - 1) / BATCH);
            for (FactorMethod m : FactorMethod.values()) {
                long t0 = System.nanoTime();
                MultiLayerNetwork net = LowRankNetwork.lowRank(seed, s.rank(), s.initScale());
                AlphaScheduleConfig alpha = alphaSchedule(s, totalIterations);
                switch (m) {
                    case SGD -> { }
                    case SAM -> net.addListeners(SharpnessAwareTraining.sam(s.rho()));
                    case NBAR -> BalancednessAwareTraining.nbar(alpha, FactorPair.weights("0", "1")).attachTo(net);
                    case OBAR -> BalancednessAwareTraining.obar(alpha, FactorPair.weights("0", "1")).attachTo(net);
                }
                BalancednessRecorder recorder = new BalancednessRecorder(s.every());
                recorder.record(0, net);
                net.addListeners(recorder);
                Random order = new Random(1000L + seed);
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    DigitsTraining.epoch(net, train, order, BATCH);
                }
                if (recorder.iterations.get(recorder.iterations.size() - 1) != recorder.steps) {
                    recorder.record(recorder.steps, net);
                }
                FactorRun r = factor.get(m.ordinal());
                r.testAccuracy().add(DigitsTraining.accuracy(net, test, 0, CLASSES));
                r.balancedness().add(recorder.values.stream().mapToDouble(Double::doubleValue).toArray());
                iterations = recorder.iterations.stream().mapToInt(Integer::intValue).toArray();
                double[] b = last(r.balancedness());
                progress.printf(Locale.ROOT, "seed %d  %-26s test %.3f  B %.3f -> %.3f  (%.1f s)%n", seed, r.name(),
                        last(r.testAccuracy()), b[0], b[b.length - 1], (System.nanoTime() - t0) / 1e9);
            }
        }
        return new Result(s, trainSize, testSize, flipped, noise, factor, iterations, (System.nanoTime() - start) / 1e9);
    }

    private static AlphaScheduleConfig alphaSchedule(Settings s, long totalIterations) {
        return switch (s.alphaSchedule()) {
            case CONSTANT -> AlphaScheduleConfig.constant(s.alpha());
            case LINEAR -> AlphaScheduleConfig.linear(s.alpha(), totalIterations);
            case COSINE -> AlphaScheduleConfig.cosine(s.alpha(), totalIterations);
        };
    }

    /**
     * A copy of {@code data} in which exactly round(fraction · n) examples, chosen at random, have their label
     * replaced by a different class drawn uniformly from the other classes.
     */
    static LabelledData withFlippedLabels(LabelledData data, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
        }
        int classes = data.classCount();
        int n = data.size();
        Random random = new Random(seed);
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(i);
        }
        Collections.shuffle(rows, random);
        int[] labels = data.labels().clone();
        int count = (int) Math.round(fraction * n);
        for (int k = 0; k < count; k++) {
            int i = rows.get(k);
            labels[i] = (labels[i] + 1 + random.nextInt(classes - 1)) % classes;
        }
        return new LabelledData(data.features(), labels, data.classNames());
    }

    /**
     * The sharpness proxy: for K directions d drawn from a seeded standard Gaussian over all of the network's
     * parameters and scaled to ‖δ‖ = r, the increase L(θ + δ) − L(θ) of the loss on {@code data}. The
     * parameters are restored exactly (from a copy) after each direction.
     *
     * @return the K increases
     */
    static double[] sharpness(MultiLayerNetwork net, DataSet data, double radius, int directions, long seed) {
        INDArray params = net.params();
        INDArray saved = params.dup();
        double base = net.score(data, false);
        Random random = new Random(seed);
        double[] increases = new double[directions];
        double[] direction = new double[(int) params.length()];
        try {
            for (int k = 0; k < directions; k++) {
                double squared = 0;
                for (int i = 0; i < direction.length; i++) {
                    direction[i] = random.nextGaussian();
                    squared += direction[i] * direction[i];
                }
                double scale = radius / Math.sqrt(squared);
                for (int i = 0; i < direction.length; i++) {
                    direction[i] *= scale;
                }
                params.addi(Nd4j.createFromArray(direction).castTo(params.dataType()).reshape(params.shape()));
                increases[k] = net.score(data, false) - base;
                params.assign(saved);
            }
        } finally {
            params.assign(saved);
        }
        return increases;
    }

    /** Share of the flipped training examples whose (wrong) training label the network predicts. */
    static double memorised(MultiLayerNetwork net, DataSet noisyTrain, boolean[] flipped) {
        int[] predicted = net.output(noisyTrain.getFeatures()).argMax(1).toIntVector();
        int[] labels = noisyTrain.getLabels().argMax(1).toIntVector();
        int count = 0;
        int hit = 0;
        for (int i = 0; i < flipped.length; i++) {
            if (flipped[i]) {
                count++;
                hit += predicted[i] == labels[i] ? 1 : 0;
            }
        }
        return count == 0 ? 0.0 : hit / (double) count;
    }

    /** Dense ReLU layers of the given widths (first = input), softmax output, float, DL4J's default init. */
    static MultiLayerNetwork mlp(long seed, IUpdater updater, int... widths) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .list();
        for (int i = 0; i + 1 < widths.length; i++) {
            list.layer(new DenseLayer.Builder().nIn(widths[i]).nOut(widths[i + 1]).activation(Activation.RELU).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(widths[widths.length - 1]).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }


    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static <T> T last(List<T> values) {
        return values.get(values.size() - 1);
    }
}
