package io.github.descent4j.dl4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.nio.file.Path;

/**
 * The one {@code local[2]} Spark context every test of this module shares (starting one costs seconds): the
 * settings of {@link LocalMode}, stopped when the test JVM exits, and gradient sharing's Aeron directory deleted
 * after it.
 */
final class LocalSpark {
    private static JavaSparkContext context;

    private LocalSpark() {}

    static synchronized JavaSparkContext context() {
        if (context == null) {
            Path aeron = LocalMode.useOwnAeronDirectory("aeron-descent4j-test");
            context = new JavaSparkContext(conf());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                context.stop();
                LocalMode.deleteDirectory(aeron);
            }, "descent4j-spark-test-stop"));
        }
        return context;
    }

    /** The test configuration; also used alone to build the Kryo serialiser the serialisation tests check. */
    static SparkConf conf() {
        return LocalMode.conf("descent4j-dl4j-spark-test").set("spark.sql.shuffle.partitions", "2");
    }
}
