package io.github.descent4j.dl4j.spd;

import io.github.descent4j.dl4j.updater.UpdateRuleGradientUpdater;

/** Per-thread chunk buffers of {@link SelectiveProjectionDecay}'s two steps, so neither allocates per call. */
final class SpdScratch {
    /** Values per staged chunk, as in {@link UpdateRuleGradientUpdater}. */
    static final int CHUNK = UpdateRuleGradientUpdater.CHUNK;
    /** θ₀ = 0 for the float kernels; never written. */
    static final float[] ZERO_FLOATS = new float[CHUNK];

    private static final ThreadLocal<SpdScratch> LOCAL = ThreadLocal.withInitial(SpdScratch::new);

    /** Double staging of θ, of g or u, and of θ₀. */
    final double[] a = new double[CHUNK];
    final double[] b = new double[CHUNK];
    final double[] c = new double[CHUNK];
    /** d = θ − θ₀ of one chunk, when the configuration keeps no offsets between the two steps. */
    final double[] d = new double[CHUNK];
    /** The float stagings' conversion buffer. */
    final float[] floats = new float[CHUNK];
    /** Float chunks of θ, of g or u, and of θ₀ (when rounded), for the kernels that widen as they go. */
    final float[] thetaFloats = new float[CHUNK];
    final float[] otherFloats = new float[CHUNK];
    final float[] anchorFloats = new float[CHUNK];

    private SpdScratch() {}

    static SpdScratch get() {
        return LOCAL.get();
    }
}
