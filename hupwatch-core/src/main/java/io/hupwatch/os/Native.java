package io.hupwatch.os;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads libc through jnr-ffi on first use only: hupwatch pays for native binding (a few hundred
 * milliseconds, tens of megabytes) only when it needs a call the JDK does not have.
 */
public final class Native {
    private static volatile LibC libc;

    private Native() {
    }

    public static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (Native.class) {
                l = libc;
                if (l == null) {
                    l = LibraryLoader.create(LibC.class).load("c");
                    libc = l;
                }
            }
        }
        return l;
    }

    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;

    /** Marks {@code fd} close-on-exec, so that only the fds a generation is given reach it. */
    public static void closeOnExec(int fd) throws java.io.IOException {
        if (libc().fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
            throw new java.io.IOException("fcntl(" + fd + ", F_SETFD, FD_CLOEXEC) failed: " + lastError());
        }
    }

    /** "No such process (errno 3)" for the last native call on this thread. */
    public static String lastError() {
        LibC l = libc();
        int errno = Runtime.getRuntime(l).getLastError();
        return l.strerror(errno) + " (errno " + errno + ")";
    }

    public static int lastErrno() {
        return Runtime.getRuntime(libc()).getLastError();
    }
}
