package io.github.descent4j.dl4j;

import io.github.descent4j.dl4j.updater.UpdateRuleUpdater;
import io.github.descent4j.core.rules.AdamRule;
import io.github.descent4j.core.UpdateRule;

/**
 * Test-only DL4J updater running descent4j-core's {@link AdamRule}, i.e. torch.optim's Adam:
 * θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 * <p>
 * DL4J's own {@code Adam} computes lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε): its ε is not divided by
 * √(1 − β₂ᵗ), which moves the golden Adam and AdamSPD trajectories by up to 4·10⁻⁷ (10⁻⁴ relative on small
 * entries), more than the golden tolerances. The golden AdamSPD replay therefore uses this updater as the
 * base; SPD over DL4J's own Adam is checked against the framework-free reference instead.
 */
public final class TorchAdam extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    private static final String[] NAMES = {"beta1", "beta2", "epsilon"};

    public TorchAdam(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate, null, NAMES, beta1, beta2, epsilon);
    }

    @Override
    protected UpdateRule createRule() {
        return new AdamRule(hyperparameter("beta1"), hyperparameter("beta2"), hyperparameter("epsilon"), 0.0);
    }
}
