package io.github.descent4j.dl4j.spark;

import org.apache.spark.SparkConf;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * DL4J Spark training on one machine ({@code local[2]}), as descent4j's tests and {@code ./descent4j spark} run
 * it and as a user would to try a pipeline before a cluster: everything bound to the loopback interface, no web
 * UI, Kryo with {@link Descent4jKryoRegistrator}, and one task at a time, because DL4J 1.0.0-M2's gradient
 * sharing can hang when a second task of a node attaches while the first finishes (see {@code docs/spark.md}).
 * Gradient sharing's Aeron transport gets a loopback {@link VoidConfiguration} and a media-driver directory of
 * its own.
 */
public final class LocalMode {
    private static Path aeronDirectory;

    private LocalMode() {}

    /** A {@code local[2]} configuration with the settings above. */
    public static SparkConf conf(String appName) {
        return new SparkConf()
                .setMaster("local[2]")
                .setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", Descent4jKryoRegistrator.class.getName())
                .set("spark.task.cpus", "2")
                .set("spark.default.parallelism", "2");
    }

    /**
     * Points Aeron ({@code aeron.dir}) at a directory unique to this JVM, in shared memory when there is one.
     * Call before the first gradient-sharing fit (later calls return the same directory), and remove it with
     * {@link #deleteDirectory} once the Spark context is stopped (Aeron does not).
     */
    public static synchronized Path useOwnAeronDirectory(String prefix) {
        if (aeronDirectory == null) {
            Path base = Paths.get(Files.isDirectory(Paths.get("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"));
            aeronDirectory = base.resolve(prefix + "-" + ProcessHandle.current().pid());
        }
        System.setProperty("aeron.dir", aeronDirectory.toString());
        return aeronDirectory;
    }

    /** Gradient sharing's transport on the loopback interface, on UDP {@code port}. */
    public static VoidConfiguration loopbackTransport(int port) {
        return VoidConfiguration.builder().unicastPort(port).networkMask("127.0.0.0/8").controllerAddress("127.0.0.1")
                .build();
    }

    /** A UDP port on 127.0.0.1 that is free now. */
    public static int freeLoopbackUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException("no free UDP port on 127.0.0.1 for gradient sharing", e);
        }
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    public static void deleteDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
