package io.hupwatch.testservers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** A plain Jetty 12 server with one {@link ServerConnector}. Usage: {@code PORT}. */
public final class JettyPlainServer {
    private JettyPlainServer() {}

    public static void main(String[] args) throws Exception {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.setStopAtShutdown(true);
        server.start();
        System.err.println("jetty generation " + generation + " pid " + pid + " listening on "
                + (connector.getHost() == null ? "0.0.0.0" : connector.getHost()) + ":" + connector.getLocalPort());
        server.join();
    }
}
