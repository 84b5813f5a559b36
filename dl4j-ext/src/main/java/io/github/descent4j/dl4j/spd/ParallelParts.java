package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.internal.Staging;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * How {@link SelectiveProjectionDecay}'s passes split a long parameter array: into fixed parts of {@link #PART}
 * values whose partial results are combined in part order, so the result does not depend on how many threads
 * ran; the second half of the parts may run on {@link ForkJoinPool#commonPool()}.
 */
final class ParallelParts {
    private ParallelParts() {}

    /**
     * Arrays at least this long are reduced part by part ({@link #PART} values each, partial sums combined in
     * part order) and their parts may run on two threads; shorter ones run in one sequential pass.
     */
    static final long PARALLEL_MIN = 1L << 18;
    /** Values per part of a long array: a fixed split, so results do not depend on the number of threads. */
    static final int PART = 16 * SpdScratch.CHUNK;
    /** Most threads one step can use: the calling thread plus a pool thread. */
    private static final int MAX_LANES = 2;
    /**
     * Threads requested with the system property {@code descent4j.spd.threads} (default 1), capped by
     * {@link #MAX_LANES}, the processors and ND4J's own thread count ({@code OMP_NUM_THREADS}). Off by default:
     * on a 2-vCPU machine with ND4J's default OpenMP wait policy the OpenMP threads spin after each native op
     * and the second Java thread made the step slower (see docs/dl4j-spd.md); with
     * {@code OMP_WAIT_POLICY=PASSIVE} two threads saved about a fifth of SPD over Adam.
     */
    private static final int CONFIGURED_LANES = Integer.getInteger("descent4j.spd.threads", 1);
    /** For tests: when positive, the exact number of lanes (1 or 2), whatever the caps; 0 in production. */
    static volatile int forcedLanes = 0;

    /** The work on one part of an array: {@code x} and {@code y} (or null) are the lane's own stagings. */
    @FunctionalInterface
    interface PartBody {
        void run(int part, long from, int len, Staging x, Staging y, SpdScratch s);
    }

    static boolean split(long n) {
        return n >= PARALLEL_MIN;
    }

    static int parts(long n) {
        return (int) ((n + PART - 1) / PART);
    }

    static int lanes() {
        int forced = forcedLanes;
        if (forced > 0) {
            return Math.min(forced, MAX_LANES);
        }
        int lanes = Math.min(Math.min(MAX_LANES, CONFIGURED_LANES), Runtime.getRuntime().availableProcessors());
        if (lanes > 1) {
            try {
                lanes = Math.min(lanes, Nd4j.getEnvironment().maxThreads());
            } catch (RuntimeException | LinkageError e) {
                lanes = 1;
            }
        }
        return Math.max(1, lanes);
    }

    /**
     * Runs {@code body} on every part of a long array: the first half of the parts on this thread, the rest on
     * {@link ForkJoinPool#commonPool()}, or all on this thread when one lane is allowed or a staging cannot be
     * shared. Each part writes only its own range and its own partial results, so the outcome is the same.
     * {@code y} may be null (a pass over one array).
     */
    static void forEachPart(long n, Staging x, Staging y, SpdScratch s, PartBody body) {
        int parts = parts(n);
        int lanes = parts < 2 ? 1 : lanes();
        int split = lanes < 2 ? parts : (parts + 1) / 2;
        boolean shareable = split < parts && x.forLane(s.floats) != null && (y == null || y.forLane(s.floats) != null);
        if (!shareable) {
            split = parts;
        }
        ForkJoinTask<?> other = null;
        if (split < parts) {
            final int first = split;
            other = ForkJoinPool.commonPool().submit(() -> {
                SpdScratch own = SpdScratch.get();
                Staging ox = x.forLane(own.floats);
                Staging oy = y == null ? null : y.forLane(own.floats);
                for (int part = first; part < parts; part++) {
                    long from = (long) part * PART;
                    body.run(part, from, (int) Math.min(PART, n - from), ox, oy, own);
                }
            });
        }
        Throwable failure = null;
        try {
            for (int part = 0; part < split; part++) {
                long from = (long) part * PART;
                body.run(part, from, (int) Math.min(PART, n - from), x, y, s);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        if (other != null) {
            try {
                other.join();   // also when this lane failed: the other must not outlive the call
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }
}
