package io.hupwatch.ops;

import io.hupwatch.sockets.FilePlacement;
import io.hupwatch.sockets.RequestServer;
import io.hupwatch.sockets.StaleSocketFile;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.ReloadOutcome;
import io.hupwatch.supervisor.StartupException;
import io.hupwatch.supervisor.StatusReport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --control PATH}: a unix stream socket (mode 0600) for {@code hupwatch reload} and
 * {@code hupwatch status}. Peers of another user are refused (root excepted). One request per
 * connection, a line in: {@code reload} answers {@code ok GENERATION PID} or {@code failed REASON}
 * ({@code denied REASON} to a client of another user)
 * once the reload is decided; {@code rollback} (during a probation) answers {@code ok GENERATION PID}
 * of the generation serving again, or {@code failed REASON}; {@code status} answers text for people and {@code status json} one
 * line of JSON, and the connection then closes.
 */
public final class ControlServer implements AutoCloseable {
    /**
     * Reloads, rollbacks and status polls of scripts and people: 32 at once is plenty (a reload's connection
     * stays open until the reload is decided); 5 s for the request line, 10 s for the answer.
     */
    static final RequestServer.Limits LIMITS = new RequestServer.Limits(32, 256, 5_000, 10_000);
    /** The event loop answers status at once; not in this time, it is exiting (and the client gets end-of-file). */
    private static final long STATUS_SECONDS = 5;
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final Path path;
    private final EventSink sink;
    private final UnaryOperator<StatusReport> completion;
    private final RequestServer requests;

    private ControlServer(Path path, ServerSocketChannel server, EventSink sink, UnaryOperator<StatusReport> completion)
            throws IOException {
        this.path = path;
        this.sink = sink;
        this.completion = completion;
        this.requests = new RequestServer("control socket " + path, "hupwatch-control", server, LIMITS,
                new RequestServer.Handler() {
                    @Override
                    public boolean complete(String soFar) {
                        return soFar.contains("\n");
                    }

                    @Override
                    public CompletableFuture<byte[]> answer(SocketChannel client, byte[] request, Executor here)
                            throws IOException {
                        return ControlServer.this.answer(client, request, here)
                                .thenApply(line -> (line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                });
    }

    /** @throws StartupException when another hupwatch answers there, or the path cannot be bound */
    public static ControlServer open(Path path, EventSink sink) {
        return open(path, sink, UnaryOperator.identity());
    }

    /**
     * @param completion adds to the event loop's report what is read from the kernel on this thread
     *                   (each generation's connections)
     * @throws StartupException when another hupwatch answers there, or the path cannot be bound
     */
    public static ControlServer open(Path path, EventSink sink, UnaryOperator<StatusReport> completion) {
        Path p = path.toAbsolutePath();
        String misplaced = FilePlacement.problem(p, "hupwatch.sock");
        if (misplaced != null) {
            throw new StartupException("--control " + path + ": " + misplaced);
        }
        try {
            StaleSocketFile.clear(p, "another hupwatch answers there");
        } catch (IOException e) {
            throw new StartupException("--control " + path + ": " + e.getMessage());
        }
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(p));
            // Bound with the umask's mode for an instant; peers of another user are refused anyway.
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            return new ControlServer(p, server, sink, completion);
        } catch (IOException e) {
            throw new StartupException("--control " + path + ": cannot bind: " + e.getMessage());
        }
    }

    /** The answer line to {@code request}, once hupwatch has decided (a reload: when the new generation is ready or failed). */
    private CompletableFuture<String> answer(SocketChannel c, byte[] bytes, Executor here) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String request = (nl >= 0 ? text.substring(0, nl) : text).trim();
        // The request is read first even from a client about to be refused: closing with unread
        // data would reset the connection, and the client would not learn why.
        UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String me = System.getProperty("user.name");
        String them = peer.user().getName();
        if (!them.equals(me) && !them.equals("root")) {
            String allowed = me.equals("root") ? "root" : me + " or root";
            log.warn("control socket {}: refused a client of user {} (only {} may use it)", path, them, allowed);
            return CompletableFuture.completedFuture("denied only " + allowed + " may control this hupwatch");
        }
        switch (request) {
            case "reload", "rollback" -> {
                CompletableFuture<ReloadOutcome> outcome = new CompletableFuture<>();
                sink.post(request.equals("reload") ? new Event.ReloadRequested(outcome::complete)
                        : new Event.RollbackRequested(outcome::complete));
                return outcome.thenApply(o -> o.ok() ? "ok " + o.generation() + " " + o.pid() : "failed " + o.reason());
            }
            case "status", "status json" -> {
                CompletableFuture<StatusReport> report = new CompletableFuture<>();
                sink.post(new Event.StatusRequested(report::complete));
                // the kernel's part is read on the server's thread, not the event loop's
                return report.orTimeout(STATUS_SECONDS, TimeUnit.SECONDS).thenApplyAsync(r -> {
                    StatusReport full = completion.apply(r);
                    return request.equals("status") ? full.toText().stripTrailing() : full.toJson();
                }, here);
            }
            default -> {
                return CompletableFuture.completedFuture(
                        "failed unknown request '" + request + "': use reload, rollback or status");
            }
        }
    }

    @Override
    public void close() {
        requests.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("cannot remove --control {}: {}", path, e.getMessage());
        }
    }
}
