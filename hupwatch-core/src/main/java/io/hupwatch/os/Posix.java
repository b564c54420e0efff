package io.hupwatch.os;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** jnr-posix, loaded on first use (only the socket-passing modes need it). */
public final class Posix {
    private static volatile POSIX posix;

    private Posix() {
    }

    public static POSIX get() {
        POSIX p = posix;
        if (p == null) {
            synchronized (Posix.class) {
                p = posix;
                if (p == null) {
                    p = POSIXFactory.getNativePOSIX();
                    posix = p;
                }
            }
        }
        return p;
    }

    /** getuid(2): the real user id of hupwatch. */
    public static int uid() {
        return get().getuid();
    }

    /** "Bad file descriptor (errno 9)" for the last call on this thread. */
    public static String lastError() {
        POSIX p = get();
        int errno = p.errno();
        return p.strerror(errno) + " (errno " + errno + ")";
    }

    /** @throws java.io.IOException "dup2(5, 0) failed: Bad file descriptor (errno 9)" when {@code result} is negative */
    public static int check(int result, String call) throws java.io.IOException {
        if (result < 0) {
            throw new java.io.IOException(call + " failed: " + lastError());
        }
        return result;
    }
}
