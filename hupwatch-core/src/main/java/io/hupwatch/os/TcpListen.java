package io.hupwatch.os;

import java.net.Inet6Address;
import java.net.InetAddress;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A listening TCP socket through libc: {@code socket} (close-on-exec), SO_REUSEADDR, IPV6_V6ONLY for a
 * specific IPv6 address (never for {@code [::]}, which serves IPv4 too), {@code bind}, {@code listen}, and
 * {@code getsockname} for the port the kernel chose.
 */
public final class TcpListen {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;

    /** The listening socket's fd and its port (the real one where port 0 was asked for). */
    public record Listening(int fd, int port) {
    }

    private TcpListen() {
    }

    /**
     * @param display how the address is named in an error ("tcp:127.0.0.1:8080")
     * @throws SyscallFailed naming the call, the address and the errno; the socket is closed then
     */
    public static Listening open(InetAddress ip, int port, int backlog, String display) throws SyscallFailed {
        LibC libc = Native.libc();
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(libc);
        boolean v6 = ip instanceof Inet6Address;
        int fd = libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failed("socket", "socket() for " + display);
        }
        try {
            Pointer one = Memory.allocateDirect(rt, 4);
            one.putInt(0, 1);
            setOption(libc, fd, SOL_SOCKET, SO_REUSEADDR, one, "SO_REUSEADDR", display);
            if (v6) {
                // [::] is dual-stack, IPv4 too, as the JDK binds a server's wildcard (whatever
                // net.ipv6.bindv6only says); a specific IPv6 address is that address only.
                Pointer v6only = Memory.allocateDirect(rt, 4);
                v6only.putInt(0, ip.isAnyLocalAddress() ? 0 : 1);
                setOption(libc, fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, "IPV6_V6ONLY", display);
            }
            Pointer sa = sockaddr(rt, ip, port);
            if (libc.bind(fd, sa, (int) sa.size()) != 0) {
                throw failed("bind", "bind(" + display + ")");
            }
            if (libc.listen(fd, backlog) != 0) {
                throw failed("listen", "listen(" + display + ")");
            }
            Pointer actual = Memory.allocateDirect(rt, 28);
            IntByReference len = new IntByReference(28);
            if (libc.getsockname(fd, actual, len) != 0) {
                throw failed("getsockname", "getsockname(" + display + ")");
            }
            return new Listening(fd, (actual.getByte(2) & 0xff) << 8 | (actual.getByte(3) & 0xff));
        } catch (SyscallFailed e) {
            libc.close(fd);
            throw e;
        }
    }

    private static void setOption(LibC libc, int fd, int level, int option, Pointer value, String what,
            String display) throws SyscallFailed {
        if (libc.setsockopt(fd, level, option, value, 4) != 0) {
            throw failed("setsockopt", "setsockopt(" + what + ") for " + display);
        }
    }

    /** "CALL failed: Address already in use (errno 98)", for the last call on this thread. */
    private static SyscallFailed failed(String call, String what) {
        int errno = Native.lastErrno();
        return new SyscallFailed(call, what + " failed: " + Native.lastError(), errno);
    }

    /** struct sockaddr_in or sockaddr_in6: family in host order, port and address in network order. */
    private static Pointer sockaddr(jnr.ffi.Runtime rt, InetAddress ip, int port) {
        byte[] raw = ip.getAddress();
        boolean v6 = raw.length == 16;
        Pointer sa = Memory.allocateDirect(rt, v6 ? 28 : 16, true);
        sa.putShort(0, (short) (v6 ? AF_INET6 : AF_INET));
        sa.putByte(2, (byte) (port >>> 8));
        sa.putByte(3, (byte) port);
        if (v6) {
            sa.put(8, raw, 0, 16);
            sa.putInt(24, ((Inet6Address) ip).getScopeId());
        } else {
            sa.put(4, raw, 0, 4);
        }
        return sa;
    }
}
