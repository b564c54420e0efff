package io.hupwatch.agent;

import java.net.SocketAddress;

/**
 * Called from Netty's native transports ({@code io.netty.channel.unix.Socket}, also when shaded),
 * which bind through their own JNI code rather than the JDK's. Loaded by the system class loader,
 * which every application class loader delegates to. Fails soft: on any error Netty binds as usual.
 */
public final class NettyHooks {
    private static volatile Claims claims;

    private NettyHooks() {
    }

    static void install(Claims c) {
        claims = c;
    }

    /** True when the agent claimed the socket and Netty's own bind must be skipped. */
    public static boolean bind(int fd, SocketAddress address) {
        Claims c = claims;
        try {
            return c != null && c.bindNetty(fd, address);
        } catch (Throwable t) {
            return false;
        }
    }

    /** The backlog Netty's listen should use. */
    public static int backlog(int fd, int backlog) {
        Claims c = claims;
        try {
            return c == null ? backlog : c.backlog(fd, backlog);
        } catch (Throwable t) {
            return backlog;
        }
    }
}
