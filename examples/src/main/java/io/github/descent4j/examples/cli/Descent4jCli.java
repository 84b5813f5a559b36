package io.github.descent4j.examples.cli;

import io.github.descent4j.examples.batch.BatchCommand;
import io.github.descent4j.examples.compare.OptimiserComparison;
import io.github.descent4j.examples.finetune.FinetuneCommand;
import io.github.descent4j.examples.imbalance.ImbalanceCommand;
import io.github.descent4j.examples.sharpness.SharpnessCommand;
import io.github.descent4j.datasets.DataFiles;
import io.github.descent4j.datasets.LabelledData;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code descent4j} command line. Subcommands:
 * <ul>
 *   <li>{@code imbalance} (the default): the heavy-tailed class-imbalance showcase ({@link ImbalanceCommand}).</li>
 *   <li>{@code finetune}: forgetting under fine-tuning in DL4J ({@link FinetuneCommand}).</li>
 *   <li>{@code batch}: adaptive batch sizes (norm and augmented tests) against a constant batch
 *       ({@link BatchCommand}).</li>
 *   <li>{@code sharpness}: SAM / ASAM under label noise and BAR on a low-rank layer in DL4J
 *       ({@link SharpnessCommand}).</li>
 *   <li>{@code compare}: Tribuo logistic regression with every optimiser on a small real
 *       dataset (the embedded UCI wine data unless {@code --data} names a headed CSV).</li>
 * </ul>
 * Bad input prints one line on standard error and exits with code 2.
 */
public final class Descent4jCli {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");
    private static final Logger DESCENT4J_LOG = Logger.getLogger("io.github.descent4j");
    private static final String EMBEDDED_WINE = "/io/github/descent4j/examples/wine_data.csv";

    private Descent4jCli() {}

    public static void main(String[] args) {
        // DL4J logs its backend set-up at INFO through SLF4J; the command line prints its own progress.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        TRIBUO_LOG.setLevel(Level.WARNING);
        DESCENT4J_LOG.setLevel(Level.WARNING);
        System.setProperty("java.awt.headless", "true");
        try {
            boolean named = args.length > 0 && (!args[0].startsWith("-") || args[0].equals("--help") || args[0].equals("-h"));
            String command = named ? args[0] : "imbalance";
            String[] rest = named ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
            switch (command) {
                case "help", "--help", "-h":
                    out.print(usage());
                    return 0;
                case "imbalance":
                    return ImbalanceCommand.run(rest, out, err);
                case "finetune":
                    return FinetuneCommand.run(rest, out, err);
                case "batch":
                    return BatchCommand.run(rest, out, err);
                case "sharpness":
                    return SharpnessCommand.run(rest, out, err);
                case "compare":
                    return compare(rest, out, err);
                default:
                    throw new UsageException("unknown command '" + command + "'; run ./descent4j --help");
            }
        } catch (UsageException e) {
            err.println("descent4j: " + e.getMessage());
            return 2;
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: ./descent4j <command> [options]      (./descent4j <command> --help for its options)",
                "",
                "  imbalance  heavy-tailed class imbalance: loss per class-frequency group for SGD, Adam, sign",
                "             descent and more, on synthetic data or next-word prediction from a text file (default)",
                "  finetune   DL4J: forgetting of digits 0-4 when fine-tuning on 5-9, flat learning rate vs",
                "             layer-wise decay vs Selective Projection Decay",
                "  batch      adaptive batch sizes: AdaGrad-Norm and AdaGrad with a constant batch vs the norm",
                "             and augmented tests; steps and examples to a target accuracy, batch-size curve",
                "  sharpness  DL4J: SAM and ASAM vs their base optimiser with 20% flipped digit labels (accuracy,",
                "             memorisation, sharpness proxy); nBAR / oBAR vs SGD and SAM on a low-rank layer (balancedness)",
                "  compare    train Tribuo's logistic regression with every descent4j optimiser and Tribuo's",
                "             own SGD, AdaGrad and Adam; print test accuracy and training log loss",
                "",
                "compare options: [--data FILE] [--epochs N] [--minibatch B] [--seed S]",
                "  --data FILE     CSV whose first line is 'n, d, class names...' and last column the class",
                "                  index (default: the embedded UCI wine data, 178 x 13, 3 classes)",
                "  --epochs N      passes over the training data (default 10)",
                "  --minibatch B   examples per step (default 1)",
                "  --seed S        seed of the split and of Tribuo's shuffling (default 1)",
                "  --help          this text",
                "");
    }

    private static int compare(String[] args, PrintStream out, PrintStream err) {
        Path data = null;
        int epochs = 10;
        int minibatch = 1;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(usage());
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
            try (InputStream in = Descent4jCli.class.getResourceAsStream(EMBEDDED_WINE)) {
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
