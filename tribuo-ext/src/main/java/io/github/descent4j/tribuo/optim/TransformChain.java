package io.github.descent4j.tribuo.optim;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.UpdateRule;
import io.github.descent4j.core.transform.Transform;

import java.util.ArrayList;
import java.util.List;

/**
 * A Tribuo optimiser composed of descent4j transforms ({@link io.github.descent4j.core.transform}),
 * configured as text: each item of {@code transforms} is a transform spec (or several joined by
 * {@code |}), applied in order, e.g.
 * <pre>
 *   &lt;component name="adamw" type="io.github.descent4j.tribuo.optim.TransformChain"&gt;
 *     &lt;property name="learningRate" value="0.01"/&gt;
 *     &lt;propertylist name="transforms"&gt;
 *       &lt;item&gt;clipByGlobalNorm(maxNorm=1.0)&lt;/item&gt;
 *       &lt;item&gt;scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)&lt;/item&gt;
 *       &lt;item&gt;addDecayedWeights(weightDecay=0.01)&lt;/item&gt;
 *       &lt;item&gt;scaleByLearningRate()&lt;/item&gt;
 *     &lt;/propertylist&gt;
 *   &lt;/component&gt;
 * </pre>
 * The learning rate (times the example weight) enters only where the chain has
 * {@code scaleByLearningRate()}. The update is that of
 * {@link io.github.descent4j.core.transform.TransformChain}, driven like every {@link UpdateRuleOptimiser}:
 * lazily on sparse gradients, with global-norm transforms seeing the norm of Tribuo's whole gradient.
 * The fused optimisers ({@link Adam}, {@link AdamW}, …) are the same updates, faster.
 */
public final class TransformChain extends UpdateRuleOptimiser {

    @Config(mandatory = true, description = "The transforms in order, each item a transform spec such as "
            + "scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) (or several joined by |).")
    private List<String> transforms;

    /** For OLCUT. */
    private TransformChain() {}

    /**
     * @param learningRate learning rate, > 0
     * @param spec the chain's spec, e.g. {@code scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()}
     * @throws InvalidHyperparameterException naming the transform and parameter at fault
     */
    public TransformChain(double learningRate, String spec) {
        this(learningRate, List.of(spec));
    }

    /**
     * @param learningRate learning rate, > 0
     * @param transforms transform specs, in order
     */
    public TransformChain(double learningRate, List<String> transforms) {
        super(learningRate);
        this.transforms = new ArrayList<>(transforms);
        validate();
    }

    /**
     * @param learningRate learning rate, > 0
     * @param chain a chain of {@link Transform}s (stored as its parts' specs)
     */
    public TransformChain(double learningRate, io.github.descent4j.core.transform.TransformChain chain) {
        this(learningRate, specsOf(chain));
    }

    private static List<String> specsOf(io.github.descent4j.core.transform.TransformChain chain) {
        List<String> out = new ArrayList<>();
        for (UpdateRule part : chain.parts()) {
            if (!(part instanceof Transform)) {
                throw new IllegalArgumentException("chain part " + part.getClass().getName()
                        + " is not a Transform, so it cannot be configured as text");
            }
            out.add(((Transform) part).spec());
        }
        return out;
    }

    @Override
    protected UpdateRule createRule() {
        if (transforms == null || transforms.isEmpty()) {
            throw new InvalidHyperparameterException("transforms", "transforms must list at least one transform spec");
        }
        return io.github.descent4j.core.transform.TransformChain.parse(String.join(" | ", transforms));
    }

    /** Every error names the field: {@code learningRate}, or {@code transforms} (the message names the transform). */
    @Override
    public void postConfig() {
        try {
            validate();
        } catch (InvalidHyperparameterException e) {
            String field = "learningRate".equals(e.parameter()) ? "learningRate" : "transforms";
            String message = e.getMessage().startsWith(field) ? e.getMessage() : field + ": " + e.getMessage();
            throw new PropertyException("", field, message);
        }
    }

    /** The canonical spec of the configured chain. */
    public String getSpec() {
        return ((io.github.descent4j.core.transform.TransformChain) createRule()).spec();
    }

    @Override
    public TransformChain copy() {
        return new TransformChain(learningRate, transforms);
    }

    @Override
    public String toString() {
        return "TransformChain(learningRate=" + learningRate + ",transforms=" + getSpec() + ")";
    }
}
