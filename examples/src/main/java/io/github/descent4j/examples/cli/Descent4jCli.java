package io.github.descent4j.examples.cli;

import io.github.descent4j.examples.batch.BatchCommand;
import io.github.descent4j.examples.compare.CompareCommand;
import io.github.descent4j.examples.finetune.FinetuneCommand;
import io.github.descent4j.examples.imbalance.ImbalanceCommand;
import io.github.descent4j.examples.lora.LoraCommand;
import io.github.descent4j.examples.sharpness.SharpnessCommand;

import java.io.PrintStream;
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
 *   <li>{@code lora}: LoRA showcase; today only {@code --toy}, SGD vs SAM balancedness on the paper's toy
 *       problems ({@link LoraCommand}).</li>
 *   <li>{@code compare}: Tribuo logistic regression with every optimiser on a small real
 *       dataset (the embedded UCI wine data unless {@code --data} names a headed CSV).</li>
 *   <li>{@code spark}: not in this jar (Spark is too large for it): the {@code ./descent4j} script runs it from the
 *       {@code examples-spark} module; called here it prints that hint.</li>
 * </ul>
 * Bad input prints one line on standard error and exits with code 2.
 */
public final class Descent4jCli {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");
    private static final Logger DESCENT4J_LOG = Logger.getLogger("io.github.descent4j");

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
                case "lora":
                    return LoraCommand.run(rest, out, err);
                case "compare":
                    return CompareCommand.run(rest, out, err);
                case "spark":
                    throw new UsageException("spark is not in this jar: run ./descent4j spark; it runs from its own module (examples-spark)");
                default:
                    throw new UsageException("unknown command '" + command + "'; run ./descent4j --help");
            }
        } catch (UsageException e) {
            err.println("descent4j: " + e.getMessage());
            return 2;
        }
    }

    /** The usage text of every command (printed by {@code --help}). */
    public static String usage() {
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
                "  lora       fine-tune digits 0-4 -> 5-9: full vs LoRA vs LoRA+SAM/nBAR/oBAR (accuracy, forgetting,",
                "             adapter size, |B| per LoRA layer); --toy: SGD vs SAM on the paper's toy problems NOP and OP",
                "  compare    train Tribuo's logistic regression with every descent4j optimiser and Tribuo's",
                "             own SGD, AdaGrad and Adam; print test accuracy and training log loss",
                "  spark      DL4J on Spark local[2]: one machine vs parameter averaging vs gradient sharing per",
                "             updater (accuracy, wall time); runs from its own module, built on first use",
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
}
