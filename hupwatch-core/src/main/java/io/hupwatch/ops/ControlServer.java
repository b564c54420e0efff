package io.hupwatch.ops;

import io.hupwatch.sockets.FilePlacement;
import io.hupwatch.sockets.StaleSocketFile;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.ReloadOutcome;
import io.hupwatch.supervisor.StartupException;
import io.hupwatch.supervisor.StatusReport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
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
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final Path path;
    private final ServerSocketChannel server;
    private final EventSink sink;
    private final UnaryOperator<StatusReport> completion;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, EventSink sink, UnaryOperator<StatusReport> completion) {
        this.path = path;
        this.server = server;
        this.sink = sink;
        this.completion = completion;
        Thread t = new Thread(this::acceptLoop, "hupwatch-control");
        t.setDaemon(true);
        t.start();
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

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "hupwatch-control-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control socket {}: accept failed: {}", path, e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            // The request is read first even from a client about to be refused: closing with unread
            // data would reset the connection, and the client would not learn why.
            String request = readLine(c);
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            String them = peer.user().getName();
            if (!them.equals(me) && !them.equals("root")) {
                String allowed = me.equals("root") ? "root" : me + " or root";
                log.warn("control socket {}: refused a client of user {} (only {} may use it)", path, them, allowed);
                write(c, "denied only " + allowed + " may control this hupwatch");
                return;
            }
            switch (request) {
                case "reload", "rollback" -> {
                    CompletableFuture<ReloadOutcome> outcome = new CompletableFuture<>();
                    sink.post(request.equals("reload") ? new Event.ReloadRequested(outcome::complete)
                            : new Event.RollbackRequested(outcome::complete));
                    ReloadOutcome o = outcome.join();
                    write(c, o.ok() ? "ok " + o.generation() + " " + o.pid() : "failed " + o.reason());
                }
                case "status", "status json" -> {
                    CompletableFuture<StatusReport> report = new CompletableFuture<>();
                    sink.post(new Event.StatusRequested(report::complete));
                    StatusReport r = completion.apply(report.join());
                    write(c, request.equals("status") ? r.toText().stripTrailing() : r.toJson());
                }
                default -> write(c, "failed unknown request '" + request + "': use reload, rollback or status");
            }
        } catch (IOException | RuntimeException e) {
            log.debug("control client: {}", e.toString());
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(256);
        while (buf.hasRemaining()) {
            if (c.read(buf) < 0) {
                break;
            }
            if (new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).contains("\n")) {
                break;
            }
        }
        String s = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).trim();
    }

    private static void write(SocketChannel c, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // exiting
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("cannot remove --control {}: {}", path, e.getMessage());
        }
    }
}
