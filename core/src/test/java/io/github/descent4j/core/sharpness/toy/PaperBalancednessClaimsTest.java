package io.github.descent4j.core.sharpness.toy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claims of Li, Zhang and He (NeurIPS 2024), Appendix A.4 / Figure 2, on the paper's full protocol
 * (η = 10⁻⁴, T = 10⁵, x₀ = (0.2, −0.1, 0.3), y₀ = −3x₀, ρ = 0.1 for NOP and 0.2 for OP), one seed.
 */
class PaperBalancednessClaimsTest {
    private static final long SEED = 20241;
    private static List<BalancednessTrajectory> grid;

    @BeforeAll
    static void runGrid() {
        long start = System.nanoTime();
        grid = BalancednessExperiment.paper(SEED, 1000).runPaperGrid();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(Locale.ROOT, "toy grid (12 runs x %d steps) in %d ms, seed %d%n",
                BalancednessExperiment.PAPER_STEPS, ms, SEED);
        System.out.printf(Locale.ROOT, "%-4s %-4s %5s %12s %12s %10s %12s%n",
                "prob", "meth", "alpha", "firstB", "lastB", "|B_T|/|B_0|", "finalLoss");
        for (BalancednessTrajectory r : grid) {
            System.out.printf(Locale.ROOT, "%-4s %-4s %5.1f %12.6f %12.6f %10.4f %12.6f%n", r.problem(), r.method(),
                    r.alpha(), r.firstB(), r.lastB(), r.shrinkRatio(), r.finalLoss());
        }
        System.out.println("B every 10^4 steps:");
        for (BalancednessTrajectory r : grid) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-4s %-4s %3.1f", r.problem(), r.method(), r.alpha()));
            double[] s = r.series();
            for (int i = 0; i < s.length; i += 10) {
                line.append(String.format(Locale.ROOT, " %9.5f", s[i]));
            }
            System.out.println(line);
        }
    }

    @Test
    void printsTheGrid() {
        assertThat(grid).hasSize(12);
    }
}
