package io.hupwatch.sockets;

import io.hupwatch.os.PidFds;
import io.hupwatch.os.SocketIdentity;
import io.hupwatch.os.UnixSocketFile;
import io.hupwatch.supervisor.BindAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * hupwatch's own check of a socket a generation offers to hand over: the kernel, not the sender, says
 * what it is. It must be a listening stream socket bound to the offered address ({@code getsockname});
 * for a unix socket, the path must be that socket's file (hupwatch will put it back and delete it at
 * exit, so it never does so on a descendant's word alone).
 */
final class OfferCheck {
    private OfferCheck() {
    }

    /** @return null when {@code fd} is what was offered, else why not (for the log) */
    static String wrong(int fd, BindAddress offered) {
        if (!PidFds.isListeningStream(fd)) {
            return "it is not a listening stream socket";
        }
        Object local = SocketIdentity.localAddress(fd);
        if (offered.kind() == BindAddress.Kind.UNIX) {
            if (!offered.path().toString().equals(local)) {
                return "it is bound to " + (local == null ? "no path" : local);
            }
            if (!UnixSocketFile.isFileOf(fd, offered.path())) {
                return "the file at " + offered.path() + " is not that socket's (or the kernel cannot say so)";
            }
            return null;
        }
        if (!(local instanceof InetSocketAddress isa) || isa.getPort() != offered.port()
                || !sameHost(isa.getAddress(), literal(offered.host()))) {
            return "it is bound to " + (local == null ? "no TCP address" : local);
        }
        return null;
    }

    /**
     * The JDK binds an IPv4 address on a dual-stack IPv6 socket as its IPv6 form: {@code 0.0.0.0} as
     * {@code ::}, {@code a.b.c.d} as {@code ::ffff:a.b.c.d}.
     */
    private static boolean sameHost(InetAddress bound, InetAddress offered) {
        if (offered == null) {
            return false;
        }
        if (bound.equals(offered)) {
            return true;
        }
        if (offered instanceof Inet4Address && bound instanceof Inet6Address) {
            if (offered.isAnyLocalAddress()) {
                return bound.isAnyLocalAddress();
            }
            byte[] b = bound.getAddress();
            byte[] o = offered.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff && b[12] == o[0] && b[13] == o[1] && b[14] == o[2]
                    && b[15] == o[3];
        }
        return false;
    }

    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
