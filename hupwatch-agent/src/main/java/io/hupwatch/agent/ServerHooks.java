package io.hupwatch.agent;

import java.lang.ref.WeakReference;
import java.util.List;
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
 * Also sets the system property {@code hupwatch.draining}, which the child API's
 * {@code Hupwatch.draining()} reads, so a server's own handler can do the same.
 */
public final class ServerHooks {
    private static final List<WeakReference<Object>> TOMCAT_ENDPOINTS = new CopyOnWriteArrayList<>();

    private ServerHooks() {
    }

    /** Called at the end of {@code org.apache.tomcat.util.net.AbstractEndpoint}'s constructor. */
    public static void tomcatEndpoint(Object endpoint) {
        TOMCAT_ENDPOINTS.add(new WeakReference<>(endpoint));
    }

    /**
     * A pause (the previous generation during a probation): as {@link #draining()}, and returns what undoes
     * it when the generation accepts again (Tomcat's keep-alive limit as it was, the property cleared).
     */
    static Runnable pausing() {
        java.util.Map<Object, Object> before = new java.util.IdentityHashMap<>();
        for (WeakReference<Object> ref : TOMCAT_ENDPOINTS) {
            Object endpoint = ref.get();
            try {
                if (endpoint != null) {
                    before.put(endpoint, endpoint.getClass().getMethod("getMaxKeepAliveRequests").invoke(endpoint));
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // this one is not restored; the drain path says why it cannot be changed either
            }
        }
        draining();
        return () -> {
            System.clearProperty("hupwatch.draining");
            before.forEach((endpoint, limit) -> {
                try {
                    endpoint.getClass().getMethod("setMaxKeepAliveRequests", int.class).invoke(endpoint, limit);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    AgentLog.info("cannot restore Tomcat's keep-alive limit (" + e + ")");
                }
            });
        };
    }

    /** The drain has begun: every known server answers its kept-alive connections with Connection: close. */
    static void draining() {
        System.setProperty("hupwatch.draining", "true");
        for (WeakReference<Object> ref : TOMCAT_ENDPOINTS) {
            Object endpoint = ref.get();
            if (endpoint == null) {
                continue;
            }
            try {
                endpoint.getClass().getMethod("setMaxKeepAliveRequests", int.class).invoke(endpoint, 1);
            } catch (ReflectiveOperationException | RuntimeException e) {
                AgentLog.info("cannot end Tomcat's kept-alive connections (" + e + "); the drain waits for them");
            }
        }
    }
}
