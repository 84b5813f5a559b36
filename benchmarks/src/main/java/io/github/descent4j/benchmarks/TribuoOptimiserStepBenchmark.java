package io.github.descent4j.benchmarks;

import io.github.descent4j.tribuo.optim.AdaGradNorm;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.optim.AdamW;
import io.github.descent4j.tribuo.layerwise.LayerwiseLearningRates;
import io.github.descent4j.tribuo.optim.Lion;
import io.github.descent4j.tribuo.optim.NormalizedSGD;
import io.github.descent4j.tribuo.spd.SelectiveProjectionDecay;
import io.github.descent4j.tribuo.optim.SignSGD;
import io.github.descent4j.tribuo.optim.Signum;
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
import org.tribuo.math.la.DenseSparseMatrix;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Time of one {@code StochasticGradientOptimiser.step} on a 1000×1000 gradient, either a dense
 * {@link DenseMatrix} or a {@link DenseSparseMatrix} with 1% active rows (10 rows with all 1000 entries
 * stored, 990 empty rows). Tribuo's own AdaGrad is the baseline.
 * <p>
 * {@code step} overwrites the gradient in place, so every invocation receives a fresh copy of a pristine
 * gradient, made in an invocation-level setup that is not timed. The step's result is not applied to the
 * parameters, which therefore stay constant; optimiser state (moments, accumulators) does evolve.
 * The weights are moved off their initial values after {@code initialise}, so that SPD's projection
 * applies on every step (on the sparse layout it then writes a dense update).
 * <p>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar TribuoOptimiserStepBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class TribuoOptimiserStepBenchmark {

    /**
     * Side of the square weight matrix: 1000 is the target size; 500 (2 MB per tensor) shows the
     * same step when every tensor the algorithm touches fits in the last-level cache.
     */
    @Param({"1000"})
    public int size;
    private int rows;
    private int columns;
    /** Rows of the sparse gradient that are active (1% of rows). */
    private int activeRows;
    private static final long SEED = 42L;

    @Param({"SignSGD", "SignSGD-momentum", "Signum", "Lion", "NormalizedSGD", "AdaGradNorm",
            "Adam", "AdamW", "SPD-Adam", "Layerwise-Adam", "AdaGrad-Tribuo"})
    public String optimiser;

    @Param({"dense", "sparse"})
    public String layout;

    private StochasticGradientOptimiser opt;
    private Tensor pristine;
    private Tensor[] gradient;

    @Setup(Level.Trial)
    public void setUpTrial() {
        rows = size;
        columns = size;
        activeRows = size / 100;
        Random random = new Random(SEED);
        DenseMatrix weights = DenseMatrix.createDenseMatrix(gaussianRows(random, rows, columns, 0.01));
        LinearParameters parameters = new LinearParameters(weights);

        pristine = switch (layout) {
            case "dense" -> DenseMatrix.createDenseMatrix(gaussianRows(random, rows, columns, 0.1));
            case "sparse" -> sparseGradient(random);
            default -> throw new IllegalArgumentException("unknown layout " + layout);
        };

        opt = create(optimiser);
        opt.initialise(parameters);
        // Move the weights off the anchor against the gradient (θ − θ₀ = −0.01·G with G the negated loss
        // gradient Tribuo passes), so c = ⟨G, θ − θ₀⟩ < 0 and Selective Projection Decay really projects on
        // every step instead of measuring only its condition check.
        weights.intersectAndAddInPlace(pristine, x -> -0.01 * x);
    }

    @Setup(Level.Invocation)
    public void freshGradient() {
        gradient = new Tensor[] {pristine.copy()};
    }

    @Benchmark
    public Tensor[] step() {
        return opt.step(gradient, 1.0);
    }

    static StochasticGradientOptimiser create(String name) {
        return switch (name) {
            case "SignSGD" -> new SignSGD(0.01, 0.0);
            case "SignSGD-momentum" -> new SignSGD(0.01, 0.9);
            case "Signum" -> new Signum(0.01, 0.9);
            case "Lion" -> new Lion(1e-3, 0.9, 0.99, 0.1);
            case "NormalizedSGD" -> new NormalizedSGD(0.1, 0.9);
            case "AdaGradNorm" -> new AdaGradNorm(0.5, 0.1);
            case "Adam" -> new Adam(1e-3);
            case "AdamW" -> new AdamW(1e-3);
            case "SPD-Adam" -> new SelectiveProjectionDecay(new Adam(1e-3), 0.5);
            case "Layerwise-Adam" -> new LayerwiseLearningRates(new Adam(1e-3), 0.5);
            case "AdaGrad-Tribuo" -> new AdaGrad(0.1, 1e-6);
            default -> throw new IllegalArgumentException("unknown optimiser " + name);
        };
    }

    /** Seeded Gaussian values times {@code scale}, never exactly zero. */
    private static double[][] gaussianRows(Random random, int rows, int columns, double scale) {
        double[][] values = new double[rows][columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                values[i][j] = nonZeroGaussian(random) * scale;
            }
        }
        return values;
    }

    private static double nonZeroGaussian(Random random) {
        double g;
        do {
            g = random.nextGaussian();
        } while (g == 0.0);
        return g;
    }

    /** activeRows evenly spaced rows with every index stored; all other rows empty. */
    private DenseSparseMatrix sparseGradient(Random random) {
        int[] allIndices = new int[columns];
        for (int j = 0; j < columns; j++) {
            allIndices[j] = j;
        }
        int stride = rows / activeRows;
        List<SparseVector> sparseRows = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            if (i % stride == 0) {
                double[] values = new double[columns];
                for (int j = 0; j < columns; j++) {
                    values[j] = nonZeroGaussian(random) * 0.1;
                }
                sparseRows.add(SparseVector.createSparseVector(columns, allIndices.clone(), values));
            } else {
                sparseRows.add(SparseVector.createSparseVector(columns, new int[0], new double[0]));
            }
        }
        return new DenseSparseMatrix(sparseRows);
    }
}
