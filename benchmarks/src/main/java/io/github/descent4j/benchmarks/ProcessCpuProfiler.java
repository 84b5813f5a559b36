package io.github.descent4j.benchmarks;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

/**
 * CPU time the benchmark's JVM spent per operation ({@code ·cpu}, µs/op), next to JMH's wall-clock score:
 * {@code -prof io.github.descent4j.benchmarks.ProcessCpuProfiler}.
 * <p>
 * Why: on a machine shared with other jobs, wall-clock time per operation includes the time the benchmark
 * thread waited for a CPU; CPU time does not (it still includes slowdowns from shared caches and memory).
 * It counts every thread of the forked JVM, so it also includes per-invocation setup ({@code Level.Invocation})
 * and, with {@code OMP_NUM_THREADS > 1}, time ND4J's OpenMP threads spend spinning; it is meaningful as a
 * measure of one step's work only for single-threaded runs.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpuNanos = os.getProcessCpuTime() - startNanos;
        long ops = result.getMetadata().getMeasuredOps();
        if (ops <= 0 || cpuNanos < 0) {
            return List.of();
        }
        return List.of(new ScalarResult("·cpu", cpuNanos / 1e3 / ops, "us/op", AggregationPolicy.AVG));
    }
}
