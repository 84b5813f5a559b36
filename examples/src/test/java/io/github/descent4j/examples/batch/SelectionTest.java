package io.github.descent4j.examples.batch;

import io.github.descent4j.examples.batch.BatchExperiment.Config;
import io.github.descent4j.examples.batch.BatchExperiment.Run;
import io.github.descent4j.examples.batch.BatchExperiment.Schedule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Selection#select}: the two readings of the seed's target, and what happens when nothing qualifies. */
class SelectionTest {

    /** Constant batch: 1000 steps at 0.90 (lr 1) or 0.95 (lr 2); adaptive runs as given, for both optimisers. */
    private static List<Run> tuning(double[][] adaptive) {
        List<Run> runs = new ArrayList<>();
        for (String optimiser : BatchExperiment.OPTIMISERS) {
            runs.add(run(new Config(optimiser, Schedule.CONSTANT, 1, Double.NaN, Double.NaN, Double.NaN), 1000, 0.90));
            runs.add(run(new Config(optimiser, Schedule.CONSTANT, 2, Double.NaN, Double.NaN, Double.NaN), 1000, 0.95));
            for (double[] a : adaptive) {
                runs.add(run(new Config(optimiser, Schedule.NORM, a[0], a[1], Double.NaN, Double.NaN), (long) a[2], a[3]));
                runs.add(run(new Config(optimiser, Schedule.AUGMENTED, a[0], Double.NaN, a[1], a[1]), (long) a[2], a[3]));
            }
        }
        return runs;
    }

    private static Run run(Config config, long steps, double accuracy) {
        return run(config, steps, accuracy, 1 - accuracy);
    }

    private static Run run(Config config, long steps, double accuracy, double loss) {
        return new Run(config, 1, config.name(), steps, 4000, -1, -1, accuracy, loss, accuracy, 4, List.of(), 0);
    }

    @Test
    void accuracySelectionTakesTheFewestStepsWithinTheTolerance() {
        // {lr, test parameter, steps, accuracy}
        List<Config> chosen = Selection.select(tuning(new double[][] {
                {1, 0.5, 50, 0.90}, {1, 1, 120, 0.946}, {2, 1, 90, 0.9449}, {2, 2, 600, 0.96}}), Selection.ACCURACY, 0.005, 10);
        assertThat(chosen).hasSize(6);
        assertThat(chosen.get(0).learningRate()).as("most accurate constant rate").isEqualTo(2);
        assertThat(chosen.get(1)).as("0.9449 is more than 0.5 points below 0.95; 0.946 is not")
                .isEqualTo(new Config("AdaGradNorm", Schedule.NORM, 1, 1, Double.NaN, Double.NaN));
        assertThat(chosen.get(2)).isEqualTo(new Config("AdaGradNorm", Schedule.AUGMENTED, 1, Double.NaN, 1, 1));
        assertThat(chosen.get(4).optimiser()).isEqualTo("AdaGrad");
    }

    @Test
    void stepsSelectionTakesTheMostAccurateWithTheStepRatio() {
        List<Config> chosen = Selection.select(tuning(new double[][] {
                {1, 0.5, 50, 0.90}, {1, 1, 100, 0.93}, {2, 1, 101, 0.96}, {2, 2, 600, 0.97}}), Selection.STEPS, 0.005, 10);
        assertThat(chosen.get(1)).as("101 steps is not 10x fewer than 1000")
                .isEqualTo(new Config("AdaGradNorm", Schedule.NORM, 1, 1, Double.NaN, Double.NaN));
    }

    @Test
    void accuracyTiesGoToTheLowerLossThenToTheGridOrder() {
        List<Run> runs = new ArrayList<>(tuning(new double[][] {{1, 1, 50, 0.95}}));
        runs.replaceAll(r -> r.schedule() == Schedule.CONSTANT && r.config().learningRate() == 2
                ? run(r.config(), 1000, 0.95, 0.30) : r);
        runs.add(run(new Config("AdaGradNorm", Schedule.CONSTANT, 4, Double.NaN, Double.NaN, Double.NaN), 1000, 0.95, 0.20));
        runs.add(run(new Config("AdaGradNorm", Schedule.CONSTANT, 8, Double.NaN, Double.NaN, Double.NaN), 1000, 0.95, 0.20));
        runs.add(run(new Config("AdaGradNorm", Schedule.NORM, 4, 1, Double.NaN, Double.NaN), 50, 0.95, 0.01));
        List<Config> chosen = Selection.select(runs, Selection.ACCURACY, 0.005, 10);
        assertThat(chosen.get(0).learningRate()).as("0.95 at loss 0.20 beats 0.95 at 0.30; lr 4 is before lr 8").isEqualTo(4);
        assertThat(chosen.get(1).learningRate()).as("same steps, same accuracy: the lower loss").isEqualTo(4);
        assertThat(chosen.get(3).learningRate()).as("the other optimiser is untouched").isEqualTo(2);
    }

    @Test
    void withNothingQualifyingTheKeptCriterionDecides() {
        double[][] adaptive = {{1, 0.5, 150, 0.80}, {1, 1, 120, 0.85}, {2, 1, 400, 0.93}};
        assertThat(Selection.select(tuning(adaptive), Selection.ACCURACY, 0.005, 10).get(1).eta())
                .as("none within 0.5 points: the most accurate").isEqualTo(1);
        assertThat(Selection.select(tuning(adaptive), Selection.ACCURACY, 0.005, 10).get(1).learningRate()).isEqualTo(2);
        Config fewest = Selection.select(tuning(adaptive), Selection.STEPS, 0.005, 10).get(1);
        assertThat(fewest.learningRate()).as("none 10x fewer: the fewest steps").isEqualTo(1);
        assertThat(fewest.eta()).isEqualTo(1);
    }
}
