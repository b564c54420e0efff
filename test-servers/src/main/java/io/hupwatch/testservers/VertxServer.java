package io.hupwatch.testservers;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A plain Vert.x HTTP server (run on Vert.x 4.5 from target/vertx). Usage: {@code PORT}. */
public final class VertxServer {
    private VertxServer() {}

    public static void main(String[] args) throws Exception {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        Buffer body = Buffer.buffer(("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8));

        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> request.response().putHeader("content-type", "text/plain").end(body))
                .listen(Integer.parseInt(args[0]))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.err.println("vert.x " + io.vertx.core.impl.launcher.commands.VersionCommand.getVersion() + " generation "
                + generation + " pid " + pid + " listening on port " + server.actualPort());
    }
}
