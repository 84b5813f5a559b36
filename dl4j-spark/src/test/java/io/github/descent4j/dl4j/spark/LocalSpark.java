package io.github.descent4j.dl4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The one {@code local[2]} Spark context every test of this module shares (starting one costs seconds), bound to
 * the loopback interface, without the web UI, with Kryo and descent4j's registrator as docs/spark.md recommends for a real cluster. Stopped, and
 * the Aeron directory gradient sharing left in shared memory deleted, when the test JVM exits.
 */
final class LocalSpark {
    /** Where gradient sharing's embedded Aeron media driver keeps its files: unique to this JVM. */
    static final Path AERON_DIR = Paths.get(Files.isDirectory(Paths.get("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"),
            "aeron-descent4j-test-" + ProcessHandle.current().pid());

    private static JavaSparkContext context;

    private LocalSpark() {}

    static synchronized JavaSparkContext context() {
        if (context == null) {
            System.setProperty("aeron.dir", AERON_DIR.toString());
            context = new JavaSparkContext(conf());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                context.stop();
                deleteAeronDirectory();
            }, "descent4j-spark-test-stop"));
        }
        return context;
    }

    /** The test configuration; also used alone to build the Kryo serialiser the serialisation tests check. */
    static SparkConf conf() {
        return new SparkConf()
                .setMaster("local[2]")
                .setAppName("descent4j-dl4j-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", Descent4jKryoRegistrator.class.getName())
                // One task at a time: DL4J M2's gradient sharing (SharedTrainingWrapper, one trainer per JVM) hangs
                // when a second task of the node attaches its data while the first finishes. Parameter averaging's
                // two workers then train one after the other, which changes nothing but the time.
                .set("spark.task.cpus", "2")
                .set("spark.sql.shuffle.partitions", "2")
                .set("spark.default.parallelism", "2");
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
