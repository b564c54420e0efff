package io.hupwatch.metrics;

import io.hupwatch.sockets.FilePlacement;
import io.hupwatch.sockets.RequestServer;
import io.hupwatch.sockets.SocketBinder;
import io.hupwatch.sockets.StaleSocketFile;
import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics ADDRESS}: serves {@code GET /metrics} over TCP or a unix socket (mode 0600), with the same
 * small HTTP/1.0 responder for both (one request per connection, then close), on one thread with bounded
 * cost ({@link RequestServer}): at most {@link #LIMITS} connections, 5 s for the request, 10 s for the
 * answer. A scrape is made on that thread. Nothing runs between scrapes.
 */
public final class MetricsServer implements AutoCloseable {
    /** A scraper or two, a person with curl: 16 open at once is plenty, and costs 16 fds and 128 KiB at most. */
    static final RequestServer.Limits LIMITS = new RequestServer.Limits(16, 8192, 5_000, 10_000);
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int BACKLOG = 256;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final BindAddress address;
    private final ServerSocketChannel server;
    private final HupwatchMetrics metrics;
    private final Supplier<MetricsState> present;
    private final RequestServer requests;

    private MetricsServer(BindAddress address, ServerSocketChannel server, HupwatchMetrics metrics,
            Supplier<MetricsState> present) throws IOException {
        this.address = address;
        this.server = server;
        this.metrics = metrics;
        this.present = present;
        this.requests = new RequestServer("metrics on " + display(), "hupwatch-metrics", server, LIMITS,
                new RequestServer.Handler() {
                    @Override
                    public boolean complete(String soFar) {
                        return soFar.contains("\r\n\r\n") || soFar.contains("\n\n");
                    }

                    @Override
                    public CompletableFuture<byte[]> answer(SocketChannel client, byte[] request, Executor here) {
                        return CompletableFuture.completedFuture(MetricsServer.this.answer(request));
                    }
                });
    }

    /**
     * @param present makes the present state for a scrape (on the serving thread; null when hupwatch
     *                cannot answer now)
     * @throws StartupException when the address cannot be bound (in use, no permission, ...)
     */
    public static MetricsServer open(BindAddress address, HupwatchMetrics metrics, Supplier<MetricsState> present) {
        try {
            ServerSocketChannel server;
            if (address.kind() == BindAddress.Kind.UNIX) {
                Path p = address.path();
                String misplaced = FilePlacement.problem(p, "metrics.sock");
                if (misplaced != null) {
                    throw new StartupException("--metrics " + address.display() + ": " + misplaced);
                }
                StaleSocketFile.clear(p, "another process answers there");
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(p));
                // as the control socket: the umask's mode for an instant, then only hupwatch's user
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            } else {
                InetSocketAddress at = new InetSocketAddress(address.host(), address.port());
                if (at.isUnresolved()) {
                    throw new StartupException("--metrics " + address.display() + ": cannot resolve host '"
                            + address.host() + "'" + SocketBinder.RESOLVE_ADVICE);
                }
                server = ServerSocketChannel.open();
                // a backlog that absorbs a burst of connections while the serving thread closes them
                server.bind(at, BACKLOG);
            }
            MetricsServer s = new MetricsServer(address, server, metrics, present);
            log.info("metrics on {}/metrics", s.display());
            return s;
        } catch (IOException e) {
            throw new StartupException("--metrics " + address.display() + ": cannot bind: " + e.getMessage());
        }
    }

    /** The address, with the port a bind to port 0 got. */
    public String display() {
        try {
            return server.getLocalAddress() instanceof InetSocketAddress a
                    ? address.withPort(a.getPort()).display() : address.display();
        } catch (IOException e) {
            return address.display();
        }
    }

    /** The answer to one request (HTTP/1.0, then close). */
    private byte[] answer(byte[] request) {
        String head = new String(request, StandardCharsets.ISO_8859_1);
        String[] requestLine = head.lines().findFirst().orElse("").split(" ");
        if (requestLine.length < 2 || !(requestLine[0].equals("GET") || requestLine[0].equals("HEAD"))) {
            return response("405 Method Not Allowed", TEXT, "use GET /metrics\n", true);
        }
        String target = requestLine[1];
        int query = target.indexOf('?');
        if (!(query < 0 ? target : target.substring(0, query)).equals("/metrics")) {
            return response("404 Not Found", TEXT, "hupwatch serves /metrics only\n", true);
        }
        MetricsState state = present.get();
        if (state == null) {
            return response("503 Service Unavailable", TEXT, "hupwatch is not answering now\n", true);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        try {
            metrics.write(state, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return response("200 OK", metrics.contentType(), body.toByteArray(), requestLine[0].equals("GET"));
    }

    private static byte[] response(String status, String type, String body, boolean withBody) {
        return response(status, type, body.getBytes(StandardCharsets.UTF_8), withBody);
    }

    private static byte[] response(String status, String type, byte[] body, boolean withBody) {
        String head = "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        if (withBody) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        requests.close();
        if (address.kind() == BindAddress.Kind.UNIX) {
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException e) {
                log.warn("cannot remove --metrics {}: {}", address.display(), e.getMessage());
            }
        }
    }
}
