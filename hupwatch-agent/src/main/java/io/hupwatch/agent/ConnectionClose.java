package io.hupwatch.agent;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one on/off switch "answer every HTTP/1.1 response with {@code Connection: close}". While it is on,
 * each server the agent has a hook for ends a kept-alive connection after the response it is writing
 * (the client reads it, closes, and sends its next request on a new connection, which only another
 * generation accepts); idle connections are left alone. The drain turns it on; a pause may turn it on
 * and off again. Upgraded connections (status 101: WebSocket) and other 1xx answers are never touched.
 * <p>
 * The hooks (see {@link Http1Instrumenter}) call {@link #answer(int)} from the servers' own HTTP/1
 * encoders; the JDK HttpServer, which cannot see this class, reads the same switch in the agent's
 * class inside the JDK. Tomcat is switched through its public {@code maxKeepAliveRequests}.
 */
public final class ConnectionClose {
    private static volatile boolean on;
    /** {@code connectionClose}, the JDK-side copy of the switch, once the hook class is in the JDK. */
    private static volatile Field jdkSwitch;
    private static final Set<String> HOOKED = java.util.Collections.synchronizedSet(new TreeSet<>());
    private static volatile boolean toldUnhooked;
    private static volatile boolean accepts;

    private ConnectionClose() {
    }

    /** Called by a hooked server for each response it is about to write: true when it must say close. */
    public static boolean answer(int status) {
        return on && status >= 200;
    }

    /** Turns the switch on (every next response says {@code Connection: close}) or off again. */
    static void set(boolean value) {
        on = value;
        Field f = jdkSwitch;
        if (f != null) {
            try {
                f.setBoolean(null, value);
            } catch (IllegalAccessException | RuntimeException e) {
                AgentLog.info("cannot switch the JDK HttpServer's Connection: close (" + e + ")");
            }
        }
        ServerHooks.tomcatKeepAlive(!value);
        if (value && accepts && HOOKED.isEmpty() && !ServerHooks.hasTomcat() && !toldUnhooked) {
            toldUnhooked = true;
            AgentLog.info("no keep-alive hook for this server (none of the JDK HttpServer, Netty HTTP/1, Jetty,"
                    + " Undertow, Tomcat has answered here): kept-alive connections, if any, stay open until the"
                    + " grace ends, then its own shutdown closes them");
        }
    }

    /**
     * This JVM accepts on a held socket: only then is a missing hook worth a line (a launcher's or build
     * tool's JVM in the same generation serves nothing).
     */
    static void accepts() {
        accepts = true;
    }

    /** A server's HTTP/1 encoder was changed to call the switch. */
    static void hooked(String server) {
        HOOKED.add(server);
    }

    static Set<String> hooked() {
        synchronized (HOOKED) {
            return Set.copyOf(HOOKED);
        }
    }

    /** The agent's hook class inside the JDK, whose static {@code connectionClose} mirrors the switch. */
    static void jdkHooks(Class<?> hooks) throws ReflectiveOperationException {
        Field f = hooks.getField("connectionClose");
        f.setBoolean(null, on);
        jdkSwitch = f;
    }
}
