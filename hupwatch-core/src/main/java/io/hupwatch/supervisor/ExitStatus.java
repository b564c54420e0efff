package io.hupwatch.supervisor;

/** Exit statuses as operators read them: 128+N is "killed by signal N". */
public final class ExitStatus {
    private ExitStatus() {
    }

    /** "status 0", "status 143 (SIGTERM)". */
    public static String describe(int status) {
        PosixSignal sig = status > 128 ? PosixSignal.byNumber(status - 128) : null;
        return sig == null ? "status " + status : "status " + status + " (" + sig.displayName() + ")";
    }
}
