package io.hupwatch.testservers.jetty11;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;

/** A plain Jetty 11 server with one {@link ServerConnector}. Usage: {@code PORT}. */
public final class Jetty11Server {
    private Jetty11Server() {}

    public static void main(String[] args) throws Exception {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        server.setHandler(new AbstractHandler() {
            @Override
            public void handle(String target, Request baseRequest, HttpServletRequest request,
                    HttpServletResponse response) throws IOException {
                response.setStatus(200);
                response.setContentType("text/plain");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                baseRequest.setHandled(true);
            }
        });
        server.setStopAtShutdown(true);
        server.start();
        System.err.println("jetty " + Server.getVersion() + " generation " + generation + " pid " + pid
                + " listening on port " + connector.getLocalPort());
        server.join();
    }
}
