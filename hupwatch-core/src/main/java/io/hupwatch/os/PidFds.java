package io.hupwatch.os;

import java.io.IOException;
import jnr.ffi.byref.IntByReference;

/**
 * Taking a copy of another process's fd ({@code pidfd_open} + {@code pidfd_getfd}, Linux 5.6+), and
 * checking what it is. This is how hupwatch adopts a listening socket a generation opened: no
 * SCM_RIGHTS needed on the child's side. The kernel allows it only for a process hupwatch may
 * ptrace (its own user's, not set-uid), on top of hupwatch's own check that the process belongs to
 * the generation.
 */
public final class PidFds {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SOCK_STREAM = 1;

    private PidFds() {
    }

    /**
     * A new fd in hupwatch for the open file behind {@code fd} in process {@code pid}.
     *
     * @throws IOException naming the syscall and errno
     */
    public static int take(long pid, int fd) throws IOException {
        LibC libc = Native.libc();
        long pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0, 0);
        if (pidfd < 0) {
            throw new IOException("pidfd_open(" + pid + ") failed: " + Native.lastError());
        }
        try {
            long copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0);
            if (copy < 0) {
                throw new IOException("pidfd_getfd(" + pid + ", " + fd + ") failed: " + Native.lastError());
            }
            return (int) copy;
        } finally {
            libc.close((int) pidfd);
        }
    }

    /** Whether {@code fd} is a stream socket in the listening state. */
    public static boolean isListeningStream(int fd) {
        return option(fd, SO_TYPE) == SOCK_STREAM && option(fd, SO_ACCEPTCONN) == 1;
    }

    private static int option(int fd, int option) {
        IntByReference value = new IntByReference(0);
        IntByReference length = new IntByReference(4);
        return Native.libc().getsockopt(fd, SOL_SOCKET, option, value, length) == 0 ? value.intValue() : -1;
    }
}
