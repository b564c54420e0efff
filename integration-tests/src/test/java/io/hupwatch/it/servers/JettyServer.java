package io.hupwatch.it.servers;

import io.hupwatch.Hupwatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The README's Jetty 12 recipe, as a test server: it answers "generation N pid P" and drains in
 * two phases (stop accepting, a short grace, then stop).
 *
 * <p>{@code JettyServer stdin}: serves the socket on fd 0 ({@code --pass stdin}).
 * {@code JettyServer handoff NAME}: receives socket NAME through the child API ({@code --pass handoff}).
 */
public final class JettyServer {
    private JettyServer() {
    }

    public static void main(String[] args) throws Exception {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        Hupwatch hupwatch = null;
        String body = "generation " + generation + " pid " + ProcessHandle.current().pid() + "\n";

        Server server = new Server(new QueuedThreadPool(32, 4));
        ServerConnector connector = new ServerConnector(server, 1, 1);
        if (args[0].equals("stdin")) {
            connector.setInheritChannel(true);
        } else {
            hupwatch = Hupwatch.connect();
            connector.open(hupwatch.serverSocketChannel(args[1]));
            hupwatch.onWrapperGone(() -> {
                System.err.println("hupwatch is gone; stopping");
                System.exit(1);
            });
        }
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                if (Hupwatch.draining()) {
                    // the README's recipe: kept-alive connections end after this response while draining
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.setStopTimeout(10_000);
        Hupwatch.drainOnShutdown(() -> connector.setAccepting(false), Duration.ofMillis(500), () -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        server.start();
        if (hupwatch != null) {
            hupwatch.status("jetty started");
            hupwatch.ready(); // with --ready notify, the swap goes ahead now
        }
        System.err.println("jetty generation " + generation + " serving");
        server.join();
    }
}
