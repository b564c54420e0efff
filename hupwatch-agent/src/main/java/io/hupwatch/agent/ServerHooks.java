package io.hupwatch.agent;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keep-alive during a drain, for servers that have a public knob for it. Server objects are noted
 * as they are made (a call at the end of their constructor); when the drain starts, each is told to
 * end kept-alive connections after their next response ({@code Connection: close}), so clients
 * move to the next generation on their next request instead of finding their connection closed
 * under them. One small method per server:
 * <ul>
 *   <li>Tomcat (Spring Boot's embedded one too): {@code AbstractEndpoint.setMaxKeepAliveRequests(1)}.</li>
 * </ul>
 * The other servers are hooked in their HTTP/1 encoders ({@link ConnectionClose}).
 * Also sets the system property {@code hupwatch.draining}, which the child API's
 * {@code Hupwatch.draining()} reads, so a server's own handler can do the same.
 */
public final class ServerHooks {
    private static final List<WeakReference<Object>> TOMCAT_ENDPOINTS = new CopyOnWriteArrayList<>();
    /** Each Tomcat endpoint's own maxKeepAliveRequests, while the switch has it at 1. */
    private static final Map<Object, Integer> TOMCAT_BEFORE = java.util.Collections.synchronizedMap(new WeakHashMap<>());
    /** Whether the drain has begun (guarded by this class): nothing turns keep-alive on again after it. */
    private static boolean drainBegun;

    private ServerHooks() {
    }

    /** Called at the end of {@code org.apache.tomcat.util.net.AbstractEndpoint}'s constructor. */
    public static void tomcatEndpoint(Object endpoint) {
        TOMCAT_ENDPOINTS.add(new WeakReference<>(endpoint));
    }

    /**
     * A pause (the previous generation during a probation): as {@link #draining()}, with a GOAWAY on every
     * HTTP/2 connection (which nothing undoes: its clients reconnect), and returns what undoes
     * it when the generation accepts again (the {@link ConnectionClose} switch off, the property cleared).
     */
    static Runnable pausing() {
        synchronized (ServerHooks.class) {
            closeKeptAlive();
        }
        // HTTP/2 clients reconnect, to whichever generation accepts: the new one, or this one if it resumes
        Http2GoAway.sendOnEveryConnection();
        return () -> {
            synchronized (ServerHooks.class) {
                if (drainBegun) {
                    return; // a drain began meanwhile: Connection: close and GOAWAY stay on
                }
                System.clearProperty("hupwatch.draining");
                ConnectionClose.set(false);
                Http2GoAway.resumed();
            }
        };
    }

    /**
     * The drain has begun: every known server answers its kept-alive connections with Connection: close,
     * for good (what a pause's end undoes is left alone from now on).
     */
    static synchronized void draining() {
        drainBegun = true;
        closeKeptAlive();
    }

    private static void closeKeptAlive() {
        System.setProperty("hupwatch.draining", "true");
        ConnectionClose.set(true);
    }

    static boolean hasTomcat() {
        return !TOMCAT_ENDPOINTS.isEmpty();
    }

    /**
     * Tomcat's part of {@link ConnectionClose}: {@code maxKeepAliveRequests} 1 (its next response closes),
     * or, to keep connections alive again, the value each endpoint had before.
     */
    static void tomcatKeepAlive(boolean keep) {
        for (WeakReference<Object> ref : TOMCAT_ENDPOINTS) {
            Object endpoint = ref.get();
            if (endpoint == null) {
                continue;
            }
            try {
                int value = 1;
                if (keep) {
                    Integer before = TOMCAT_BEFORE.remove(endpoint);
                    if (before == null) {
                        continue; // never switched
                    }
                    value = before;
                } else {
                    int now = (Integer) endpoint.getClass().getMethod("getMaxKeepAliveRequests").invoke(endpoint);
                    TOMCAT_BEFORE.putIfAbsent(endpoint, now);
                }
                endpoint.getClass().getMethod("setMaxKeepAliveRequests", int.class).invoke(endpoint, value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                AgentLog.info("cannot end Tomcat's kept-alive connections (" + e + "); the drain waits for them");
            }
        }
    }
}
