package io.github.descent4j.core;

/**
 * A hyperparameter outside its allowed range. Carries the parameter's name so that framework adapters
 * can re-throw it in their own idiom (for example as an OLCUT {@code PropertyException} naming the field).
 */
public final class InvalidHyperparameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String parameter;

    public InvalidHyperparameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** Name of the offending hyperparameter, as the user wrote it. */
    public String parameter() {
        return parameter;
    }
}
