package io.hupwatch.supervisor;

/** A generation could not be started. {@link #exitCode()} is what hupwatch exits with if it was the first. */
public final class SpawnException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The command does not exist. */
    public static final int NOT_FOUND = 127;
    /** The command exists but cannot be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** Any other reason. */
    public static final int OTHER = 1;

    private final int exitCode;

    public SpawnException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
