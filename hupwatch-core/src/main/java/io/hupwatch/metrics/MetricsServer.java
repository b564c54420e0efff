package io.hupwatch.metrics;

import io.hupwatch.sockets.FilePlacement;
import io.hupwatch.sockets.SocketBinder;
import io.hupwatch.sockets.StaleSocketFile;
import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics ADDRESS}: serves {@code GET /metrics} over TCP or a unix socket, with the same
 * small HTTP/1.0 responder for both (one request per connection, then close). One thread waits in
 * accept; a scrape is answered on a thread of its own, so a slow client holds up nobody. Nothing runs
 * between scrapes.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final int MAX_HEAD = 8192;

    private final BindAddress address;
    private final ServerSocketChannel server;
    private final HupwatchMetrics metrics;
    private final Supplier<MetricsState> present;
    private volatile boolean closed;

    private MetricsServer(BindAddress address, ServerSocketChannel server, HupwatchMetrics metrics,
            Supplier<MetricsState> present) {
        this.address = address;
        this.server = server;
        this.metrics = metrics;
        this.present = present;
        Thread t = new Thread(this::acceptLoop, "hupwatch-metrics");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @param present makes the present state for a scrape (on the scraping thread; null when hupwatch
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
            } else {
                InetSocketAddress at = new InetSocketAddress(address.host(), address.port());
                if (at.isUnresolved()) {
                    throw new StartupException("--metrics " + address.display() + ": cannot resolve host '"
                            + address.host() + "'" + SocketBinder.RESOLVE_ADVICE);
                }
                server = ServerSocketChannel.open();
                server.bind(at);
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

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "hupwatch-metrics-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("metrics on {}: accept failed: {}", address.display(), e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            String head = readHead(c);
            String[] requestLine = head.lines().findFirst().orElse("").split(" ");
            if (requestLine.length < 2 || !(requestLine[0].equals("GET") || requestLine[0].equals("HEAD"))) {
                respond(c, "405 Method Not Allowed", "text/plain; charset=utf-8", "use GET /metrics\n".getBytes(
                        StandardCharsets.UTF_8), true);
                return;
            }
            String target = requestLine[1];
            int query = target.indexOf('?');
            if (!(query < 0 ? target : target.substring(0, query)).equals("/metrics")) {
                respond(c, "404 Not Found", "text/plain; charset=utf-8",
                        "hupwatch serves /metrics only\n".getBytes(StandardCharsets.UTF_8), true);
                return;
            }
            MetricsState state = present.get();
            if (state == null) {
                respond(c, "503 Service Unavailable", "text/plain; charset=utf-8",
                        "hupwatch is not answering now\n".getBytes(StandardCharsets.UTF_8), true);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
            metrics.write(state, body);
            respond(c, "200 OK", metrics.contentType(), body.toByteArray(), requestLine[0].equals("GET"));
        } catch (IOException | RuntimeException e) {
            log.debug("metrics client: {}", e.toString());
        }
    }

    /** The request line and headers, up to the blank line (or what came before the client stopped sending). */
    private static String readHead(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_HEAD);
        while (buf.hasRemaining() && c.read(buf) >= 0) {
            String s = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            if (s.contains("\r\n\r\n") || s.contains("\n\n")) {
                break;
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
    }

    private static void respond(SocketChannel c, String status, String type, byte[] body, boolean withBody)
            throws IOException {
        String head = "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        while (out.hasRemaining()) {
            c.write(out);
        }
        if (withBody) {
            ByteBuffer b = ByteBuffer.wrap(body);
            while (b.hasRemaining()) {
                c.write(b);
            }
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
        if (address.kind() == BindAddress.Kind.UNIX) {
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException e) {
                log.warn("cannot remove --metrics {}: {}", address.display(), e.getMessage());
            }
        }
    }
}
