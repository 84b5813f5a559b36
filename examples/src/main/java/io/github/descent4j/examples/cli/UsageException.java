package io.github.descent4j.examples.cli;

/** Bad command-line input: printed as one line, exit code 2, no stack trace. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
