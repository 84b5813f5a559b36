package io.github.descent4j.examples.compare;

import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;
import io.github.descent4j.examples.cli.Cli;
import io.github.descent4j.examples.cli.Descent4jCli;
import io.github.descent4j.examples.cli.UsageException;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@code ./descent4j compare}: Tribuo logistic regression with every optimiser on a small real dataset (the
 * embedded UCI wine data unless {@code --data} names a headed CSV), via {@link OptimiserComparison}.
 */
public final class CompareCommand {
    private static final String EMBEDDED_WINE = "/io/github/descent4j/examples/wine_data.csv";

    private CompareCommand() {}

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path data = null;
        int epochs = 10;
        int minibatch = 1;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(Descent4jCli.usage());
                    return 0;
                }
                case "--data" -> data = Paths.get(Cli.value(args, ++i, "--data"));
                case "--epochs" -> epochs = Cli.intAtLeast(Cli.value(args, ++i, "--epochs"), "--epochs", 1);
                case "--minibatch" -> minibatch = Cli.intAtLeast(Cli.value(args, ++i, "--minibatch"), "--minibatch", 1);
                case "--seed" -> seed = Cli.parseLong(Cli.value(args, ++i, "--seed"), "--seed");
                default -> throw new UsageException("unknown option '" + args[i] + "'; run ./descent4j --help");
            }
        }
        LabelledData all = load(data);
        LabelledData[] split = all.split(0.7, seed);
        LabelledData[] scaled = split[0].standardise(split[1]);
        out.printf("dataset %s: %d examples, %d features, %d classes; train %d / test %d (standardised)%n",
                data == null ? "UCI wine (embedded)" : data, all.size(), all.dimension(), all.classCount(),
                scaled[0].size(), scaled[1].size());
        out.printf("Tribuo LinearSGDTrainer + LogMulticlass, %d epochs, minibatch %d, seed %d%n%n", epochs, minibatch, seed);
        List<OptimiserComparison.Result> results = OptimiserComparison.run(scaled[0], scaled[1], epochs, minibatch, seed, err);
        out.println();
        OptimiserComparison.printTable(results, out);
        return 0;
    }

    private static LabelledData load(Path data) {
        if (data == null) {
            try (InputStream in = CompareCommand.class.getResourceAsStream(EMBEDDED_WINE)) {
                return DataFiles.readWithHeader("wine_data.csv", in);
            } catch (java.io.IOException e) {
                throw new UsageException("cannot read the embedded wine data: " + e.getMessage());
            }
        }
        if (!Files.isRegularFile(data)) {
            throw new UsageException("data file " + data + " does not exist");
        }
        try {
            LabelledData d = DataFiles.readWithHeader(data);
            if (d.size() < 10) {
                throw new UsageException("data file " + data + " has only " + d.size() + " examples; need at least 10");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
