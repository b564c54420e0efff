package io.hupwatch.internal;

import java.io.IOException;
import jnr.posix.POSIX;

/**
 * The fd 0 trick: {@link ProcessBuilder} passes only fds 0, 1 and 2 to a child, so to give a child
 * a socket, hupwatch puts the socket on its own fd 0 just for the moment of the start, with stdin
 * inherited, and then puts its original stdin back. Starts are serialized by one lock.
 */
final class StdinSwap {
    private static final Object LOCK = new Object();
    private static int savedStdin = -1;

    private StdinSwap() {
    }

    static Process start(ProcessBuilder builder, int socketFd) throws IOException {
        builder.redirectInput(ProcessBuilder.Redirect.INHERIT);
        POSIX posix = Posix.get();
        synchronized (LOCK) {
            if (savedStdin < 0) {
                savedStdin = Posix.check(posix.dup(0), "dup(0)");
                Posix.check(posix.fcntlInt(savedStdin, jnr.constants.platform.Fcntl.F_SETFD, 1), "fcntl(F_SETFD)");
            }
            Posix.check(posix.dup2(socketFd, 0), "dup2(" + socketFd + ", 0)");
            try {
                return builder.start();
            } finally {
                Posix.check(posix.dup2(savedStdin, 0), "dup2(" + savedStdin + ", 0)");
            }
        }
    }
}
