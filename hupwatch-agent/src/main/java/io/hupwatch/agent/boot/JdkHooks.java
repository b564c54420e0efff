package io.hupwatch.agent.boot;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The agent's entry points inside the JDK. This class is not loaded from here: the agent defines a
 * renamed copy of it in {@code java.base} ({@code sun.nio.ch.HupwatchHooks}), where the JDK's socket
 * code can call it. It knows only JDK types; the agent plugs its logic in through {@link #handler}.
 * Every method falls back to the JDK's own behaviour if the agent fails.
 */
public final class JdkHooks {
    /** Set once by the agent: takes {op, args...}, returns the op's answer. */
    public static volatile Function<Object[], Object> handler;

    /** The JDK HttpServer's copy of the agent's Connection: close switch (it cannot see the agent's classes). */
    public static volatile boolean connectionClose;

    private JdkHooks() {
    }

    /** Before the JDK HttpServer sends a response head: true when it must say {@code Connection: close}. */
    public static boolean connectionClose(int status) {
        return connectionClose && status >= 200;
    }

    /** Before {@code Net.bind}: true when the agent claimed the socket (the real bind is skipped). */
    public static boolean bind(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) {
        return call(new Object[] {"bind", fd, address, port}) == Boolean.TRUE;
    }

    /** Before {@code UnixDomainSockets.bind}: true when the agent claimed the socket. */
    public static boolean bindUnix(FileDescriptor fd, Path path) {
        return call(new Object[] {"bindUnix", fd, path}) == Boolean.TRUE;
    }

    /** The backlog to pass to {@code listen}: a claimed socket keeps hupwatch's. */
    public static int listen(FileDescriptor fd, int backlog) {
        Object r = call(new Object[] {"listen", fd, backlog});
        return r instanceof Integer i ? i : backlog;
    }

    /** The blocking mode to set: a shared socket stays non-blocking for every holder. */
    public static boolean blocking(FileDescriptor fd, boolean block) {
        if (!block) {
            return false;
        }
        Object r = call(new Object[] {"blocking", fd, Boolean.TRUE});
        return r instanceof Boolean b ? b : block;
    }

    /** Before a file is deleted: true to keep it (hupwatch's socket file), and report it deleted. */
    public static boolean keepFile(Path path) {
        return call(new Object[] {"keepFile", path}) == Boolean.TRUE;
    }

    private static Object call(Object[] args) {
        Function<Object[], Object> h = handler;
        if (h == null) {
            return null;
        }
        try {
            return h.apply(args);
        } catch (Throwable t) {
            return null;
        }
    }
}
