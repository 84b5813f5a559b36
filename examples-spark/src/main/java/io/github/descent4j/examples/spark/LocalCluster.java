package io.github.descent4j.examples.spark;

import io.github.descent4j.dl4j.spark.Descent4jKryoRegistrator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

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
 * The showcase's {@code local[2]} Spark: the settings of dl4j-spark's tests and of docs/spark.md (loopback only, no
 * web UI, Kryo with descent4j's registrator, one task at a time), the UDP port of gradient sharing's Aeron transport
 * and its media-driver directory, which is deleted when the JVM exits.
 */
final class LocalCluster {
    /** Gradient sharing's Aeron files: in shared memory, unique to this JVM. */
    static final Path AERON_DIR = Paths.get(Files.isDirectory(Paths.get("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"),
            "aeron-descent4j-spark-" + ProcessHandle.current().pid());

    private static int port;
    private static boolean hooked;

    private LocalCluster() {}

    /** A new {@code local[2]} context; stop it when done. */
    static synchronized JavaSparkContext start() {
        System.setProperty("aeron.dir", AERON_DIR.toString());
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(LocalCluster::deleteAeronDirectory, "descent4j-spark-aeron-cleanup"));
            hooked = true;
        }
        SparkConf conf = new SparkConf()
                .setMaster("local[2]")
                .setAppName("descent4j-spark")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", Descent4jKryoRegistrator.class.getName())
                // DL4J M2's gradient sharing hangs when a second task of the node attaches while the first finishes
                // (docs/spark.md): one task at a time on the two cores.
                .set("spark.task.cpus", "2")
                .set("spark.default.parallelism", "2");
        return new JavaSparkContext(conf);
    }

    /**
     * A free UDP port on 127.0.0.1, chosen once per JVM: gradient sharing's transport stays up between runs and
     * keeps the port it first bound.
     */
    static synchronized int aeronPort() {
        if (port == 0) {
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (SocketException e) {
                throw new UncheckedIOException("no free UDP port on 127.0.0.1 for gradient sharing", e);
            }
        }
        return port;
    }

    static void deleteAeronDirectory() {
        if (!Files.exists(AERON_DIR)) {
            return;
        }
        try (Stream<Path> files = Files.walk(AERON_DIR)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
