package io.hupwatch.handoff;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;

/** Turns a raw listening fd into what JVM servers take: a JDK channel, or a non-blocking fd for Netty. */
public final class FdChannels {
    private static final int O_NONBLOCK = 04000;
    private static boolean inheritedUsed;
    private static int savedStdout = -1;
    private static int savedStderr = -1;

    private FdChannels() {
    }

    /**
     * The JDK can wrap exactly one foreign fd per JVM without {@code --add-opens}: the one it finds on
     * fd 0 at its first {@code System.inheritedChannel()} call. So the socket is put on fd 0 first.
     * Closing that channel later points fds 0, 1 and 2 at /dev/null (a JDK behaviour), so copies of
     * stdout and stderr are kept for {@link #restoreStdio()}.
     */
    public static synchronized ServerSocketChannel serverSocketChannel(int fd, String name) throws IOException {
        if (inheritedUsed) {
            throw new IOException("only one socket per JVM can become a JDK ServerSocketChannel; '" + name
                    + "' would be the second: serve it with the raw fd (Netty), or run one socket per server");
        }
        inheritedUsed = true;
        POSIX posix = Posix.get();
        savedStdout = Posix.check(posix.dup(1), "dup(1)");
        savedStderr = Posix.check(posix.dup(2), "dup(2)");
        posix.fcntlInt(savedStdout, Fcntl.F_SETFD, 1);
        posix.fcntlInt(savedStderr, Fcntl.F_SETFD, 1);
        Posix.check(posix.dup2(fd, 0), "dup2(" + fd + ", 0)");
        Channel ch = System.inheritedChannel();
        if (ch instanceof ServerSocketChannel ssc) {
            return ssc;
        }
        throw new IOException("the JDK did not take fd " + fd + " ('" + name + "') as a listening socket"
                + (ch == null ? " (System.inheritedChannel() had been called before)" : ": got " + ch));
    }

    /** Sets O_NONBLOCK, which Netty's epoll channels need. It is shared by every holder of the socket. */
    public static int nonBlocking(int fd) throws IOException {
        POSIX posix = Posix.get();
        int flags = Posix.check(posix.fcntl(fd, Fcntl.F_GETFL), "fcntl(F_GETFL)");
        Posix.check(posix.fcntlInt(fd, Fcntl.F_SETFL, flags | O_NONBLOCK), "fcntl(F_SETFL, O_NONBLOCK)");
        return fd;
    }

    /** Puts back stdout and stderr if closing the inherited channel pointed them at /dev/null. */
    public static synchronized void restoreStdio() {
        if (savedStdout >= 0) {
            Posix.get().dup2(savedStdout, 1);
            Posix.get().dup2(savedStderr, 2);
        }
    }
}
