package io.hupwatch.agent;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * The few public Netty HTTP/2 methods {@link Http2GoAway} calls, looked up by reflection once per
 * Netty copy (the application's own, or one shaded under another package, as in gRPC): methods are
 * taken from Netty's public types, never from the (often package-private) implementation classes.
 */
final class NettyApi {
    private static final String HANDLER = "io.netty.handler.codec.http2.Http2ConnectionHandler";

    private final Method handlerOfCtx;
    private final Method channel;
    private final Method isActive;
    private final Method isRemoved;
    private final Method executor;
    private final Method newPromise;
    private final Method flush;
    private final Method connection;
    private final Method isServer;
    private final Method goAwaySent;
    private final Method remote;
    private final Method lastStreamCreated;
    private final Method goAway;
    private final Method close;
    private final Object emptyBuffer;
    private final Method numActiveStreams;
    private final Method closeCtx;

    NettyApi(Class<?> handlerClass) {
        try {
            String prefix = handlerClass.getName().substring(0, handlerClass.getName().length() - HANDLER.length());
            ClassLoader loader = handlerClass.getClassLoader();
            Class<?> ctx = Class.forName(prefix + "io.netty.channel.ChannelHandlerContext", false, loader);
            Class<?> promise = Class.forName(prefix + "io.netty.channel.ChannelPromise", false, loader);
            Class<?> byteBuf = Class.forName(prefix + "io.netty.buffer.ByteBuf", false, loader);
            Class<?> conn = Class.forName(prefix + "io.netty.handler.codec.http2.Http2Connection", false, loader);
            Class<?> endpoint = Class.forName(prefix + "io.netty.handler.codec.http2.Http2Connection$Endpoint", false,
                    loader);
            handlerOfCtx = ctx.getMethod("handler");
            channel = ctx.getMethod("channel");
            isActive = channel.getReturnType().getMethod("isActive");
            isRemoved = ctx.getMethod("isRemoved");
            executor = ctx.getMethod("executor");
            newPromise = ctx.getMethod("newPromise");
            flush = ctx.getMethod("flush");
            connection = handlerClass.getMethod("connection");
            isServer = conn.getMethod("isServer");
            goAwaySent = conn.getMethod("goAwaySent");
            remote = conn.getMethod("remote");
            lastStreamCreated = endpoint.getMethod("lastStreamCreated");
            goAway = handlerClass.getMethod("goAway", ctx, int.class, long.class, byteBuf, promise);
            close = handlerClass.getMethod("close", ctx, promise);
            emptyBuffer = Class.forName(prefix + "io.netty.buffer.Unpooled", true, loader).getField("EMPTY_BUFFER")
                    .get(null);
            numActiveStreams = conn.getMethod("numActiveStreams");
            closeCtx = ctx.getMethod("close");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not a Netty HTTP/2 API this agent knows: " + e, e);
        }
    }

    /** {@code Http2ConnectionHandler} itself, from its class or a subclass of it. */
    static Class<?> http2HandlerClass(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().endsWith(HANDLER)) {
                return c;
            }
        }
        throw new IllegalStateException(type.getName() + " is not an " + HANDLER);
    }

    /** {@code ctx.handler()}, found through the context's public interface. */
    static Object handlerOf(Object ctx) throws ReflectiveOperationException {
        for (Class<?> i : ctx.getClass().getInterfaces()) {
            if (i.getName().endsWith("io.netty.channel.ChannelHandlerContext")) {
                return i.getMethod("handler").invoke(ctx);
            }
        }
        for (Class<?> c = ctx.getClass().getSuperclass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().endsWith("io.netty.channel.ChannelHandlerContext")) {
                    return i.getMethod("handler").invoke(ctx);
                }
            }
        }
        throw new IllegalStateException(ctx.getClass().getName() + " is not a ChannelHandlerContext");
    }

    boolean isOpenServerConnection(Object ctx, Object handler) throws ReflectiveOperationException {
        return handlerOfCtx.invoke(ctx) == handler && !(Boolean) isRemoved.invoke(ctx)
                && (Boolean) isActive.invoke(channel.invoke(ctx))
                && (Boolean) isServer.invoke(connection.invoke(handler));
    }

    Executor executor(Object ctx) throws ReflectiveOperationException {
        return (Executor) executor.invoke(ctx);
    }

    boolean goAwaySent(Object handler) throws ReflectiveOperationException {
        return (Boolean) goAwaySent.invoke(connection.invoke(handler));
    }

    int lastStreamCreated(Object handler) throws ReflectiveOperationException {
        return (Integer) lastStreamCreated.invoke(remote.invoke(connection.invoke(handler)));
    }

    /** {@code handler.goAway(ctx, lastStreamId, NO_ERROR, EMPTY_BUFFER, ctx.newPromise())}, flushed. */
    void goAway(Object ctx, Object handler, int lastStreamId) throws ReflectiveOperationException {
        goAway.invoke(handler, ctx, lastStreamId, 0L, emptyBuffer, newPromise.invoke(ctx));
        flush.invoke(ctx);
    }

    /** {@code handler.close(ctx, ctx.newPromise())}: the handler's own graceful close. */
    void close(Object ctx, Object handler) throws ReflectiveOperationException {
        close.invoke(handler, ctx, newPromise.invoke(ctx));
        flush.invoke(ctx);
    }

    int activeStreams(Object handler) throws ReflectiveOperationException {
        return (Integer) numActiveStreams.invoke(connection.invoke(handler));
    }

    /** {@code ctx.close()}: closes the channel from this handler on, past its own {@code close}. */
    void closeChannel(Object ctx) throws ReflectiveOperationException {
        closeCtx.invoke(ctx);
    }
}
