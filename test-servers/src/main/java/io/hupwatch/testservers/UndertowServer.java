package io.hupwatch.testservers;

import io.undertow.Undertow;
import io.undertow.util.Headers;

/** A plain Undertow 2.3 server, stopped by a shutdown hook. Usage: {@code PORT}. */
public final class UndertowServer {
    private UndertowServer() {}

    public static void main(String[] args) {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        String body = "generation " + generation + " pid " + pid + "\n";

        Undertow server = Undertow.builder()
                .addHttpListener(Integer.parseInt(args[0]), "0.0.0.0")
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseSender().send(body);
                })
                .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "undertow-stop"));
        System.err.println("undertow generation " + generation + " pid " + pid + " listening on "
                + server.getListenerInfo().get(0).getAddress());
    }
}
