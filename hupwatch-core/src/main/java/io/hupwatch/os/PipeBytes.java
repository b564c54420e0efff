package io.hupwatch.os;

import jnr.ffi.byref.IntByReference;

/** How many bytes wait in a pipe to be read: {@code ioctl(FIONREAD)}. */
public final class PipeBytes {
    /** ioctl(2) request FIONREAD (x86_64 and aarch64 Linux). */
    private static final long FIONREAD = 0x541B;

    private PipeBytes() {
    }

    /** The bytes waiting in the pipe whose read end is {@code fd}; 0 when it cannot be told. */
    public static int waiting(int fd) {
        IntByReference n = new IntByReference(0);
        return Native.libc().ioctl(fd, FIONREAD, n) == 0 ? n.intValue() : 0;
    }
}
