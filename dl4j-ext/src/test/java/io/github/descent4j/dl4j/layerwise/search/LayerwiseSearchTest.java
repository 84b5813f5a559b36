package io.github.descent4j.dl4j.layerwise.search;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.layerwise.search.ForgettingObjective;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerwiseSearchTest {
    private static TwoTaskProblem problem;

    @TempDir
    Path dir;

    @BeforeAll
    static void pretrain() {
        problem = new TwoTaskProblem(15);
    }

    @Test
    void searchesEveryTrialSavesStateAndPrefersFeasibleTrials() throws Exception {
        Path state = dir.resolve("state.json");
        List<String> lines = new ArrayList<>();
        List<Integer> savedCounts = new ArrayList<>();
        LayerwiseSearchResult result = problem.search().initialDesign(3).trials(6).seed(11).stateFile(state)
                .progress(line -> {
                    lines.add(line);
                    if (line.startsWith("trial")) {
                        savedCounts.add(readTrials(state));
                    }
                }).build().run();

        assertThat(result.layers()).containsExactly("0", "1", "2");
        assertThat(result.trials()).hasSize(6);
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).startsWith("flat baseline: old ");
        assertThat(lines.get(6)).startsWith("trial 6/6 (BO)").contains("best old").contains("s left");
        assertThat(savedCounts).containsExactly(1, 2, 3, 4, 5, 6); // the file holds each trial before its line
        double threshold = result.flat().newAccuracy() - ForgettingObjective.DEFAULT.tolerance();
        for (LayerwiseSearchTrial t : result.trials()) {
            assertThat(t.multipliers()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(t.multipliers()[i]).isEqualTo(Math.pow(10, t.point()[i])).isBetween(1e-3, 10.0);
            }
            assertThat(t.feasible()).isEqualTo(t.newAccuracy() >= threshold);
            assertThat(t.value()).isEqualTo(ForgettingObjective.DEFAULT.value(t.oldAccuracy(), t.newAccuracy(),
                    result.flat().newAccuracy()));
        }
        boolean anyFeasible = result.trials().stream().anyMatch(LayerwiseSearchTrial::feasible);
        for (LayerwiseSearchTrial t : result.trials()) {
            if (t.feasible()) {
                assertThat(result.best().value()).isLessThanOrEqualTo(t.value());
            }
        }
        assertThat(result.best().feasible()).isTrue(); // the flat rate is feasible, so the best is too
        if (!anyFeasible) {
            assertThat(result.bestIsFlat()).isTrue();
        }
        double flatValue = -result.flat().oldAccuracy();
        if (result.bestIsFlat()) {
            assertThat(result.bestMultipliers()).containsExactly(1, 1, 1);
            for (LayerwiseSearchTrial t : result.trials()) {
                assertThat(!t.feasible() || t.value() >= flatValue).as("no feasible trial beats flat").isTrue();
            }
        } else {
            assertThat(result.best().feasible()).isTrue();
            assertThat(result.best().value()).isLessThan(flatValue);
            assertThat(result.bestMultipliers()).containsExactly(result.best().multipliers());
        }
    }

    @Test
    void theFlatRateIsReturnedWhenNoTrialBeatsIt() {
        // Old-task score 0.9 for the flat run only (layer 0 at the base rate 0.02), 0.5 for every trial.
        java.util.function.ToDoubleFunction<MultiLayerNetwork> old = net ->
                net.getLayer(0).conf().getLayer().getUpdaterByParam("W").getLearningRate(0, 0) == 0.02 ? 0.9 : 0.5;
        LayerwiseSearchResult r = problem.search().oldTask(old).newTask(net -> 0.9).initialDesign(2).trials(3).build().run();
        assertThat(r.bestIsFlat()).isTrue();
        assertThat(r.best().oldAccuracy()).isEqualTo(0.9);
        assertThat(r.bestMultipliers()).containsExactly(1, 1, 1);
        assertThat(r.trials()).extracting(LayerwiseSearchTrial::oldAccuracy).containsOnly(0.5);
        // Bounds without 1: the flat rate is the baseline but not a candidate.
        LayerwiseSearchResult narrow = problem.search().oldTask(old).newTask(net -> 0.9).bounds(0.01, 0.5)
                .initialDesign(2).trials(2).build().run();
        assertThat(narrow.bestIsFlat()).isFalse();
    }

    @Test
    void sameSeedGivesTheSameSearchAndAnotherSeedAnotherOne() {
        LayerwiseSearchResult a = problem.search().initialDesign(2).trials(4).seed(3).build().run();
        LayerwiseSearchResult b = problem.search().initialDesign(2).trials(4).seed(3).build().run();
        LayerwiseSearchResult c = problem.search().initialDesign(2).trials(4).seed(4).build().run();
        assertThat(points(b)).isEqualTo(points(a));
        assertThat(b.trials().stream().map(LayerwiseSearchTrial::value).toList())
                .isEqualTo(a.trials().stream().map(LayerwiseSearchTrial::value).toList());
        assertThat(points(c).get(0)).isNotEqualTo(points(a).get(0));
    }

    @Test
    void aStoppedSearchResumesToTheUninterruptedResult() throws Exception {
        LayerwiseSearchResult whole = problem.search().initialDesign(2).trials(5).seed(8).build().run();

        Path state = dir.resolve("stopped.json");
        FineTuneProtocol inner = problem.protocol();
        int[] starts = {0};
        FineTuneProtocol stopsAtTrialFour = new FineTuneProtocol() {
            @Override
            public MultiLayerNetwork start() {
                if (++starts[0] == 5) { // probe + flat share start 1; trials 1..3 are starts 2..4
                    throw new IllegalStateException("killed");
                }
                return inner.start();
            }

            @Override
            public void train(MultiLayerNetwork net) {
                inner.train(net);
            }
        };
        assertThatThrownBy(() -> problem.search().protocol(stopsAtTrialFour).initialDesign(2).trials(5).seed(8)
                .stateFile(state).build().run()).hasMessage("killed");
        assertThat(readTrials(state)).isEqualTo(3);

        List<String> lines = new ArrayList<>();
        LayerwiseSearchResult resumed = problem.search().initialDesign(2).trials(5).seed(8).stateFile(state)
                .progress(lines::add).build().run();
        assertThat(lines.get(0)).startsWith("resumed ").contains("3 of 5 trials done");
        assertThat(lines).hasSize(3);
        assertThat(points(resumed)).isEqualTo(points(whole));
        assertThat(resumed.flat().oldAccuracy()).isEqualTo(whole.flat().oldAccuracy());
        assertThat(resumed.flat().newAccuracy()).isEqualTo(whole.flat().newAccuracy());
        assertThat(resumed.trials().subList(0, 3)).extracting(LayerwiseSearchTrial::value)
                .isEqualTo(whole.trials().subList(0, 3).stream().map(LayerwiseSearchTrial::value).toList());

        // A larger budget continues the same search.
        LayerwiseSearchResult longer = problem.search().initialDesign(2).trials(6).seed(8).stateFile(state).build().run();
        assertThat(points(longer).subList(0, 5)).isEqualTo(points(whole));
        assertThat(longer.trials()).hasSize(6);
    }

    @Test
    void refusesToResumeADifferentSearch() throws Exception {
        Path state = dir.resolve("other.json");
        problem.search().initialDesign(2).trials(2).seed(1).stateFile(state).build().run();
        assertThatThrownBy(() -> problem.search().initialDesign(2).trials(2).seed(2).stateFile(state).build().run())
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("seed 1 (this search: 2)");
        assertThatThrownBy(() -> problem.search().initialDesign(2).trials(2).seed(1).bounds(1e-2, 10).stateFile(state)
                .build().run()).hasMessageContaining("space");
        assertThatThrownBy(() -> problem.search().initialDesign(1).trials(1).seed(1).stateFile(state).build().run())
                .hasMessageContaining("initialDesign 2");
        Files.writeString(state, "{\"format\":\"something else\"}");
        assertThatThrownBy(() -> problem.search().initialDesign(2).trials(2).stateFile(state).build().run())
                .hasMessageContaining("not a descent4j layer-wise search state");
    }

    @Test
    void badSettingsAreRefusedBeforeAnyTraining() {
        assertThatThrownBy(() -> problem.search().bounds(10, 0.1).build())
                .isInstanceOf(InvalidHyperparameterException.class).hasMessageContaining("lower < upper");
        assertThatThrownBy(() -> problem.search().bounds(0, 10).build())
                .hasMessageContaining("lowerMultiplier").hasMessageContaining("> 0");
        assertThatThrownBy(() -> problem.search().bounds(-1, 10).build()).hasMessageContaining("lowerMultiplier");
        assertThatThrownBy(() -> problem.search().initialDesign(5).trials(3).build())
                .hasMessageContaining("trials must be >= the initial design (5 trials), got 3");
        assertThatThrownBy(() -> problem.search().blocks(-1).build()).hasMessageContaining("blocks");
        assertThatThrownBy(() -> LayerwiseSearch.builder().build()).hasMessageContaining("protocol");
        assertThatThrownBy(() -> problem.search().objective(new ForgettingObjective(1.5, 1)))
                .hasMessageContaining("tolerance");
    }

    @Test
    void fewerBlocksThanLayersAreResampledOverTheDepth() {
        // Bounds without 1, so the best is a searched trial, never the flat rate.
        LayerwiseSearchResult r = problem.search().blocks(2).bounds(0.05, 0.9).initialDesign(2).trials(2).seed(5)
                .build().run();
        assertThat(r.bestIsFlat()).isFalse();
        LayerwiseSearchTrial best = r.best();
        assertThat(best.multipliers()).hasSize(2);
        double[] m = r.bestMultipliers();
        assertThat(m).hasSize(3);
        assertThat(m[0]).isEqualTo(best.multipliers()[0]);
        assertThat(m[2]).isEqualTo(best.multipliers()[1]);
        assertThat(m[1]).isCloseTo((best.multipliers()[0] + best.multipliers()[1]) / 2, org.assertj.core.data.Offset.offset(1e-12));
    }

    private static List<List<Double>> points(LayerwiseSearchResult r) {
        List<List<Double>> out = new ArrayList<>();
        for (LayerwiseSearchTrial t : r.trials()) {
            List<Double> p = new ArrayList<>();
            for (double v : t.point()) {
                p.add(v);
            }
            out.add(p);
        }
        return out;
    }

    private static int readTrials(Path state) {
        try {
            return SearchStateFile.read(state).trials().size();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
