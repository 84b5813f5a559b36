package io.github.descent4j.examples.dropin;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import io.github.descent4j.tribuo.clip.GlobalNormClipping;
import io.github.descent4j.tribuo.optim.AdamW;
import io.github.descent4j.tribuo.schedule.ScheduledOptimiser;
import io.github.descent4j.tribuo.schedule.WarmupCosineSchedule;
import org.tribuo.DataSource;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.data.csv.CSVLoader;
import org.tribuo.evaluation.TrainTestSplitter;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.LinearScalingTransformation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Tribuo pipeline as a user has it today — {@code LinearSGDTrainer} with AdaGrad on a CSV, in code and from an OLCUT
 * XML file — and the same after the drop-in change to AdamW with warmup-cosine and global-norm clipping:
 * <pre>
 *   before:  new LinearSGDTrainer(objective, new AdaGrad(0.1), epochs, seed)
 *   after:   new LinearSGDTrainer(objective, new ScheduledOptimiser(new GlobalNormClipping(new AdamW(0.01, 0.9, 0.999, 1e-8, 0.01), 1.0),
 *                                             new WarmupCosineSchedule(warmup, steps, 0.05)), epochs, seed)
 * </pre>
 * In XML the change is the trainer's {@code optimiser} property and three components ({@code dropin/tribuo-after.xml}
 * against {@code dropin/tribuo-before.xml}). Prints test accuracy of the four runs.
 */
public final class TribuoDropIn {
    private static final String CSV = "/io/github/descent4j/examples/dropin/wine.csv";
    private static final String BEFORE_XML = "/io/github/descent4j/examples/dropin/tribuo-before.xml";
    private static final String AFTER_XML = "/io/github/descent4j/examples/dropin/tribuo-after.xml";
    private static final int EPOCHS = 20;

    private TribuoDropIn() {}

    /** Test accuracy of each pipeline. */
    public record Result(double codeBefore, double codeAfter, double xmlBefore, double xmlAfter) {}

    public static void main(String[] args) {
        Result r = run();
        System.out.printf("Tribuo LinearSGDTrainer on wine.csv, %d epochs%n", EPOCHS);
        System.out.printf("  code  before (AdaGrad 0.1)                               test accuracy %.4f%n", r.codeBefore());
        System.out.printf("  code  after  (AdamW + warmup-cosine + clip 1.0)          test accuracy %.4f%n", r.codeAfter());
        System.out.printf("  XML   before (tribuo-before.xml)                         test accuracy %.4f%n", r.xmlBefore());
        System.out.printf("  XML   after  (tribuo-after.xml)                          test accuracy %.4f%n", r.xmlAfter());
    }

    public static Result run() {
        TrainTestSplitter<Label> split = split();
        Dataset<Label> train = new MutableDataset<>(split.getTrain());
        Dataset<Label> test = new MutableDataset<>(split.getTest());
        long steps = (long) EPOCHS * train.size();

        // before: the user's pipeline
        StochasticGradientOptimiser adaGrad = new AdaGrad(0.1);
        // after: the drop-in change, one expression
        StochasticGradientOptimiser modern = new ScheduledOptimiser(
                new GlobalNormClipping(new AdamW(0.01, 0.9, 0.999, 1e-8, 0.01), 1.0),
                new WarmupCosineSchedule(steps / 20, steps, 0.05));

        return new Result(accuracy(scaled(new LinearSGDTrainer(new LogMulticlass(), adaGrad, EPOCHS, 1L)), train, test),
                accuracy(scaled(new LinearSGDTrainer(new LogMulticlass(), modern, EPOCHS, 1L)), train, test),
                accuracy(scaled(fromXml(BEFORE_XML)), train, test), accuracy(scaled(fromXml(AFTER_XML)), train, test));
    }

    /** The trainer component {@code trainer} of an XML file on the classpath. */
    @SuppressWarnings("unchecked")
    static Trainer<Label> fromXml(String resource) {
        try (InputStream in = TribuoDropIn.class.getResourceAsStream(resource)) {
            Path file = Files.createTempFile("descent4j-dropin", ".xml");
            try {
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return (Trainer<Label>) new ConfigurationManager(file.toString()).lookup("trainer");
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user's feature scaling to [0, 1], fitted on the training data. */
    private static Trainer<Label> scaled(Trainer<Label> trainer) {
        return new TransformTrainer<>(trainer, new TransformationMap(List.of(new LinearScalingTransformation(0, 1))));
    }

    private static double accuracy(Trainer<Label> trainer, Dataset<Label> train, Dataset<Label> test) {
        Model<Label> model = trainer.train(train);
        return new LabelEvaluator().evaluate(model, test).accuracy();
    }

    /** The user's data loading: a CSV with a header, the label column "cultivar", a 70/30 split. */
    private static TrainTestSplitter<Label> split() {
        try (InputStream in = TribuoDropIn.class.getResourceAsStream(CSV)) {
            Path file = Files.createTempFile("descent4j-wine", ".csv");
            try {
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                DataSource<Label> source = new CSVLoader<>(new LabelFactory()).loadDataSource(file, "cultivar");
                return new TrainTestSplitter<>(source, 0.7, 1L);   // reads every example now
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
