package io.hupwatch.internal;

import jnr.ffi.Pointer;

/** The few libc functions the JDK has no equivalent for. Bound lazily by {@link Native}. */
public interface LibC {
    int kill(int pid, int signal);

    /** Used only to put back SIG_DFL (a null handler) on a signal that was ignored at start-up. */
    Pointer signal(int signal, Pointer handler);

    String strerror(int errno);
}
