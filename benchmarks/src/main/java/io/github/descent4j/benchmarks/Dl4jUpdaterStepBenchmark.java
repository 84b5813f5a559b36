package io.github.descent4j.benchmarks;

import io.github.descent4j.core.spd.SelectiveProjection;
import io.github.descent4j.dl4j.internal.Staging;
import io.github.descent4j.dl4j.updater.AdaGradNorm;
import io.github.descent4j.dl4j.updater.AdamW;
import io.github.descent4j.dl4j.updater.Lion;
import io.github.descent4j.dl4j.updater.NormalizedSGD;
import io.github.descent4j.dl4j.spd.SelectiveProjectionDecay;
import io.github.descent4j.dl4j.updater.SignSGD;
import io.github.descent4j.dl4j.updater.Signum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm2;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.reduce3.EuclideanDistance;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One updater step on a block of 10⁶ floats, as DL4J runs it for a network whose parameters share one
 * updater configuration: descent4j's updaters against DL4J's native {@code Adam} and {@code Sgd}, plus a
 * Selective Projection Decay over native Adam (its condition step, Adam, its projection step, as DL4J runs
 * them for one parameter array), the same SPD work as ND4J ops ({@code SPD-Adam-ndarray}: libnd4j only;
 * {@code SPD-Adam-blas}: OpenBLAS reductions; see {@link NdarraySpd}, checked against the production step in
 * the set-up), and memory-traffic floors of an algorithm touching k arrays of the block's size, each read and written
 * once: {@code copy-k} (k native {@code assign}s, ND4J's own speed), {@code java-k} (one Java loop over 4096-value
 * chunks of the k direct float buffers: bulk get into a {@code float[]}, put back; no arithmetic) and
 * {@code stage-k} (the same through descent4j's {@link Staging}, which widens each chunk to {@code double} and
 * narrows it back, exactly what the adapter's fused pass does around the rule's kernel): {@code stage-k ÷ java-k}
 * is the float↔double staging's own cost. {@code Adam} and {@code AdamW} are descent4j's torch-semantics
 * updaters ({@code AdamW} with DL4J's {@code WeightDecay} that {@code AdamW.install} adds, applied after the
 * updater as DL4J does); {@code SPD-Adam-native-nocache} is SPD with {@code cacheOffsets(false)}. {@code size}
 * is the block length (10⁶ by default; the growth harness varies it). Run once with {@code OMP_NUM_THREADS=1}
 * and once with {@code =2}; ratios: {@code StepFloorReport dl4j}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Dl4jUpdaterStepBenchmark {
    @Param({"1000000"})
    public int size;

    @Param({"Sgd-native", "Adam-native", "SignSGD", "SignSGD-momentum", "Signum", "Lion", "NormalizedSGD",
            "AdaGradNorm", "Adam", "AdamW", "SPD-Adam-native", "SPD-Adam-native-nocache", "SPD-Adam-ndarray",
            "SPD-Adam-blas", "copy-1", "copy-2", "copy-3", "java-1", "java-2", "java-3", "stage-1", "stage-2", "stage-3"})
    public String updater;

    private INDArray gradient;
    private INDArray work;
    private GradientUpdater<?> gradientUpdater;
    private INDArray[] copySources;
    private INDArray[] copyTargets;
    private int iteration;
    /** Selective Projection Decay's two regularisation steps (before and after the updater), or null. */
    private List<Regularization> spd;
    private INDArray parameters;
    /** {@code SPD-Adam-ndarray} and {@code SPD-Adam-blas}: the same SPD work as ND4J ops on preallocated arrays. */
    private NdarraySpd ndSpd;
    /** {@code AdamW}: the decoupled decay DL4J applies after the updater. */
    private WeightDecay decay;
    /** {@code java-k}, {@code stage-k}: the k arrays' direct float buffers, or their stagings; chunk buffers. */
    private FloatBuffer[] floatBuffers;
    private Staging[] stagings;
    private final float[] floatChunk = new float[4096];
    private final double[] doubleChunk = new double[4096];

    private static IUpdater config(String name) {
        return switch (name) {
            case "Sgd-native" -> new Sgd(1e-3);
            case "Adam-native", "SPD-Adam-native", "SPD-Adam-native-nocache", "SPD-Adam-ndarray", "SPD-Adam-blas" -> new Adam(1e-3);
            case "SignSGD" -> new SignSGD(1e-3);
            case "SignSGD-momentum" -> new SignSGD(1e-3, 0.9);
            case "Signum" -> new Signum(1e-3, 0.9);
            case "Lion" -> new Lion(1e-4, 0.9, 0.99);
            case "NormalizedSGD" -> new NormalizedSGD(1e-2, 0.9);
            case "AdaGradNorm" -> new AdaGradNorm(1.0, 0.01);
            case "Adam" -> new io.github.descent4j.dl4j.updater.Adam(1e-3);
            case "AdamW" -> AdamW.builder().learningRate(1e-3).weightDecay(1e-2).build().withDecayInstalled();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        gradient = Nd4j.rand(DataType.FLOAT, 1, size).subi(0.5);
        work = gradient.dup();
        if (updater.startsWith("java-") || updater.startsWith("stage-")) {
            int k = Integer.parseInt(updater.substring(updater.indexOf('-') + 1));
            floatBuffers = new FloatBuffer[k];
            stagings = new Staging[k];
            for (int i = 0; i < k; i++) {
                INDArray array = i == 0 ? work : Nd4j.rand(DataType.FLOAT, 1, size);
                floatBuffers[i] = array.data().asNio().asFloatBuffer();
                stagings[i] = Staging.of(array, floatChunk);
            }
        } else if (updater.startsWith("copy-")) {
            int k = Integer.parseInt(updater.substring(5));
            copySources = new INDArray[k];
            copyTargets = new INDArray[k];
            for (int i = 0; i < k; i++) {
                copySources[i] = Nd4j.rand(DataType.FLOAT, 1, size);
                copyTargets[i] = Nd4j.zeros(DataType.FLOAT, 1, size);
            }
        } else {
            IUpdater c = config(updater);
            long stateSize = c.stateSize(size);
            // Stateless updaters (Sgd) refuse a view array; DL4J passes them none.
            gradientUpdater = c.instantiate(stateSize == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, stateSize), true);
            if (updater.equals("AdamW")) {
                parameters = Nd4j.rand(DataType.FLOAT, 1, size);
                decay = new WeightDecay(1e-2, true);
            }
            if (updater.startsWith("SPD-")) {
                // Parameters off the anchor along the gradient, θ − θ₀ = 10⁻⁴·g, so c = −⟨g, θ − θ₀⟩ < 0 and the
                // projection runs every step; Adam's update (≈ 10⁻³ per coordinate) is long enough against that
                // offset that θ̃ = θ − u lies farther from θ₀ than θ, so r > 0 and both of its passes run (the norms
                // and the rewrite of u). The anchor is captured at the first step, so start from an explicit one.
                INDArray anchor = Nd4j.rand(DataType.FLOAT, 1, size);
                parameters = anchor.add(gradient.mul(1e-4));
                if (updater.equals("SPD-Adam-native-nocache")) {
                    spd = SelectiveProjectionDecay.builder(0.5).toward(anchor).cacheOffsets(false).build();
                } else if (!updater.equals("SPD-Adam-native")) {
                    boolean blas = updater.equals("SPD-Adam-blas");
                    ndSpd = new NdarraySpd(0.5, anchor, blas);
                    checkNdarrayMatchesProduction(anchor, blas);
                } else {
                    spd = SelectiveProjectionDecay.toward(0.5, anchor);
                }
            }
        }
    }

    /** Guards the measurement: SPD must really have projected, not only checked its condition. */
    @TearDown(Level.Trial)
    public void checkProjectionRan() {
        if (spd != null && SelectiveProjectionDecay.applicationCount(parameters) == 0
                || ndSpd != null && ndSpd.applications == 0) {
            throw new IllegalStateException("SPD never projected; the benchmark measured only its condition check");
        }
    }

    /** Each step gets the same gradient: an updater overwrites its input with the update. */
    @Setup(Level.Invocation)
    public void freshGradient() {
        work.assign(gradient);
    }

    @Benchmark
    public Object step() {
        if (floatBuffers != null) {
            return floor();
        }
        if (decay != null) {
            gradientUpdater.applyUpdater(work, iteration, 0);
            decay.apply(parameters, work, 1e-3, iteration++, 0);
            return work;
        }
        if (copySources != null) {
            for (int i = 0; i < copySources.length; i++) {
                copyTargets[i].assign(copySources[i]);
            }
            return copyTargets[0];
        }
        if (ndSpd != null) {
            ndSpd.condition(parameters, work);
            gradientUpdater.applyUpdater(work, iteration++, 0);
            ndSpd.project(work);
            return work;
        }
        if (spd != null) {
            spd.get(0).apply(parameters, work, 1e-3, iteration, 0);
            gradientUpdater.applyUpdater(work, iteration, 0);
            spd.get(1).apply(parameters, work, 1e-3, iteration++, 0);
            return work;
        }
        gradientUpdater.applyUpdater(work, iteration++, 0);
        return work;
    }

    /**
     * {@code java-k} / {@code stage-k}: every chunk of the k arrays read and written back once, in one loop;
     * {@code stage-k} widens to double and narrows back on the way, as the adapter's fused pass does.
     */
    private Object floor() {
        int k = floatBuffers.length;
        for (int from = 0; from < size; from += floatChunk.length) {
            int len = Math.min(floatChunk.length, size - from);
            for (int a = 0; a < k; a++) {
                if (stagings != null && updater.startsWith("stage-")) {
                    stagings[a].read(from, doubleChunk, len);
                    stagings[a].write(from, doubleChunk, len);
                } else {
                    floatBuffers[a].get(from, floatChunk, 0, len);
                    floatBuffers[a].put(from, floatChunk, 0, len);
                }
            }
        }
        return work;
    }

    /**
     * One step of SPD over a fresh native Adam on copies of the benchmark's inputs, once through the production
     * {@link SelectiveProjectionDecay} and once through {@link NdarraySpd}: the updates must agree to float
     * rounding, and the projection must have changed the update, so the two variants measure the same work.
     */
    private void checkNdarrayMatchesProduction(INDArray anchor, boolean blas) {
        long stateSize = new Adam(1e-3).stateSize(size);
        INDArray u0 = gradient.dup();
        new Adam(1e-3).instantiate(Nd4j.zeros(DataType.FLOAT, 1, stateSize), true).applyUpdater(u0, 0, 0);
        INDArray p1 = parameters.dup();
        INDArray u1 = gradient.dup();
        List<Regularization> production = SelectiveProjectionDecay.toward(0.5, anchor);
        production.get(0).apply(p1, u1, 1e-3, 0, 0);
        new Adam(1e-3).instantiate(Nd4j.zeros(DataType.FLOAT, 1, stateSize), true).applyUpdater(u1, 0, 0);
        production.get(1).apply(p1, u1, 1e-3, 0, 0);
        INDArray p2 = parameters.dup();
        INDArray u2 = gradient.dup();
        NdarraySpd nd = new NdarraySpd(0.5, anchor, blas);
        nd.condition(p2, u2);
        new Adam(1e-3).instantiate(Nd4j.zeros(DataType.FLOAT, 1, stateSize), true).applyUpdater(u2, 0, 0);
        nd.project(u2);
        double scale = u1.amaxNumber().doubleValue();
        double diff = u1.sub(u2).amaxNumber().doubleValue();
        double moved = u1.sub(u0).amaxNumber().doubleValue();
        if (SelectiveProjectionDecay.applicationCount(p1) != 1 || nd.applications != 1 || !(moved > 1e-3 * scale)
                || !(diff <= 1e-6 * scale)) {
            throw new IllegalStateException(updater + " does not match the production step: max |u_prod − u_nd| = "
                    + diff + ", max |u| = " + scale + ", projection moved u by " + moved + ", applications "
                    + SelectiveProjectionDecay.applicationCount(p1) + " / " + nd.applications);
        }
        System.out.printf("# " + updater + " check: max |u_prod - u_nd| = %.3g (max |u| = %.3g, projection moved u by %.3g)%n",
                diff, scale, moved);
    }

    /**
     * SPD's per-step work as ND4J ops on preallocated arrays (no allocation per step but the op objects), in
     * one of two forms. {@code ndarray}: libnd4j's OpenMP-parallel ops, d = θ − θ₀ (float), c = −Σ g·d
     * ({@code Dot}), and when c &lt; 0 ‖d‖ ({@code Norm2}) and ‖d − u‖ ({@code EuclideanDistance}), all three
     * reductions into a DOUBLE scalar, so that libnd4j accumulates in double; then u ← (1 − shrink)·u + shrink·d
     * ({@code muli}, {@code Axpy}). {@code blas}: the same with the BLAS level-1 routines of the bundled
     * OpenBLAS for the reductions, {@code sdot} for c (float accumulation), {@code snrm2} of d and of a
     * preallocated t = d − u (libnd4j {@code SubOp}), then libnd4j's {@code Axpy} u ← u + shrink·t.
     */
    static final class NdarraySpd {
        private final double lambda;
        private final boolean blas;
        private final INDArray anchor;
        private final INDArray offsets;
        private final INDArray difference;
        private final INDArray dot = Nd4j.scalar(DataType.DOUBLE, 0.0);
        private final INDArray norm = Nd4j.scalar(DataType.DOUBLE, 0.0);
        private final INDArray distance = Nd4j.scalar(DataType.DOUBLE, 0.0);
        private double condition;
        long applications;

        NdarraySpd(double lambda, INDArray anchor, boolean blas) {
            this.lambda = lambda;
            this.blas = blas;
            this.anchor = anchor.dup();
            this.offsets = anchor.ulike();
            this.difference = anchor.ulike();
        }

        void condition(INDArray theta, INDArray g) {
            Nd4j.getExecutioner().exec(new SubOp(theta, anchor, offsets));
            if (blas) {
                condition = -Nd4j.getBlasWrapper().dot(g, offsets);
            } else {
                Nd4j.getExecutioner().exec(new Dot(g, offsets, dot));
                condition = -dot.getDouble(0);
            }
        }

        void project(INDArray u) {
            if (!SelectiveProjection.applies(condition)) {
                return;
            }
            applications++;
            double current;
            double next;
            if (blas) {
                current = Nd4j.getBlasWrapper().level1().nrm2(offsets);
                Nd4j.getExecutioner().exec(new SubOp(offsets, u, difference));
                next = Nd4j.getBlasWrapper().level1().nrm2(difference);
            } else {
                Nd4j.getExecutioner().exec(new Norm2(offsets, norm));
                Nd4j.getExecutioner().exec(new EuclideanDistance(offsets, u, distance));
                current = norm.getDouble(0);
                next = distance.getDouble(0);
            }
            double shrink = lambda * SelectiveProjection.ratio(next, current);
            if (shrink == 0) {
                return;
            }
            if (blas) {
                // libnd4j's Axpy (OpenMP), not BLAS saxpy: the latter was slower at OMP_NUM_THREADS=2 (RESULTS.md)
                Nd4j.getExecutioner().exec(new Axpy(difference, u, u, shrink));
            } else {
                u.muli(1 - shrink);
                Nd4j.getExecutioner().exec(new Axpy(offsets, u, u, shrink));
            }
        }
    }
}
