package io.github.descent4j.dl4j.updater;

import io.github.descent4j.dl4j.internal.Staging;
import io.github.descent4j.core.Check;
import io.github.descent4j.core.NonFiniteGradientException;
import io.github.descent4j.core.StepContext;
import io.github.descent4j.core.UpdateRule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Deeplearning4j {@link GradientUpdater} shared by every descent4j algorithm: it drives one
 * framework-free {@link UpdateRule} over one DL4J updater block.
 * <p>
 * <b>Conventions.</b> DL4J hands {@link #applyUpdater} the loss gradient of a block of consecutive
 * parameters and subtracts what is left in that array, so the rule runs with {@code sign = +1}. Rules
 * with a global gradient norm see the norm of the whole block. A gradient holding NaN or ±∞ is rejected
 * with a {@link NonFiniteGradientException} before any state is touched (DL4J then leaves the
 * parameters alone too, since it subtracts only after the updater returns).
 * <p>
 * <b>State layout.</b> Everything lives in the state view array, which is all {@code ModelSerializer}
 * persists:
 * <pre>
 *   [ header: 2 × (1 + scalarCount) | buffer 0: n | … | buffer b−1: n | unused padding ]
 *   header = steps_hi, steps_lo, scalar0_hi, scalar0_lo, …
 * </pre>
 * Each header value x is stored as the pair {@code hi = (float) x, lo = x − hi} and read back as
 * {@code hi + lo}: on a float network the step counter stays exact to 2⁴⁸ and an accumulator such as
 * AdaGrad-Norm's b² keeps about 48 bits instead of float's 24 (with one float, b² would stop growing once
 * ‖g‖² drops below 6·10⁻⁸ b²). DL4J sizes a block's view as the sum of {@link UpdateRuleUpdater#stateSize}
 * over its parameter variables, each {@code b·nᵢ + header}, so a block of V variables carries
 * {@code (V − 1) · header} unused values at the end. The block length n is not known when DL4J
 * instantiates the updater (it passes only the view); it is fixed by the first gradient, which is why the
 * header, whose position does not depend on n, comes first.
 * <p>
 * <b>Arithmetic.</b> Float and double arrays are processed in chunks of {@value #CHUNK} values: the chunk
 * of the gradient and of each state buffer is widened to {@code double}, the rule's kernel runs on it, and
 * the results are narrowed back; the chunks stay in cache, so memory traffic is that of a native fused
 * kernel. The math therefore runs in double precision whatever the network's data type, and only storage
 * rounds to float. Other data types and non-contiguous arrays (which DL4J does not produce) take a slower
 * path through double copies.
 */
public final class UpdateRuleGradientUpdater implements GradientUpdater<UpdateRuleUpdater> {
    /** Values per staged chunk: 32 KiB of doubles per array, comfortably inside L2. */
    public static final int CHUNK = 4096;

    /** Header values are split into float-representable halves: see the class comment. */
    private static final int SLOTS_PER_VALUE = 2;

    private final UpdateRuleUpdater config;
    private final UpdateRule rule;
    private final int bufferCount;
    private final int scalarCount;
    private final int headerLength;
    private final StepContext context = new StepContext();
    /** The scheduled momentum of the current step (NaN: the rule's own). */
    private double momentum = Double.NaN;
    private final double[] scalars;
    private final double[] gradientChunk = new double[CHUNK];
    private final double[][] bufferChunks;
    private final float[] floatScratch = new float[CHUNK];

    private INDArray view;
    /** Number of parameters in the block, fixed by the first gradient (or by {@link #setState}); -1 before. */
    private long blockLength = -1;

    UpdateRuleGradientUpdater(UpdateRuleUpdater config, UpdateRule rule) {
        this.config = config;
        this.rule = rule;
        this.bufferCount = rule.bufferCount();
        this.scalarCount = rule.scalarCount();
        this.headerLength = headerLength(rule);
        this.scalars = new double[scalarCount];
        this.bufferChunks = new double[bufferCount][CHUNK];
    }

    /** Length of the header that precedes the per-parameter buffers: the step counter and the rule's scalars. */
    static int headerLength(UpdateRule rule) {
        return SLOTS_PER_VALUE * (1 + rule.scalarCount());
    }

    @Override
    public UpdateRuleUpdater getConfig() {
        return config;
    }

    /** The rule this updater drives. */
    public UpdateRule getRule() {
        return rule;
    }

    /** Number of steps this updater has applied since its state was initialised (read from the view). */
    public long getStepCount() {
        requireView();
        return Math.round(readHeaderValue(view, 0));
    }

    /** A copy of the rule's scalar state, e.g. AdaGrad-Norm's b² (read from the view). */
    public double[] getScalarState() {
        requireView();
        double[] out = new double[scalarCount];
        for (int i = 0; i < scalarCount; i++) {
            out[i] = readHeaderValue(view, 1 + i);
        }
        return out;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (viewArray == null) {
            throw new IllegalArgumentException(config.getClass().getSimpleName() + " needs a state view array of at least "
                    + headerLength + " values, got null");
        }
        if (!viewArray.isVectorOrScalar()) {
            throw new IllegalArgumentException("state view array must be a vector, got shape "
                    + Arrays.toString(viewArray.shape()));
        }
        if (viewArray.length() < headerLength) {
            throw new IllegalArgumentException(config.getClass().getSimpleName() + " needs a state view array of at least "
                    + headerLength + " values, got " + viewArray.length());
        }
        // A vector reshaped to rank 1 is always a view of the same memory, never a copy.
        this.view = viewArray.rank() == 1 ? viewArray : viewArray.reshape(viewArray.length());
        this.blockLength = -1;
        if (initialize) {
            initialise(view);
        }
    }

    /** Zeroes the whole view (DL4J allocates it uninitialised) and writes the rule's initial scalars. */
    private void initialise(INDArray state) {
        state.assign(0);
        double[] initial = new double[scalarCount];
        rule.initialiseScalars(initial);
        writeHeaderValue(state, 0, 0);
        for (int i = 0; i < scalarCount; i++) {
            writeHeaderValue(state, 1 + i, initial[i]);
        }
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        requireView();
        long n = gradient.length();
        resolveBlockLength(n);
        double learningRate = config.getLearningRate(iteration, epoch);
        Check.nonNegative("learningRate", learningRate);
        momentum = config.momentumAt(iteration, epoch);
        Staging g = Staging.of(gradient, floatScratch);
        Staging s = Staging.of(view, floatScratch);
        if (g != null && s != null) {
            step(g, s, view, n, learningRate);
            return;
        }
        // Slow path (other data types, non-contiguous arrays): the same step on double copies.
        INDArray gradient64 = gradient.castTo(DataType.DOUBLE).dup('c');
        INDArray view64 = view.castTo(DataType.DOUBLE).dup('c');
        step(Staging.of(gradient64, floatScratch), Staging.of(view64, floatScratch), view64, n, learningRate);
        gradient.assign(gradient64);
        view.assign(view64);
    }

    private void step(Staging gradient, Staging state, INDArray stateArray, long n, double learningRate) {
        // Pass 1: the squared norm, which is also the finiteness check (a float's square cannot overflow a double).
        double squaredNorm = gradient.squaredNorm(n, gradientChunk);
        if (!Double.isFinite(squaredNorm)) {
            long at = gradient.firstNonFinite(n, gradientChunk);
            if (at >= 0) {
                gradient.read(at, gradientChunk, 1);
                throw new NonFiniteGradientException(0, "[" + at + "]", gradientChunk[0],
                        "Deeplearning4j updater block of " + n + " parameters");
            }
            // Otherwise the double sum overflowed on finite values: the norm is +∞, as in the other adapters.
        }
        long steps = Math.round(readHeaderValue(stateArray, 0)) + 1;
        for (int i = 0; i < scalarCount; i++) {
            scalars[i] = readHeaderValue(stateArray, 1 + i);
        }
        context.sign = 1.0;   // DL4J passes the loss gradient and subtracts the result
        context.learningRate = learningRate;
        context.step = steps;
        context.momentum = momentum;
        context.gradientSquaredNorm = rule.usesGlobalGradientNorm() ? squaredNorm : Double.NaN;
        rule.beginStep(scalars, context);
        writeHeaderValue(stateArray, 0, steps);
        for (int i = 0; i < scalarCount; i++) {
            writeHeaderValue(stateArray, 1 + i, scalars[i]);
        }
        // Pass 2: the fused elementwise update, chunk by chunk, with base 0 so the kernels vectorise.
        for (long from = 0; from < n; from += CHUNK) {
            int length = (int) Math.min(CHUNK, n - from);
            gradient.read(from, gradientChunk, length);
            for (int b = 0; b < bufferCount; b++) {
                state.read(headerLength + b * n + from, bufferChunks[b], length);
            }
            rule.apply(context, gradientChunk, null, 0, length, null, bufferChunks, 0);
            for (int b = 0; b < bufferCount; b++) {
                state.write(headerLength + b * n + from, bufferChunks[b], length);
            }
            gradient.write(from, gradientChunk, length);
        }
    }

    private void resolveBlockLength(long n) {
        if (blockLength == n) {
            return;
        }
        if (blockLength >= 0) {
            throw new IllegalStateException(config.getClass().getSimpleName() + " updater was used for a block of "
                    + blockLength + " parameters and is now given a gradient of " + n);
        }
        long needed = headerLength + bufferCount * n;
        long length = view.length();
        // The view holds one header per parameter variable of the block: headerLength + b·n + k·headerLength.
        if (length < needed || (length - needed) % headerLength != 0) {
            throw new IllegalStateException(config.getClass().getSimpleName() + " state view array has " + length
                    + " values, which does not fit a block of " + n + " parameters (expected " + needed
                    + " plus a multiple of " + headerLength + ")");
        }
        blockLength = n;
    }

    private void requireView() {
        if (view == null) {
            throw new IllegalStateException(config.getClass().getSimpleName()
                    + " updater has no state view array: call setStateViewArray or setState first");
        }
    }

    private static double readHeaderValue(INDArray state, int slot) {
        return state.getDouble(SLOTS_PER_VALUE * slot) + state.getDouble(SLOTS_PER_VALUE * slot + 1);
    }

    private static void writeHeaderValue(INDArray state, int slot, double value) {
        double hi = (float) value;
        state.putScalar(SLOTS_PER_VALUE * slot, hi);
        state.putScalar(SLOTS_PER_VALUE * slot + 1, value - hi);
    }

    // ---- the per-name state map (SameDiff's interface to updater state) ----

    /** Key of the block-level entry of {@link #getState()}: the step counter and the rule's scalars. */
    public static final String HEADER = "header";

    /**
     * The state as named views of the state view array: {@value #HEADER} (step counter and scalars, in the
     * split encoding of the class comment) and {@code buffer0}, {@code buffer1}, … of the block length.
     * Before the first step the block length is taken to be what the view holds with a single header (the
     * SameDiff case of one updater per variable).
     */
    @Override
    public Map<String, INDArray> getState() {
        requireView();
        return getState(blockLength >= 0 ? blockLength : bufferCount == 0 ? 0 : (view.length() - headerLength) / bufferCount);
    }

    /**
     * {@link #getState()} for a block of {@code n} parameters, known to the caller even before the first step
     * (when a block of several variables carries unused headers at the end of its view, so n cannot be
     * inferred from the view's length).
     */
    public Map<String, INDArray> getState(long n) {
        requireView();
        if (n < 0 || headerLength + bufferCount * n > view.length()) {
            throw new IllegalArgumentException(config.getClass().getSimpleName() + " state view array of " + view.length()
                    + " values cannot hold a block of " + n + " parameters");
        }
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(HEADER, view.get(NDArrayIndex.interval(0, headerLength)));
        for (int b = 0; b < bufferCount; b++) {
            long start = headerLength + b * n;
            state.put("buffer" + b, view.get(NDArrayIndex.interval(start, start + n)));
        }
        return state;
    }

    /**
     * Adopts state in the form {@link #getState()} returns. The arrays are copied into one new contiguous
     * view array (whose layout is the class comment's); with {@code initialize} only their shapes are used.
     */
    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (stateMap == null || !stateMap.containsKey(HEADER)) {
            throw new IllegalArgumentException("state map must contain '" + HEADER + "'"
                    + (bufferCount > 0 ? " and buffer0.." + "buffer" + (bufferCount - 1) : "")
                    + ", got " + (stateMap == null ? null : stateMap.keySet()));
        }
        long n = 0;
        for (int b = 0; b < bufferCount; b++) {
            INDArray buffer = stateMap.get("buffer" + b);
            if (buffer == null) {
                throw new IllegalArgumentException("state map lacks 'buffer" + b + "', got " + stateMap.keySet());
            }
            n = buffer.length();
        }
        INDArray header = stateMap.get(HEADER);
        INDArray fresh = Nd4j.create(header.dataType(), headerLength + bufferCount * n);
        if (initialize) {
            initialise(fresh);
        } else {
            fresh.get(NDArrayIndex.interval(0, headerLength)).assign(header.reshape(header.length()));
            for (int b = 0; b < bufferCount; b++) {
                long start = headerLength + b * n;
                INDArray buffer = stateMap.get("buffer" + b);
                fresh.get(NDArrayIndex.interval(start, start + n)).assign(buffer.reshape(buffer.length()));
            }
        }
        this.view = fresh;
        this.blockLength = bufferCount == 0 ? -1 : n;
    }

    @Override
    public String toString() {
        return "UpdateRuleGradientUpdater(" + config + ", blockLength=" + blockLength + ")";
    }
}
