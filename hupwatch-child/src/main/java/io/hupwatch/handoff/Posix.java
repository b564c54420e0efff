package io.hupwatch.handoff;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** jnr-posix for the child side, loaded on first use: a copy of the few lines of hupwatch-core's Posix accessor, since this module must not depend on hupwatch-core. */
final class Posix {
    private static volatile POSIX posix;

    private Posix() {
    }

    static POSIX get() {
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

    /** "Bad file descriptor (errno 9)" for the last call on this thread. */
    static String lastError() {
        POSIX p = get();
        int errno = p.errno();
        return p.strerror(errno) + " (errno " + errno + ")";
    }

    /** @throws java.io.IOException "dup2(5, 0) failed: Bad file descriptor (errno 9)" when {@code result} is negative */
    static int check(int result, String call) throws java.io.IOException {
        if (result < 0) {
            throw new java.io.IOException(call + " failed: " + lastError());
        }
        return result;
    }
}
