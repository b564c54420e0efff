package io.hupwatch.os;

import java.io.IOException;
import jnr.ffi.byref.IntByReference;

/**
 * {@code waitpid(2)} for one given pid, never {@code waitpid(-1)} (which could take a status the JDK, or
 * another waiter of hupwatch, is waiting for).
 */
public final class WaitPid {
    private static final int WNOHANG = 1;
    private static final int EINTR = 4;

    private WaitPid() {
    }

    /**
     * Blocks until child {@code pid} has exited, reaps it and returns its raw wait status (retrying when a
     * signal interrupts the wait).
     *
     * @throws IOException "waitpid(PID) failed: No child processes (errno 10)"
     */
    public static int untilExit(int pid) throws IOException {
        LibC libc = Native.libc();
        IntByReference status = new IntByReference(0);
        while (true) {
            int r = libc.waitpid(pid, status, 0);
            if (r == pid) {
                return status.intValue();
            }
            if (Native.lastErrno() != EINTR) {
                throw new IOException("waitpid(" + pid + ") failed: " + Native.lastError());
            }
        }
    }

    /** Reaps child {@code pid} if it has exited (WNOHANG); returns whether it did. */
    public static boolean reapIfExited(int pid) {
        return Native.libc().waitpid(pid, new IntByReference(0), WNOHANG) == pid;
    }
}
