package io.github.descent4j.core.transform;

import io.github.descent4j.core.InvalidHyperparameterException;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;

/**
 * Update rules run one after another on the same segment: the composition of optax's
 * {@code optax.chain}, as an {@link UpdateRule} that every adapter runs unchanged.
 * <pre>
 *   out = part[n−1]( … part[1]( part[0](g) ) … )
 * </pre>
 * For example {@code clipByGlobalNorm(maxNorm=1.0) | scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8)
 * | addDecayedWeights(weightDecay=0.01) | scaleByLearningRate()} is AdamW on clipped gradients.
 * <p>
 * State: the chain's buffers are its parts' buffers in order (part 0's first), and so are its scalars.
 * Each part gets its own per-step {@link StepContext} ({@link StepContext#part}), holding its own
 * coefficients; the learning rate, sign and step are the chain's. Sparse segments are handed to every
 * part as they are, so a chain is exactly as lazy as its parts.
 * <p>
 * The adapters compute the norm of the incoming gradient only, so a part that
 * {@link UpdateRule#usesGlobalGradientNorm() reads the global gradient norm} must be the first; any
 * other position is rejected. The chain reads parameters if any part does. Nested chains are flattened.
 * <p>
 * {@link #spec()} joins the parts' specs with {@code " | "}, {@link #parse} reads it back, and equality
 * is by the list of parts.
 */
public final class TransformChain extends UpdateRule {
    private static final double[] NO_SCALARS = new double[0];

    private final UpdateRule[] parts;
    private final int[] bufferOffsets;
    private final int[] scalarOffsets;
    private final int bufferCount;
    private final int scalarCount;
    private final boolean readsParameters;

    private TransformChain(UpdateRule[] parts) {
        this.parts = parts;
        this.bufferOffsets = new int[parts.length];
        this.scalarOffsets = new int[parts.length];
        int buffers = 0;
        int scalars = 0;
        boolean reads = false;
        for (int i = 0; i < parts.length; i++) {
            bufferOffsets[i] = buffers;
            scalarOffsets[i] = scalars;
            buffers += parts[i].bufferCount();
            scalars += parts[i].scalarCount();
            reads |= parts[i].readsParameters();
        }
        this.bufferCount = buffers;
        this.scalarCount = scalars;
        this.readsParameters = reads;
    }

    /**
     * The chain of {@code parts} in order; nested chains are flattened into their parts.
     *
     * @throws InvalidHyperparameterException (parameter {@code transforms}) when there is no part, a part
     *     is null, or a part other than the first reads the global gradient norm
     */
    public static TransformChain of(UpdateRule... parts) {
        List<UpdateRule> flat = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new InvalidHyperparameterException("transforms", "transforms: part " + i + " is null");
            }
            if (parts[i] instanceof TransformChain) {
                flat.addAll(((TransformChain) parts[i]).parts());
            } else {
                flat.add(parts[i]);
            }
        }
        if (flat.isEmpty()) {
            throw new InvalidHyperparameterException("transforms", "transforms: a chain needs at least one transform");
        }
        for (int i = 1; i < flat.size(); i++) {
            if (flat.get(i).usesGlobalGradientNorm()) {
                throw new InvalidHyperparameterException("transforms", "transforms: part " + i + " (" + describe(flat.get(i))
                        + ") reads the global gradient norm, so it must be the first part of the chain: the adapters"
                        + " compute the norm of the incoming gradient only, not of what earlier parts make of it");
            }
        }
        return new TransformChain(flat.toArray(new UpdateRule[0]));
    }

    /** The chain of {@code parts} in order. */
    public static TransformChain of(List<? extends UpdateRule> parts) {
        return of(parts.toArray(new UpdateRule[0]));
    }

    /**
     * Reads a chain's text form: transform specs joined by {@code |}, e.g.
     * {@code scaleByAdam(beta1=0.9, beta2=0.999, epsilon=1.0E-8) | scaleByLearningRate()}.
     *
     * @throws InvalidHyperparameterException naming the transform and the parameter at fault
     */
    public static TransformChain parse(String spec) {
        return of(SpecParser.parseChain(spec));
    }

    /** The parts, in order (unmodifiable). */
    public List<UpdateRule> parts() {
        return Collections.unmodifiableList(Arrays.asList(parts));
    }

    /**
     * The canonical text form: the parts' {@link Transform#spec()} joined by {@code " | "}.
     *
     * @throws UnsupportedOperationException when a part is not a {@link Transform} (a fused rule has no spec)
     */
    public String spec() {
        StringJoiner out = new StringJoiner(" | ");
        for (int i = 0; i < parts.length; i++) {
            if (!(parts[i] instanceof Transform)) {
                throw new UnsupportedOperationException("part " + i + " (" + parts[i].getClass().getName()
                        + ") is not a Transform, so the chain has no text form");
            }
            out.add(((Transform) parts[i]).spec());
        }
        return out.toString();
    }

    @Override
    public int bufferCount() {
        return bufferCount;
    }

    @Override
    public int scalarCount() {
        return scalarCount;
    }

    @Override
    public void initialiseScalars(double[] scalars) {
        for (int i = 0; i < parts.length; i++) {
            int n = parts[i].scalarCount();
            if (n > 0) {
                double[] own = new double[n];
                parts[i].initialiseScalars(own);
                System.arraycopy(own, 0, scalars, scalarOffsets[i], n);
            }
        }
    }

    @Override
    public boolean usesGlobalGradientNorm() {
        return parts[0].usesGlobalGradientNorm();
    }

    @Override
    public boolean readsParameters() {
        return readsParameters;
    }

    /** Whether any part reads a scheduled momentum (every such part gets it). */
    @Override
    public boolean acceptsMomentumSchedule() {
        for (UpdateRule part : parts) {
            if (part.acceptsMomentumSchedule()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void beginStep(double[] scalars, StepContext context) {
        for (int i = 0; i < parts.length; i++) {
            StepContext own = context.part(i);
            own.sign = context.sign;
            own.learningRate = context.learningRate;
            own.step = context.step;
            own.gradientSquaredNorm = i == 0 ? context.gradientSquaredNorm : Double.NaN;
            own.momentum = context.momentum;
            int n = parts[i].scalarCount();
            if (n == 0) {
                parts[i].beginStep(NO_SCALARS, own);
            } else {
                double[] view = own.scalarScratch(n);
                System.arraycopy(scalars, scalarOffsets[i], view, 0, n);
                parts[i].beginStep(view, own);
                System.arraycopy(view, 0, scalars, scalarOffsets[i], n);
            }
        }
    }

    @Override
    public void apply(StepContext context, double[] in, int[] index, int from, int to,
                      double[] params, double[][] buffers, int base) {
        for (int i = 0; i < parts.length; i++) {
            StepContext own = context.part(i);
            int n = parts[i].bufferCount();
            double[][] view;
            if (bufferOffsets[i] == 0) {
                view = buffers;   // a part only touches its first n buffers
            } else {
                // Refilled on every call: adapters may reuse one holder array with other rows' buffers in it.
                view = own.bufferScratch(n);
                System.arraycopy(buffers, bufferOffsets[i], view, 0, n);
            }
            parts[i].apply(own, in, index, from, to, params, view, base);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransformChain && Arrays.equals(((TransformChain) o).parts, parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(" | ");
        for (UpdateRule part : parts) {
            out.add(describe(part));
        }
        return out.toString();
    }

    private static String describe(UpdateRule part) {
        return part instanceof Transform ? ((Transform) part).spec() : part.getClass().getSimpleName();
    }
}
