package io.hupwatch.os;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.posix.FileStat;

/**
 * What a socket fd really is, asked of the kernel rather than of whoever handed it over: the identity
 * of its open file ({@code fstat}: device and inode, the same in every process that holds it) and
 * its local address ({@code getsockname}).
 */
public final class SocketIdentity {
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCKADDR_MAX = 110;

    private SocketIdentity() {
    }

    /** {@code DEV:INO} of the file open on {@code fd}, or null when it cannot be asked. */
    public static String of(int fd) {
        FileStat st = Posix.get().allocateStat();
        if (Posix.get().fstat(fd, st) != 0) {
            return null;
        }
        return st.dev() + ":" + st.ino();
    }

    /** The local address of socket {@code fd}: an {@link InetSocketAddress}, a unix path as a String, or null. */
    public static Object localAddress(int fd) {
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(Native.libc());
        Pointer sa = Memory.allocateDirect(rt, SOCKADDR_MAX, true);
        IntByReference len = new IntByReference(SOCKADDR_MAX);
        if (Native.libc().getsockname(fd, sa, len) != 0) {
            return null;
        }
        int family = sa.getShort(0) & 0xffff;
        int port = (sa.getByte(2) & 0xff) << 8 | (sa.getByte(3) & 0xff);
        try {
            if (family == AF_INET) {
                byte[] raw = new byte[4];
                sa.get(4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == AF_INET6) {
                byte[] raw = new byte[16];
                sa.get(8, raw, 0, 16);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        if (family == AF_UNIX) {
            int n = Math.max(0, Math.min(len.intValue(), SOCKADDR_MAX) - 2);
            byte[] raw = new byte[n];
            sa.get(2, raw, 0, n);
            int end = 0;
            while (end < n && raw[end] != 0) {
                end++;
            }
            return end == 0 ? null : new String(raw, 0, end, StandardCharsets.UTF_8);
        }
        return null;
    }
}
