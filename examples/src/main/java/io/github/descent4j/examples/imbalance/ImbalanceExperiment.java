package io.github.descent4j.examples.imbalance;

import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.training.LossTrajectory;
import io.github.descent4j.tribuo.listen.ClassGroupLossListener;
import io.github.descent4j.tribuo.train.LinearClassificationTrainer;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.StochasticGradientOptimiser;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The heavy-tailed class-imbalance experiment of Kunstner et al. (2024), "Heavy-tailed class imbalance and
 * why Adam outperforms gradient descent on language models", on Tribuo: a linear softmax model trained with
 * each optimiser by descent4j's {@link LinearClassificationTrainer}, the learning rate picked from a small
 * log grid by lowest final training loss, and the loss of each class-frequency group tracked by
 * {@link ClassGroupLossListener}.
 * <p>
 * Tuning rule: a run's score is its final loss on the evaluated (training) examples; a run that diverges
 * (non-finite loss or gradient) scores as the initial loss, so it is never preferred over a run that made
 * progress. Ties go to the smaller learning rate.
 */
final class ImbalanceExperiment {

    /**
     * @param steps optimiser steps per run
     * @param batch examples per step, or 0 for full batch
     * @param groups number of class-frequency groups
     * @param optimizers the optimisers to compare
     * @param grid learning rates to try for every optimiser, or null for each optimiser's own grid
     * @param seed shuffling seed
     * @param threads runs trained at once
     * @param evalEvery record group losses every this many steps
     */
    record Settings(int steps, int batch, int groups, List<OptimiserCatalog.Entry> optimizers, double[] grid, long seed,
                    int threads, int evalEvery) {}

    /** One learning rate of one optimiser. */
    record Run(double learningRate, LossTrajectory curve, double score, boolean diverged, double accuracy,
               String description, double seconds) {}

    /** The tuned result of one optimiser and every run of its grid. */
    record OptimizerResult(String name, Run best, List<Run> grid) {
        double[] finalGroupLoss() {
            return best.curve().last().groupLosses();
        }
    }

    /** Everything the report needs. */
    record Result(String dataset, int classes, int examples, int evaluated, int features, Settings settings,
                  int[][] groupClasses, long[] groupExamples, List<OptimizerResult> optimizers, double seconds) {}

    private ImbalanceExperiment() {}

    static Result run(String description, Dataset<Label> train, Dataset<Label> evaluated, Settings settings, PrintStream progress) {
        long start = System.nanoTime();
        List<OptimiserCatalog.Entry> entries = settings.optimizers();
        int total = 0;
        for (OptimiserCatalog.Entry e : entries) {
            total += grid(e, settings).length;
        }
        AtomicInteger done = new AtomicInteger();
        int runs = total;
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
        try {
            List<List<Future<Run>>> futures = new ArrayList<>();
            for (OptimiserCatalog.Entry entry : entries) {
                List<Future<Run>> perOptimizer = new ArrayList<>();
                for (double lr : grid(entry, settings)) {
                    perOptimizer.add(pool.submit(() -> {
                        Run run = train(entry, lr, train, evaluated, settings);
                        synchronized (progress) {
                            progress.printf("[%2d/%d] %-22s lr %-7s final loss %s  (%.1f s)%n", done.incrementAndGet(), runs,
                                    entry.name(), ImbalanceReport.rate(lr),
                                    run.diverged() ? "diverged" : String.format("%.4f", run.score()), run.seconds());
                        }
                        return run;
                    }));
                }
                futures.add(perOptimizer);
            }
            List<OptimizerResult> results = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                List<Run> grid = new ArrayList<>();
                for (Future<Run> f : futures.get(i)) {
                    grid.add(f.get());
                }
                Run best = grid.get(0);
                for (Run r : grid) {
                    if (r.score() < best.score()) {
                        best = r;
                    }
                }
                results.add(new OptimizerResult(entries.get(i).name(), best, grid));
            }
            int[][] groupClasses = groupsOf(train, settings.groups());
            long[] groupExamples = new long[groupClasses.length];
            int[] counts = countsById(train);
            for (int g = 0; g < groupClasses.length; g++) {
                for (int c : groupClasses[g]) {
                    groupExamples[g] += counts[c];
                }
            }
            return new Result(description, train.getOutputInfo().size(), train.size(), evaluated.size(),
                    train.getFeatureMap().size(), settings, groupClasses, groupExamples, results,
                    (System.nanoTime() - start) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double[] grid(OptimiserCatalog.Entry entry, Settings settings) {
        return settings.grid() != null ? settings.grid() : entry.grid();
    }

    private static Run train(OptimiserCatalog.Entry entry, double lr, Dataset<Label> train, Dataset<Label> evaluated,
                             Settings settings) {
        long start = System.nanoTime();
        StochasticGradientOptimiser optimiser = entry.factory().apply(lr);
        LinearClassificationTrainer trainer;
        if (settings.batch() == 0) {
            trainer = LinearClassificationTrainer.fullBatch(new LogMulticlass(), optimiser, settings.steps(), settings.seed());
        } else {
            long epochs = ((long) settings.steps() * settings.batch() + train.size() - 1) / train.size();
            trainer = new LinearClassificationTrainer(new LogMulticlass(), optimiser, (int) Math.max(1, epochs), -1,
                    settings.batch(), false, settings.steps(), settings.seed());
        }
        var listener = new ClassGroupLossListener(entry.name(), evaluated, train, settings.groups(), settings.evalEvery());
        trainer.addListener(listener);
        boolean diverged = false;
        double accuracy = Double.NaN;
        try {
            Model<Label> model = trainer.train(train);
            accuracy = accuracy(model, evaluated);
        } catch (NonFiniteGradientException e) {
            diverged = true;
        }
        LossTrajectory curve = listener.trajectory();
        diverged |= !Double.isFinite(curve.finalLoss());
        double score = diverged ? curve.first().loss() : curve.finalLoss();
        if (diverged) {
            accuracy = Double.NaN;
        }
        return new Run(lr, curve, score, diverged, accuracy, optimiser.toString(), (System.nanoTime() - start) / 1e9);
    }

    /** Fraction of examples whose most probable label is the true one (Tribuo's evaluator is O(C²) per label). */
    private static double accuracy(Model<Label> model, Dataset<Label> data) {
        int correct = 0;
        for (var prediction : model.predict(data)) {
            if (prediction.getOutput().getLabel().equals(prediction.getExample().getOutput().getLabel())) {
                correct++;
            }
        }
        return correct / (double) data.size();
    }

    private static int[] countsById(Dataset<Label> data) {
        // MutableDataset rebuilds its output info on every call, so fetch it once.
        var outputInfo = data.getOutputIDInfo();
        int[] counts = new int[outputInfo.size()];
        for (var example : data) {
            counts[outputInfo.getID(example.getOutput())]++;
        }
        return counts;
    }

    /** The frequency groups of the training data, by Tribuo output id (as {@link ClassGroupLossListener} uses). */
    static int[][] groupsOf(Dataset<Label> train, int groups) {
        return io.github.descent4j.core.imbalance.ClassFrequencyGroups.of(countsById(train), groups).groups();
    }
}
