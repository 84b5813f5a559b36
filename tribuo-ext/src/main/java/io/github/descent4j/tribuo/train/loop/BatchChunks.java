package io.github.descent4j.tribuo.train.loop;

import org.tribuo.math.la.SGDVector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gradient of a batch of more than {@link #CHUNK} examples, summed in chunks of {@code CHUNK} consecutive
 * examples: each chunk into its own partial sum from zero, the partials then added to the batch's sum in chunk order.
 * The chunks are fixed by the batch alone, so the result (gradient and loss) is the same bit for bit whatever the
 * number of threads; with {@code threads > 1}, up to that many chunks are summed at once on a pool owned by the run.
 * Batches of at most {@code CHUNK} examples are summed directly, example by example, by the caller.
 */
final class BatchChunks implements AutoCloseable {
    /** Examples per chunk. */
    static final int CHUNK = 2048;

    private final int threads;
    private final int outputs;
    private final int columns;
    private ExecutorService pool;
    /** Per concurrent chunk: its dense partial (W's shape), sparse partial and per-output scratch; made on first use. */
    private double[][][] denseParts = new double[0][][];
    private FeatureMajorScratch[] sparseParts = new FeatureMajorScratch[0];
    private double[][] scaledParts = new double[0][];

    /**
     * @param threads chunks summed at once, >= 1
     * @param outputs the model's outputs
     * @param columns features + 1
     */
    BatchChunks(int threads, int outputs, int columns) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.outputs = outputs;
        this.columns = columns;
    }

    /**
     * Adds the weighted gradients of {@code order[start, end)} into {@code rows} (dense, W's shape) or {@code sparse}
     * chunk by chunk, as {@link GradientAccumulator#accumulate} does for one range, and returns {@code Σ w·ℓ}.
     */
    double sum(GradientAccumulator<?> accumulator, int[] order, int start, int end, double weightSum, boolean dense,
               double[][] rows, FeatureMajorScratch sparse, double[][] residuals, SGDVector[] xs) {
        int chunks = (end - start + CHUNK - 1) / CHUNK;
        int slots = Math.min(threads, chunks);
        ensureSlots(slots, dense, rows);
        double loss = 0;
        for (int wave = 0; wave < chunks; wave += slots) {
            int count = Math.min(slots, chunks - wave);
            double[] losses = new double[count];
            List<Callable<Void>> tasks = new ArrayList<>(count);
            for (int c = 0; c < count; c++) {
                int slot = c;
                int from = start + (wave + c) * CHUNK;
                int to = Math.min(end, from + CHUNK);
                tasks.add(() -> {
                    losses[slot] = accumulator.accumulate(order, from, to, weightSum, dense,
                            dense ? denseParts[slot] : null, dense ? null : sparseParts[slot], scaledParts[slot],
                            residuals, xs, start);
                    return null;
                });
            }
            run(tasks);
            for (int c = 0; c < count; c++) {
                loss += losses[c];
                if (dense) {
                    addAndClear(denseParts[c], rows);
                } else {
                    sparseParts[c].addInto(sparse);
                }
            }
        }
        return loss;
    }

    private void ensureSlots(int slots, boolean dense, double[][] rows) {
        if (scaledParts.length < slots) {
            int old = scaledParts.length;
            scaledParts = Arrays.copyOf(scaledParts, slots);
            sparseParts = Arrays.copyOf(sparseParts, slots);
            denseParts = Arrays.copyOf(denseParts, slots);
            for (int s = old; s < slots; s++) {
                scaledParts[s] = new double[outputs];
                sparseParts[s] = new FeatureMajorScratch(columns, outputs);
            }
        }
        if (dense) {
            for (int s = 0; s < slots; s++) {
                if (denseParts[s] == null) {
                    denseParts[s] = new double[rows.length][rows[0].length];
                }
            }
        }
    }

    private static void addAndClear(double[][] part, double[][] into) {
        for (int r = 0; r < part.length; r++) {
            double[] from = part[r];
            double[] to = into[r];
            for (int i = 0; i < from.length; i++) {
                to[i] += from[i];
            }
            Arrays.fill(from, 0.0);
        }
    }

    private void run(List<Callable<Void>> tasks) {
        if (tasks.size() == 1) {
            try {
                tasks.get(0).call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "descent4j-batch-gradient-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        List<Future<Void>> futures;
        try {
            futures = pool.invokeAll(tasks);
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while summing a batch gradient", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Stops the pool, if one was started. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }
}
