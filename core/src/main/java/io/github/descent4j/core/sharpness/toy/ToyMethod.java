package io.github.descent4j.core.sharpness.toy;

/** The two optimisers compared on the toy problems. */
public enum ToyMethod {
    /** Plain SGD: (x, y) ← (x, y) − η g, g the stochastic gradient of one noise sample. */
    SGD,
    /**
     * SAM over plain SGD ({@link io.github.descent4j.core.sharpness.SharpnessAwareMinimization#sam}): ε = ρ g/‖g‖
     * over the joint (x, y) gradient, then (x, y) ← (x, y) − η g′ with g′ the gradient at (x, y) + ε for the same
     * noise sample.
     */
    SAM
}
