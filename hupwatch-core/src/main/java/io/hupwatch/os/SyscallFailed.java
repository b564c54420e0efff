package io.hupwatch.os;

import java.io.IOException;

/**
 * A system call failed: the message names the call and the errno ("bind(tcp:0.0.0.0:80) failed: Permission
 * denied (errno 13)"), and {@link #call()} and {@link #errno()} let the caller add advice for the one it knows.
 */
public final class SyscallFailed extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    SyscallFailed(String call, String message, int errno) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** The call's name alone: "bind", "listen"... */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
