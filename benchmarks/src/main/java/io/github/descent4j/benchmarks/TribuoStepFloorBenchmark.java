package io.github.descent4j.benchmarks;

import io.github.descent4j.tribuo.internal.TribuoTensors;
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
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One dense Tribuo optimiser step against its memory-traffic floor, in the same run (issue 16, decision 1).
 * <p>
 * {@code optimiser} is either one of {@link TribuoOptimiserStepBenchmark#create}'s names or a floor kernel
 * {@code floor-K} / {@code floor-K+R}: one fused loop over K {@link DenseMatrix} tensors of the weights' shape
 * that it reads and writes once each (the gradient, which Tribuo's {@code step} overwrites with the update,
 * and K − 1 state tensors, rotated element by element) and R more that it only reads (parameters, an anchor).
 * That is the least memory traffic any implementation of a rule touching those arrays can have; which floor
 * belongs to which optimiser is {@link #floorOf}. {@code handwritten-SignSGD} and {@code handwritten-Adam} are the
 * two rules' arithmetic written as one plain loop over the rows (no finiteness pass, no rule object; the
 * {@code -checked} variant adds the finiteness pass {@code Tensors.allFinite} first, as the optimisers do), the best a
 * fused Java loop of that arithmetic does here: when a rule is far above its floor but near its hand-written loop,
 * the arithmetic (a division per element; Adam's square root and division), not the traffic, bounds it. All run
 * in the same harness: a fresh copy of a pristine
 * gradient per invocation (not timed), state tensors from {@code getEmptyCopy()}.
 * <p>
 * Run with ratios: {@code java -cp benchmarks/target/benchmarks.jar io.github.descent4j.benchmarks.StepFloorReport tribuo}
 * (JMH options may follow).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class TribuoStepFloorBenchmark {
    /** Side of the square weight matrix: 1000 (8 MB per tensor, beyond L2) and 250 (0.5 MB, inside L2). */
    @Param({"1000", "250"})
    public int size;

    @Param({"SignSGD", "SignSGD-momentum", "Signum", "Lion", "NormalizedSGD", "AdaGradNorm", "Adam", "AdamW",
            "SPD-Adam", "Layerwise-Adam", "AdaGrad-Tribuo",
            "floor-1", "floor-2", "floor-3", "floor-2+1", "floor-3+1", "floor-3+2", "handwritten-SignSGD", "handwritten-SignSGD-checked", "handwritten-Adam"})
    public String optimiser;

    private StochasticGradientOptimiser opt;
    private DenseMatrix pristine;
    private Tensor[] gradient;
    /** Floor kernels: the state rows (K − 1 read-write tensors) and the read-only rows (R tensors). */
    private double[][][] state;
    private double[][][] readOnly;
    private long steps;

    /** The floor kernel with the arrays {@code optimiser} must touch on a dense step; see the class comment. */
    static String floorOf(String optimiser) {
        return switch (optimiser) {
            case "SignSGD", "AdaGradNorm" -> "floor-1";                    // g (AdaGradNorm: + a norm pass over g)
            case "SignSGD-momentum", "Signum", "NormalizedSGD", "AdaGrad-Tribuo" -> "floor-2";   // g, m (NormalizedSGD: + norm)
            case "Lion" -> "floor-2+1";                                     // g, m; θ read for the decoupled decay
            case "Adam" -> "floor-3";                                       // g, m, v
            case "AdamW", "Layerwise-Adam" -> "floor-3+1";                  // g, m, v; θ read (decay / layer norms)
            case "SPD-Adam" -> "floor-3+2";                                 // g, m, v; θ and θ₀ read
            case "handwritten-SignSGD", "handwritten-SignSGD-checked" -> "floor-1";
            case "handwritten-Adam" -> "floor-3";
            default -> throw new IllegalArgumentException("no floor for " + optimiser);
        };
    }

    @Setup(Level.Trial)
    public void setUpTrial() {
        Random random = new Random(42L);
        DenseMatrix weights = DenseMatrix.createDenseMatrix(gaussian(random, size, 0.01));
        pristine = DenseMatrix.createDenseMatrix(gaussian(random, size, 0.1));
        if (optimiser.startsWith("handwritten-")) {
            state = new double[][][] {new double[size][size], new double[size][size]};
            readOnly = new double[0][][];
            return;
        }
        if (optimiser.startsWith("floor-")) {
            String spec = optimiser.substring("floor-".length());
            int plus = spec.indexOf('+');
            int k = Integer.parseInt(plus < 0 ? spec : spec.substring(0, plus));
            int r = plus < 0 ? 0 : Integer.parseInt(spec.substring(plus + 1));
            state = new double[k - 1][][];
            for (int i = 0; i < k - 1; i++) {
                state[i] = gaussian(random, size, 0.1);
            }
            readOnly = new double[r][][];
            for (int i = 0; i < r; i++) {
                readOnly[i] = gaussian(random, size, 0.1);
            }
            return;
        }
        LinearParameters parameters = new LinearParameters(weights);
        opt = TribuoOptimiserStepBenchmark.create(optimiser);
        opt.initialise(parameters);
        // As in TribuoOptimiserStepBenchmark: off the anchor against the gradient, so SPD projects every step.
        weights.intersectAndAddInPlace(pristine, x -> -0.01 * x);
    }

    @Setup(Level.Invocation)
    public void freshGradient() {
        gradient = new Tensor[] {pristine.copy()};
    }

    @Benchmark
    public Object step() {
        if (opt != null) {
            return opt.step(gradient, 1.0);
        }
        double[][] g = TribuoTensors.rows((DenseMatrix) gradient[0]);
        if (optimiser.equals("handwritten-SignSGD-checked")) {
            for (double[] row : g) {   // the finiteness pass every rule optimiser makes first
                if (!io.github.descent4j.core.Tensors.allFinite(row, 0, row.length)) {
                    throw new IllegalStateException("non-finite gradient");
                }
            }
        }
        if (optimiser.startsWith("handwritten-SignSGD")) {
            for (double[] row : g) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = 0.01 * (row[i] / Math.max(Math.abs(row[i]), Double.MIN_VALUE));
                }
            }
            return gradient;
        }
        if (optimiser.equals("handwritten-Adam")) {
            steps++;
            double stepSize = 1e-3 / (1 - Math.pow(0.9, steps));
            double inverse = 1 / Math.sqrt(1 - Math.pow(0.999, steps));
            for (int r = 0; r < g.length; r++) {
                double[] x = g[r], m = state[0][r], v = state[1][r];
                for (int i = 0; i < x.length; i++) {
                    double gi = -x[i];
                    double mi = 0.9 * m[i] + 0.1 * gi;
                    double vi = 0.999 * v[i] + 0.001 * gi * gi;
                    m[i] = mi;
                    v[i] = vi;
                    x[i] = -stepSize * mi / (Math.sqrt(vi) * inverse + 1e-8);
                }
            }
            return gradient;
        }
        for (int row = 0; row < g.length; row++) {
            floorRow(g[row], row);
        }
        return gradient;
    }

    /**
     * One row of the floor: each read-write array read and written once, each read-only array read once, in
     * one loop. Values rotate through the read-write arrays (nothing grows), and a read-only value enters as
     * {@code + 0.0·p}, which the JIT may not drop (it is not an identity for NaN or −0).
     */
    private void floorRow(double[] g, int row) {
        int n = g.length;
        int k = state.length + 1;
        int r = readOnly.length;
        if (k == 1 && r == 0) {
            for (int i = 0; i < n; i++) {
                g[i] = -g[i];
            }
        } else if (k == 2 && r == 0) {
            double[] m = state[0][row];
            for (int i = 0; i < n; i++) {
                double x = g[i];
                g[i] = m[i];
                m[i] = x;
            }
        } else if (k == 3 && r == 0) {
            double[] m = state[0][row], v = state[1][row];
            for (int i = 0; i < n; i++) {
                double x = g[i];
                g[i] = m[i];
                m[i] = v[i];
                v[i] = x;
            }
        } else if (k == 2 && r == 1) {
            double[] m = state[0][row], p = readOnly[0][row];
            for (int i = 0; i < n; i++) {
                double x = g[i];
                g[i] = m[i];
                m[i] = x + 0.0 * p[i];
            }
        } else if (k == 3 && r == 1) {
            double[] m = state[0][row], v = state[1][row], p = readOnly[0][row];
            for (int i = 0; i < n; i++) {
                double x = g[i];
                g[i] = m[i];
                m[i] = v[i];
                v[i] = x + 0.0 * p[i];
            }
        } else if (k == 3 && r == 2) {
            double[] m = state[0][row], v = state[1][row], p = readOnly[0][row], a = readOnly[1][row];
            for (int i = 0; i < n; i++) {
                double x = g[i];
                g[i] = m[i];
                m[i] = v[i];
                v[i] = x + 0.0 * p[i] + 0.0 * a[i];
            }
        } else {
            throw new IllegalStateException("no kernel for " + optimiser);
        }
    }

    private static double[][] gaussian(Random random, int size, double scale) {
        double[][] values = new double[size][size];
        for (double[] row : values) {
            for (int j = 0; j < size; j++) {
                double x;
                do {
                    x = random.nextGaussian();
                } while (x == 0.0);
                row[j] = x * scale;
            }
        }
        return values;
    }
}
