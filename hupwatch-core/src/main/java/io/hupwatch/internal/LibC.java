package io.hupwatch.internal;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/** The few libc functions neither the JDK nor jnr-posix offers. Bound lazily by {@link Native}. */
public interface LibC {
    int kill(int pid, int signal);

    /** Used only to put back SIG_DFL (a null handler) on a signal that was ignored at start-up. */
    Pointer signal(int signal, Pointer handler);

    String strerror(int errno);

    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int option, Pointer value, int length);

    int bind(int fd, Pointer address, int length);

    int listen(int fd, int backlog);

    int getsockname(int fd, Pointer address, IntByReference length);

    int shutdown(int fd, int how);

    int close(int fd);
}
