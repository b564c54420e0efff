package io.hupwatch.sockets;

import io.hupwatch.os.Native;
import io.hupwatch.os.SyscallFailed;
import io.hupwatch.os.TcpListen;
import io.hupwatch.os.UnixStreamServer;
import io.hupwatch.supervisor.BindAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the listening sockets of {@code --bind}: TCP through libc ({@link TcpListen}: SO_REUSEADDR; IPV6_V6ONLY
 * for a specific IPv6 address, never for {@code [::]}, which serves IPv4 too), unix through jnr-unixsocket
 * ({@link UnixStreamServer}), replacing a stale socket file but never a live one.
 * Failures are {@link BindException}s whose message names the call, the errno and what to do.
 */
public final class SocketBinder {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    public static final int BACKLOG = 4096;
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

    /** What to do about a host name that does not resolve (--bind and --metrics alike). */
    public static final String RESOLVE_ADVICE = "; give an IP address or a name this machine resolves";

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
            throw new BindException("--bind " + address.display() + ": cannot resolve host '" + address.host() + "'"
                    + RESOLVE_ADVICE);
        }
        try {
            TcpListen.Listening socket = TcpListen.open(ip, address.port(), BACKLOG, address.display());
            return new ListeningSocket(address.withPort(socket.port()), socket.fd(), null, null);
        } catch (SyscallFailed e) {
            throw new BindException(e.getMessage() + (e.call().equals("bind") ? tcpAdvice(e.errno(), address) : ""));
        }
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
        String misplaced = FilePlacement.problem(path, "app.sock");
        if (misplaced != null) {
            throw new BindException("--bind " + address.display() + ": " + misplaced);
        }
        try {
            StaleSocketFile.clear(path, "a live server is listening there (another hupwatch or the server itself)");
        } catch (IOException e) {
            throw new BindException("--bind " + address.display() + ": " + e.getMessage());
        }
        UnixStreamServer server = null;
        try {
            server = UnixStreamServer.bind(path, BACKLOG);
            int fd = server.fd();
            // jnr-posix is not loaded for this: it costs tens of milliseconds on the way to the first generation.
            Native.closeOnExec(fd);
            return new ListeningSocket(address, fd, ListeningSocket.fileIdentity(path), server);
        } catch (IOException e) {
            closeQuietly(server);
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
