package io.hupwatch.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads libc through jnr-ffi on first use only: hupwatch pays for native binding (a few hundred
 * milliseconds, tens of megabytes) only when it needs a call the JDK does not have.
 */
final class Native {
    private static volatile LibC libc;

    private Native() {
    }

    static LibC libc() {
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

    /** "No such process (errno 3)" for the last native call on this thread. */
    static String lastError() {
        LibC l = libc();
        int errno = Runtime.getRuntime(l).getLastError();
        return l.strerror(errno) + " (errno " + errno + ")";
    }

    static int lastErrno() {
        return Runtime.getRuntime(libc()).getLastError();
    }
}
