package io.github.descent4j.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the benchmark thread inside the measured calls, reported by JMH as secondary results
 * ({@code cpuMicros} and {@code calls}; their quotient is the CPU time per call). On a shared machine wall
 * time includes the time the thread waits for a core; CPU time does not, so ratios of CPU time per call are
 * far steadier. With {@code OMP_NUM_THREADS=1} ND4J computes on the calling thread, so this is the whole
 * cost; with more OpenMP threads their work is not included.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Summed thread CPU time of the measured calls, µs. */
    public double cpuMicros;
    /** Measured calls. */
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
        cpuMicros = 0;
        calls = 0;
    }

    /** The thread's CPU clock now, ns. */
    long start() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Adds the CPU time since {@code startNanos} as one call. */
    void stop(long startNanos) {
        cpuMicros += (THREADS.getCurrentThreadCpuTime() - startNanos) / 1e3;
        calls++;
    }
}
