package io.hupwatch.supervisor;

/** hupwatch cannot start, for the reason in the message (one line for the operator); exit status 1. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }
}
