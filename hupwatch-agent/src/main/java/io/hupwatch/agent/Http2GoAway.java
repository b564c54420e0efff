package io.hupwatch.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 at the drain: every server-side HTTP/2 connection of Netty (h2c, h2, gRPC on
 * {@code grpc-netty} or {@code grpc-netty-shaded}) gets a GOAWAY as soon as this JVM has stopped
 * accepting, so its clients open their next streams on a new connection, which the shared socket
 * gives to the next generation; the streams in flight complete. Two-phase, as RFC 9113 section 6.8
 * suggests: first last-stream-id 2^31-1 (no stream is refused while the client learns of it), then,
 * {@value #SECOND_GOAWAY_DELAY_MS} ms later, the real last stream id; the connection is closed once its
 * last stream has ended (not through Netty's own graceful {@code close}, which ended a stream in flight
 * on an {@code Http2FrameCodec} here). gRPC's {@code NettyServerHandler} has the two phases built in
 * (with a PING for the round trip), so for it the agent calls that: its {@code close}.
 *
 * <p>Connections are noted by {@link Http2Advice} as Netty sets them up (weakly: a closed connection's
 * context is collected as usual). Everything here runs on the connection's own event loop, through
 * Netty's public API found by reflection (its package may be shaded). A GOAWAY cannot be undone:
 * clients simply reconnect to whichever generation accepts.
 */
public final class Http2GoAway {
    static final long SECOND_GOAWAY_DELAY_MS = 200;
    private static final long CLOSE_POLL_MS = 20;
    private static final String GRPC_HANDLER = "io.grpc.netty.NettyServerHandler";
    private static final Set<Object> CONTEXTS = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));
    private static final Map<Class<?>, NettyApi> APIS = new ConcurrentHashMap<>();
    private static final int NOT_OPEN = 0;
    private static final int HTTP2 = 1;
    private static final int GRPC = 2;
    /** Set once the drain has sent its GOAWAYs: connections set up from then on get theirs at once. */
    private static volatile boolean draining;

    private Http2GoAway() {
    }

    /** Called by Netty's {@code Http2ConnectionHandler.handlerAdded}: the connection's handler context. */
    public static void connection(Object ctx) {
        // its connections are ended by the GOAWAY: the drain has a hook for this server
        ConnectionClose.hooked("Netty HTTP/2");
        if (draining) {
            goAwayOnLateConnection(ctx);
        } else {
            CONTEXTS.add(ctx);
        }
    }

    /** A paused generation accepts again (a probation rolled back): new connections are kept, not sent away. */
    static void resumed() {
        draining = false;
    }

    /**
     * A connection whose HTTP/2 handler joined after the drain began: with h2 over TLS the handler is
     * added once the handshake has picked h2 (ALPN), which may end after the GOAWAYs went out. It gets
     * its own, queued on its event loop, so it runs after {@code handlerAdded} has set the connection up.
     */
    private static void goAwayOnLateConnection(Object ctx) {
        try {
            if (startGoAway(ctx) != NOT_OPEN) {
                AgentLog.info("sent GOAWAY on an HTTP/2 connection set up during the drain");
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            AgentLog.info("cannot send GOAWAY on an HTTP/2 connection (" + e + "); it closes with the server");
        }
    }

    /**
     * The drain's entry point: starts the GOAWAY on every open server-side HTTP/2 connection (on their
     * event loops; returns at once) and logs how many.
     *
     * @return the number of connections told to go away
     */
    static int sendOnEveryConnection() {
        draining = true;
        List<Object> contexts;
        synchronized (CONTEXTS) {
            contexts = new ArrayList<>(CONTEXTS);
            // each is told once (a pause, then the drain): a GOAWAY's last stream id must never grow
            CONTEXTS.clear();
        }
        int sent = 0;
        int grpc = 0;
        for (Object ctx : contexts) {
            try {
                int kind = startGoAway(ctx);
                sent += kind == NOT_OPEN ? 0 : 1;
                grpc += kind == GRPC ? 1 : 0;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                AgentLog.info("cannot send GOAWAY on an HTTP/2 connection (" + e + "); it closes with the server");
            }
        }
        if (sent > 0) {
            AgentLog.info("sent GOAWAY on " + sent + " HTTP/2 connection(s)" + (grpc > 0 ? " (" + grpc + " gRPC)" : "")
                    + ": their clients move to the next generation, streams in flight complete");
        }
        return sent;
    }

    /**
     * Queues the GOAWAY on the connection's event loop if it is an open server-side one.
     *
     * @return {@link #NOT_OPEN}, {@link #HTTP2} or {@link #GRPC} (gRPC's own graceful close)
     */
    private static int startGoAway(Object ctx) throws ReflectiveOperationException {
        Object handler = NettyApi.handlerOf(ctx);
        NettyApi api = APIS.computeIfAbsent(NettyApi.http2HandlerClass(handler.getClass()), NettyApi::new);
        if (!api.isOpenServerConnection(ctx, handler)) {
            return NOT_OPEN;
        }
        boolean ownGraceful = isGrpc(handler.getClass());
        api.executor(ctx).execute(() -> firstGoAway(api, ctx, handler, ownGraceful));
        return ownGraceful ? GRPC : HTTP2;
    }

    private static boolean isGrpc(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().endsWith(GRPC_HANDLER)) {
                return true;
            }
        }
        return false;
    }

    /** On the event loop. gRPC: its own graceful close (both GOAWAYs, PING-timed). Else phase one. */
    private static void firstGoAway(NettyApi api, Object ctx, Object handler, boolean ownGraceful) {
        try {
            if (ownGraceful) {
                api.close(ctx, handler);
                return;
            }
            if (api.goAwaySent(handler)) {
                return; // the server's own shutdown has begun
            }
            api.goAway(ctx, handler, Integer.MAX_VALUE);
            ((ScheduledExecutorService) api.executor(ctx)).schedule(() -> secondGoAway(api, ctx, handler),
                    SECOND_GOAWAY_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            AgentLog.info("GOAWAY failed on an HTTP/2 connection (" + e + "); it closes with the server");
        }
    }

    /** Phase two: the real last stream id; the connection closes once no stream is active. */
    private static void secondGoAway(NettyApi api, Object ctx, Object handler) {
        try {
            if (!api.isOpenServerConnection(ctx, handler)) {
                return;
            }
            api.goAway(ctx, handler, api.lastStreamCreated(handler));
            closeWhenIdle(api, ctx, handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            AgentLog.info("second GOAWAY failed on an HTTP/2 connection (" + e + "); it closes with the server");
        }
    }

    /** Closes the connection (past the HTTP/2 handler) once its last stream has ended; looks again every 20 ms. */
    private static void closeWhenIdle(NettyApi api, Object ctx, Object handler) throws ReflectiveOperationException {
        if (!api.isOpenServerConnection(ctx, handler)) {
            return;
        }
        if (api.activeStreams(handler) == 0) {
            api.closeChannel(ctx);
            return;
        }
        ((ScheduledExecutorService) api.executor(ctx)).schedule(() -> {
            try {
                closeWhenIdle(api, ctx, handler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                AgentLog.info("cannot close a drained HTTP/2 connection (" + e + "); it closes with the server");
            }
        }, CLOSE_POLL_MS, TimeUnit.MILLISECONDS);
    }
}
