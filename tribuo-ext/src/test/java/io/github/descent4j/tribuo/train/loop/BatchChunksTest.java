package io.github.descent4j.tribuo.train.loop;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.tribuo.batch.AdaptiveBatchSizes;
import io.github.descent4j.tribuo.listen.TrainingListener;
import io.github.descent4j.tribuo.listen.TrainingProgress;
import io.github.descent4j.tribuo.optim.Adam;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.LabelObjective;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Batches of more than {@link BatchChunks#CHUNK} examples: summed in fixed chunks, the same for any thread count. */
class BatchChunksTest {
    private static final int CLASSES = 5;
    private static final int FEATURES = 12;

    /** n examples; sparse: each has 1–3 of the features; every 7th has weight 0 and every 5th weight 2. */
    private static MutableDataset<Label> data(int n, boolean sparse, long seed) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("chunks", factory), factory);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            ArrayExample<Label> e = new ArrayExample<>(new Label("c" + rng.nextInt(CLASSES)));
            for (int j = 0; j < FEATURES; j++) {
                if (!sparse || rng.nextInt(6) == 0 || (j == 0 && i < CLASSES * 2)) {
                    e.add(String.format("f%02d", j), rng.nextDouble(-1, 1));
                }
            }
            if (e.size() == 0) {
                e.add("f03", 1.0);
            }
            e.setWeight(i % 7 == 3 ? 0f : i % 5 == 0 ? 2f : 1f);
            data.add(e);
        }
        return data;
    }

    private static double[][] train(MutableDataset<Label> data, int threads, int steps) {
        // plain SGD: a rounding difference in the gradient shows in the weights (Adam's first steps are nearly sign steps)
        LinearClassificationTrainer trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(0.5), steps, 1L);
        trainer.setThreads(threads);
        return rows((DenseMatrix) trainer.train(data).getWeightsCopy());
    }

    @Test
    void aLargeBatchTrainsTheSameModelBitForBitWithAnyNumberOfThreads() {
        for (boolean sparse : new boolean[]{false, true}) {
            MutableDataset<Label> data = data(3 * BatchChunks.CHUNK + 517, sparse, 11);
            double[][] one = train(data, 1, 4);   // exact comparison: DenseMatrix.equals has a tolerance
            for (int threads : new int[]{2, 3, 8}) {
                assertThat(train(data, threads, 4)).as("sparse=%s threads=%d", sparse, threads).isEqualTo(one);
            }
        }
    }

    @Test
    void theChunkedStepIsTheWeightedMeanGradientOfTheWholeBatch() {
        for (boolean sparse : new boolean[]{false, true}) {
            MutableDataset<Label> data = data(2 * BatchChunks.CHUNK + 5, sparse, 12);
            LinearClassificationTrainer trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), SGD.getSimpleSGD(1.0), 1, 1L);
            trainer.setThreads(2);
            double[][] step = rows((DenseMatrix) trainer.train(data).getWeightsCopy());
            // from W = 0 the softmax is uniform: the step is Σ w (e_y − 1/C) x̃ᵀ / Σ w, summed here example by example
            var features = data.getFeatureIDMap();
            var outputs = data.getOutputIDInfo();
            double[][] expected = new double[outputs.size()][features.size() + 1];
            double weights = 0;
            for (Example<Label> e : data) {
                weights += e.getWeight();
            }
            for (Example<Label> e : data) {
                double[] x = new double[features.size() + 1];
                for (var f : e) {
                    x[features.getID(f.getName())] = f.getValue();
                }
                x[features.size()] = 1.0;
                int y = outputs.getID(e.getOutput());
                for (int o = 0; o < outputs.size(); o++) {
                    double r = (o == y ? 1.0 : 0.0) - 1.0 / outputs.size();
                    for (int j = 0; j < x.length; j++) {
                        expected[o][j] += e.getWeight() * r * x[j] / weights;
                    }
                }
            }
            for (int o = 0; o < expected.length; o++) {
                for (int j = 0; j < expected[o].length; j++) {
                    assertThat(step[o][j]).as("sparse=%s [%d][%d]", sparse, o, j).isCloseTo(expected[o][j], within(1e-12));
                }
            }
        }
    }

    @Test
    void adaptiveBatchTestsOnChunkedBatchesAgreeAcrossThreads() {
        MutableDataset<Label> data = data(12_000, true, 13);
        List<List<Double>> statistics = new ArrayList<>();
        List<List<Integer>> trajectories = new ArrayList<>();
        for (int threads : new int[]{1, 2}) {
            LinearClassificationTrainer trainer = new LinearClassificationTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.5), 2, -1,
                    AdaptiveBatchSizes.norm(0.05, BatchChunks.CHUNK + 100, 10_000), -1, 3L);
            trainer.setThreads(threads);
            List<Double> seen = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            trainer.addListener(new TrainingListener<>() {
                @Override
                public void onStep(TrainingProgress<Label> p) {
                    seen.add(p.lastBatchTestStatistic());
                }

                @Override
                public void onEnd(TrainingProgress<Label> p) {
                    sizes.addAll(p.batchSizeTrajectory());
                }
            });
            trainer.train(data);
            statistics.add(seen);
            trajectories.add(sizes);
        }
        assertThat(statistics.get(0)).isNotEmpty().anySatisfy(t -> assertThat(t).isFinite());
        assertThat(statistics.get(1)).isEqualTo(statistics.get(0));
        assertThat(trajectories.get(1)).isEqualTo(trajectories.get(0));
        assertThat(trajectories.get(0).get(0)).isGreaterThan(BatchChunks.CHUNK);
    }

    @Test
    void aFailureInAWorkerReachesTheCallerAndThreadsIsValidated() {
        MutableDataset<Label> data = data(3 * BatchChunks.CHUNK, false, 14);
        LinearClassificationTrainer trainer = LinearClassificationTrainer.fullBatch(new FailingObjective(), new Adam(0.05), 2, 1L);
        trainer.setThreads(2);
        assertThatThrownBy(() -> trainer.train(data)).isInstanceOf(IllegalStateException.class).hasMessage("objective failed");

        assertThatThrownBy(() -> trainer.setThreads(0)).isInstanceOf(InvalidHyperparameterException.class)
                .hasMessageContaining("threads must be >= 1, got 0");
        assertThat(trainer.getThreads()).isEqualTo(2);
        assertThat(trainer.toString()).contains("threads=2");
    }

    /** Fails on a call from a batch-gradient worker thread. */
    private static final class FailingObjective implements LabelObjective {
        private final LogMulticlass delegate = new LogMulticlass();

        @Override
        public Pair<Double, SGDVector> valueAndGradient(int index, SGDVector prediction) {
            if (Thread.currentThread().getName().startsWith("descent4j-batch-gradient-")) {
                throw new IllegalStateException("objective failed");
            }
            return delegate.valueAndGradient(index, prediction);
        }

        @Override
        public org.tribuo.math.util.VectorNormalizer getNormalizer() {
            return delegate.getNormalizer();
        }

        @Override
        public boolean isProbabilistic() {
            return true;
        }

        @Override
        public com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance getProvenance() {
            return new com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl(this, "LabelObjective");
        }
    }

    private static double[][] rows(DenseMatrix m) {
        double[][] out = new double[m.getDimension1Size()][m.getDimension2Size()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }
}
