package io.github.descent4j.examples.spark;

import io.github.descent4j.dl4j.spark.LocalMode;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The showcase's {@code local[2]} Spark: {@link LocalMode}'s settings (those of dl4j-spark's tests and of
 * docs/spark.md), its own Aeron directory (deleted at exit), and one UDP port for gradient sharing's transport per
 * JVM.
 */
final class LocalCluster {
    private static int port;
    private static boolean cleanupRegistered;

    private LocalCluster() {}

    /** A new {@code local[2]} context; stop it when done. */
    static synchronized JavaSparkContext start() {
        java.nio.file.Path aeron = LocalMode.useOwnAeronDirectory("aeron-descent4j-spark");
        if (!cleanupRegistered) {
            // Every context is stopped when its run ends; what is left at exit is Aeron's directory.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalMode.deleteDirectory(aeron), "descent4j-aeron-cleanup"));
            cleanupRegistered = true;
        }
        return new JavaSparkContext(LocalMode.conf("descent4j-spark"));
    }

    /**
     * A free UDP port on 127.0.0.1, chosen once per JVM: gradient sharing's transport stays up between runs and
     * keeps the port it first bound.
     */
    static synchronized int aeronPort() {
        if (port == 0) {
            port = LocalMode.freeLoopbackUdpPort();
        }
        return port;
    }
}
