package io.hupwatch.testservers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A plain JDK {@link HttpServer}. Usage: {@code PORT [--host HOST] [--extra-port P] [--fail-after-ms N] [--restart-after-ms N]}
 * ({@code --restart-after-ms}: stops the server after N ms and starts it again on the same address, as a
 * connector restart does).
 * No shutdown handling of its own: SIGTERM ends the JVM the default way.
 */
public final class JdkHttpServer {
    private JdkHttpServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String host = null;
        Integer extraPort = null;
        long failAfterMs = -1;
        long restartAfterMs = -1;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--extra-port" -> extraPort = Integer.parseInt(args[i + 1]);
                case "--fail-after-ms" -> failAfterMs = Long.parseLong(args[i + 1]);
                case "--restart-after-ms" -> restartAfterMs = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        if (failAfterMs >= 0) {
            Thread.sleep(failAfterMs);
            System.err.println("jdk-http generation " + generation + " pid " + pid + " failing to start");
            System.exit(3);
        }
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);
        HttpServer server = start(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), body);
        HttpServer extra = extraPort == null ? null : start(new InetSocketAddress(extraPort), body);
        String listening = describe(server.getAddress()) + (extra == null ? "" : " and " + describe(extra.getAddress()));
        System.err.println("jdk-http generation " + generation + " pid " + pid + " listening on " + listening);
        if (restartAfterMs >= 0) {
            Thread.sleep(restartAfterMs);
            InetSocketAddress address = server.getAddress();
            server.stop(0);
            start(address, body);
            System.err.println("jdk-http generation " + generation + " pid " + pid + " restarted on " + describe(address));
        }
    }

    private static HttpServer start(InetSocketAddress address, byte[] body) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/", exchange -> answer(exchange, body));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        if ("close".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Connection"))) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
