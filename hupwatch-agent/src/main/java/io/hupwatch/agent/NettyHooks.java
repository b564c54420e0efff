package io.hupwatch.agent;

import java.net.SocketAddress;

/**
 * Called from Netty's native transports ({@code io.netty.channel.unix.Socket}, also when shaded),
 * which bind through their own JNI code rather than the JDK's. Reached by reflection through the system
 * class loader ({@link NettyReach}), so Netty's own class loader need not see it. Fails soft: on any
 * error Netty binds as usual.
 */
public final class NettyHooks {
    private static volatile Claims claims;
    /** How often Netty's changed code reached this class. */
    static final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    private NettyHooks() {
    }

    static void install(Claims c) {
        claims = c;
    }

    /**
     * The one entry point the changed Netty code calls: {@code {"bind", fd, address}} answers whether the
     * agent claimed the socket, {@code {"listen", fd, backlog}} the backlog to use.
     */
    public static Object call(Object[] args) {
        calls.incrementAndGet();
        int fd = (Integer) args[1];
        if (args.length > 3 && notServed((String) args[3])) {
            return args[0].equals("listen") ? args[2] : Boolean.FALSE;
        }
        return args[0].equals("listen") ? (Object) backlog(fd, (Integer) args[2]) : (Object) bind(fd, (SocketAddress) args[2]);
    }

    /**
     * Netty's io_uring transport accepts through requests queued in the kernel, which hold the socket
     * itself: neither the readiness watch (it looks for epoll sets and threads in accept) nor the drain
     * (it points the fd elsewhere) reaches them. Its sockets are left to the server, as without the agent.
     */
    static boolean notServed(String socketClass) {
        if (!socketClass.contains(".uring.")) {
            return false;
        }
        if (!toldUring) {
            toldUring = true;
            AgentLog.info("does not serve Netty's io_uring transport: the server binds its own ports, as without"
                    + " hupwatch's agent (no shared socket, readiness after the warm-up); use Netty's epoll or NIO"
                    + " transport for zero-downtime swaps");
        }
        return true;
    }

    private static volatile boolean toldUring;

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
