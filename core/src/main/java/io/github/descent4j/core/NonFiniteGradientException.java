package io.github.descent4j.core;

/**
 * Thrown when an optimiser is handed a gradient containing NaN or an infinity.
 * <p>
 * Optimisers check before they touch their state or the parameters, so when this is thrown
 * nothing has been updated and the model still holds its last finite weights.
 */
public final class NonFiniteGradientException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int tensorIndex;
    private final double value;

    /**
     * @param tensorIndex index of the offending tensor in the optimiser's tensor list
     * @param location human-readable position inside the tensor, e.g. {@code [2, 17]}
     * @param value the non-finite value found
     * @param tensorDescription what the tensor is, e.g. its type and shape
     */
    public NonFiniteGradientException(int tensorIndex, String location, double value, String tensorDescription) {
        super("gradient tensor " + tensorIndex + " (" + tensorDescription + ") has a non-finite value "
                + value + " at " + location + "; no parameter or optimiser state was updated");
        this.tensorIndex = tensorIndex;
        this.value = value;
    }

    /** Index of the tensor that held the non-finite value. */
    public int tensorIndex() {
        return tensorIndex;
    }

    /** The offending value (NaN or an infinity). */
    public double value() {
        return value;
    }
}
