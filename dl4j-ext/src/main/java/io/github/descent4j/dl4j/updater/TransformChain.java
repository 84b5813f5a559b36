package io.github.descent4j.dl4j.updater;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.rules.SgdRule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonSetter;

import java.util.Objects;

/**
 * A Deeplearning4j updater composed of descent4j's transforms ({@link io.github.descent4j.core.transform}, after
 * optax's {@code chain}; torch.optim's arithmetic), configured by the chain's text form:
 * <pre>
 *   .updater(new TransformChain(1e-3, "clipByGlobalNorm(maxNorm=1.0) | scaleByAdam() | scaleByLearningRate()"))
 * </pre>
 * The chain runs as any other descent4j {@link UpdateRuleUpdater} (state in DL4J's updater state view, learning
 * rate or {@code ISchedule}, JSON/YAML without registration). The specification is kept in its canonical form
 * ({@code core.transform.TransformChain.spec()}), so equal chains written differently are equal configurations
 * and DL4J merges their parameters into one block.
 * <p>
 * Two consequences of where a DL4J updater sits: a global-norm transform ({@code clipByGlobalNorm},
 * {@code normalizeByGlobalNorm}, {@code scaleByAdaGradNorm}) sees the norm over the updater <em>block</em> (the
 * whole network when the updater is configured once); and a part that reads the parameters
 * ({@code addDecayedWeights} with λ ≠ 0) is refused, because a {@code GradientUpdater} never sees them — use
 * DL4J's {@code WeightDecay(λ, true)} for decoupled decay.
 */
public final class TransformChain extends UpdateRuleUpdater {
    private static final long serialVersionUID = 1L;

    /** The default learning rate (a starting point; tune it). */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    private static final String[] NAMES = {};

    /** The chain's canonical specification; null only while Jackson is still filling a new instance. */
    @JsonProperty("transforms")
    private String transforms;

    /** False only inside the superclass constructor, which validates before this class has set its field. */
    private boolean constructed;

    /** For Jackson: the fields arrive after construction and are checked at {@code instantiate}. */
    private TransformChain() {
        super(DEFAULT_LEARNING_RATE, null, NAMES);
        constructed = true;
    }

    /**
     * @param learningRate the learning rate {@code scaleByLearningRate()} multiplies by, &gt; 0
     * @param transforms the chain, e.g. {@code "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()"}
     * @throws InvalidHyperparameterException naming the transform and parameter when the text is not a valid chain
     */
    public TransformChain(double learningRate, String transforms) {
        this(learningRate, null, transforms);
    }

    /** A chain whose learning rate follows a DL4J schedule. */
    public TransformChain(ISchedule learningRateSchedule, String transforms) {
        this(DEFAULT_LEARNING_RATE, learningRateSchedule, transforms);
    }

    private TransformChain(double learningRate, ISchedule learningRateSchedule, String transforms) {
        super(learningRate, learningRateSchedule, NAMES);
        this.transforms = canonical(transforms);
        constructed = true;
        validate();
    }

    /** Reads the JSON property in canonical form, so hand-written JSON compares equal to what we write. */
    @JsonSetter("transforms")
    private void transformsFromJson(String transforms) {
        this.transforms = canonical(transforms);
    }

    private static String canonical(String transforms) {
        if (transforms == null || transforms.isBlank()) {
            throw new InvalidHyperparameterException("transforms", "transforms must name at least one transform, e.g. "
                    + "\"scaleByAdam() | scaleByLearningRate()\"; got " + (transforms == null ? "null" : "'" + transforms + "'"));
        }
        return io.github.descent4j.core.transform.TransformChain.parse(transforms).spec();
    }

    @Override
    protected UpdateRule createRule() {
        if (!constructed) {
            // The superclass constructor validates before this class has set its field; validate() runs again
            // once it has (constructors) or at instantiate (JSON).
            return new SgdRule();
        }
        if (transforms == null) {
            throw new InvalidHyperparameterException("transforms", "this TransformChain configuration has no "
                    + "'transforms' (e.g. JSON without that property); it must name at least one transform");
        }
        return io.github.descent4j.core.transform.TransformChain.parse(transforms);
    }

    /** The chain's canonical specification. */
    public String getTransforms() {
        return transforms;
    }

    @Override
    public TransformChain clone() {
        return (TransformChain) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(transforms, ((TransformChain) o).transforms);
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + Objects.hashCode(transforms);
    }

    @Override
    public String toString() {
        String base = super.toString();
        return base.substring(0, base.length() - 1) + ",transforms=" + transforms + ")";
    }
}
