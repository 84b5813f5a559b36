package io.github.descent4j.core.transform;

import io.github.descent4j.core.UpdateRule;

/**
 * One composable gradient transformation, in the sense of optax's {@code GradientTransformation}
 * (Babuschkin et al., "The DeepMind JAX Ecosystem", 2020): a small update rule that maps the incoming
 * update {@code u} to an outgoing one, so that optimisers are chains of transforms
 * ({@link TransformChain}) instead of one class each.
 * <p>
 * A transform IS an {@link UpdateRule} with the same discipline (immutable configuration, state in
 * {@link #bufferCount()} buffers and {@link #scalarCount()} scalars, lazy on sparse segments), so every
 * adapter that runs a rule runs a transform or a chain unchanged. The sign convention is the rules':
 * a transform reads {@code u = sign * in[k]} and writes {@code in[k] = sign * out}; that is what makes the
 * output of one transform the input of the next. Only the last transform's output is the step the
 * parameters move against, so a chain whose last part is {@link ScaleByLearningRate} is the usual
 * optimiser; the semantics of each transform follow torch.optim.
 * <p>
 * Every transform has a canonical text form {@link #spec()} (its name and every parameter, doubles as
 * {@link Double#toString}), which {@link #parse} reads back exactly; equality and hash code are by value
 * (by the spec), which Deeplearning4j needs to merge parameters with equal updater configurations.
 */
public abstract class Transform extends UpdateRule {

    /** The canonical text form, e.g. {@code scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)}. */
    public abstract String spec();

    /**
     * Reads one transform's text form; parameters may be written in any order and those with a default
     * may be left out.
     *
     * @throws io.github.descent4j.core.InvalidHyperparameterException naming the transform and parameter
     */
    public static Transform parse(String spec) {
        return SpecParser.parseTransform(spec);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((Transform) o).spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
