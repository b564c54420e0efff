package io.hupwatch.sockets;

import io.hupwatch.os.LibC;
import io.hupwatch.os.Native;
import io.hupwatch.supervisor.BindAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the listening sockets of {@code --bind}: TCP through libc (SO_REUSEADDR; IPV6_V6ONLY for
 * a specific IPv6 address, never for {@code [::]}, which serves IPv4 too), unix through jnr-unixsocket, replacing a stale socket file but never a live one.
 * Failures are {@link BindException}s whose message names the call, the errno and what to do.
 */
public final class SocketBinder {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    public static final int BACKLOG = 4096;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int EADDRINUSE = 98;
    private static final int EACCES = 13;
    private static final int EADDRNOTAVAIL = 99;

    /** A socket could not be bound; the message is one line for the operator. */
    public static final class BindException extends Exception {
        private static final long serialVersionUID = 1L;

        BindException(String message) {
            super(message);
        }
    }

    private SocketBinder() {
    }

    public static ListeningSocket bind(BindAddress address) throws BindException {
        return address.kind() == BindAddress.Kind.TCP ? bindTcp(address) : bindUnix(address);
    }

    private static ListeningSocket bindTcp(BindAddress address) throws BindException {
        InetAddress ip;
        try {
            ip = InetAddress.getByName(address.host());
        } catch (UnknownHostException e) {
            throw new BindException("--bind " + address.display() + ": cannot resolve host '" + address.host() + "'");
        }
        LibC libc = Native.libc();
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(libc);
        boolean v6 = ip instanceof Inet6Address;
        int fd = libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new BindException("socket() for " + address.display() + " failed: " + Native.lastError());
        }
        try {
            Pointer one = Memory.allocateDirect(rt, 4);
            one.putInt(0, 1);
            setOption(libc, fd, SOL_SOCKET, SO_REUSEADDR, one, "SO_REUSEADDR", address);
            if (v6) {
                // [::] is dual-stack, IPv4 too, as the JDK binds a server's wildcard (whatever
                // net.ipv6.bindv6only says); a specific IPv6 address is that address only.
                Pointer v6only = Memory.allocateDirect(rt, 4);
                v6only.putInt(0, ip.isAnyLocalAddress() ? 0 : 1);
                setOption(libc, fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, "IPV6_V6ONLY", address);
            }
            Pointer sa = sockaddr(rt, ip, address.port());
            if (libc.bind(fd, sa, (int) sa.size()) != 0) {
                int errno = Native.lastErrno();
                throw new BindException("bind(" + address.display() + ") failed: " + Native.lastError()
                        + tcpAdvice(errno, address));
            }
            if (libc.listen(fd, BACKLOG) != 0) {
                throw new BindException("listen(" + address.display() + ") failed: " + Native.lastError());
            }
            Pointer actual = Memory.allocateDirect(rt, 28);
            IntByReference len = new IntByReference(28);
            if (libc.getsockname(fd, actual, len) != 0) {
                throw new BindException("getsockname(" + address.display() + ") failed: " + Native.lastError());
            }
            int port = (actual.getByte(2) & 0xff) << 8 | (actual.getByte(3) & 0xff);
            return new ListeningSocket(address.withPort(port), fd, null, null);
        } catch (BindException e) {
            libc.close(fd);
            throw e;
        }
    }

    private static void setOption(LibC libc, int fd, int level, int option, Pointer value, String what,
            BindAddress address) throws BindException {
        if (libc.setsockopt(fd, level, option, value, 4) != 0) {
            throw new BindException("setsockopt(" + what + ") for " + address.display() + " failed: " + Native.lastError());
        }
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

    private static String tcpAdvice(int errno, BindAddress a) {
        return switch (errno) {
            case EADDRINUSE -> ": another process listens there (see: ss -ltnp 'sport = :" + a.port() + "')";
            case EACCES -> ": ports below 1024 need root or CAP_NET_BIND_SERVICE";
            case EADDRNOTAVAIL -> ": " + a.host() + " is not an address of this machine";
            default -> "";
        };
    }

    private static ListeningSocket bindUnix(BindAddress address) throws BindException {
        Path path = address.path();
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BindException("--bind " + address.display() + ": directory " + dir
                    + " does not exist; create it first");
        }
        try {
            StaleSocketFile.clear(path, "a live server is listening there (another hupwatch or the server itself)");
        } catch (IOException e) {
            throw new BindException("--bind " + address.display() + ": " + e.getMessage());
        }
        UnixServerSocketChannel channel = null;
        try {
            channel = UnixServerSocketChannel.open();
            channel.socket().bind(new UnixSocketAddress(path.toFile()), BACKLOG);
            int fd = channel.getFD();
            // jnr-posix is not loaded for this: it costs tens of milliseconds on the way to the first generation.
            Native.closeOnExec(fd);
            return new ListeningSocket(address, fd, ListeningSocket.fileIdentity(path), channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new BindException("bind(" + address.display() + ") failed: " + e.getMessage()
                    + (Files.isWritable(dir) ? "" : ": no write permission on " + dir));
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already failing; the bind error is what the operator needs
            }
        }
    }
}
