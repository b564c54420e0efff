package io.hupwatch.sockets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a one-request-per-connection protocol (the control socket, {@code /metrics}) with bounded cost,
 * whatever its clients do: one thread and a selector, at most {@link Limits#connections} connections open
 * (one more is closed at once), a deadline for the request to arrive whole and one for the answer to be
 * taken, and an accept that fails (EMFILE, ENFILE, ENOBUFS) is said once and retried every second: the
 * listener never stops.
 *
 * <p>Why one selector thread rather than a pool: a pool bounds threads but each idle client still holds a
 * thread until its deadline, so a handful of slow clients starve the good ones; a selector waits for any
 * number of them at the cost of one fd each (capped), and its thread only works when bytes arrive. The
 * answer is made by the handler on this thread or, when hupwatch must wait for it (a reload), completes
 * later from any thread and is written from here.
 */
public final class RequestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final long ACCEPT_RETRY_NANOS = 1_000_000_000L;
    private static final long FULL_LOG_NANOS = 60_000_000_000L;

    /**
     * @param connections   open connections at most; a connection beyond them is closed at once
     * @param requestBytes  the longest request; a longer one is answered with what came
     * @param readMillis    from the accept, the time the whole request may take to arrive
     * @param writeMillis   from the answer, the time the client may take to read it
     */
    public record Limits(int connections, int requestBytes, long readMillis, long writeMillis) {
    }

    /** What the protocol does with a request. */
    public interface Handler {
        /** Whether {@code soFar} (all the bytes received, Latin-1) is a whole request. */
        boolean complete(String soFar);

        /**
         * The answer to {@code request} (the bytes received, also when the client stopped sending first);
         * completed here or later from any thread. A failed answer closes the connection without one.
         *
         * @param here runs a task on this server's thread (to finish an answer without holding another thread)
         */
        CompletableFuture<byte[]> answer(SocketChannel client, byte[] request, Executor here) throws IOException;
    }

    /** One connection: the request coming in, then the answer going out. */
    private static final class Exchange {
        final SocketChannel channel;
        final ByteBuffer request;
        ByteBuffer answer;
        /** System.nanoTime() by which the current phase must end; MAX_VALUE while hupwatch makes the answer. */
        long deadline;

        Exchange(SocketChannel channel, int requestBytes, long deadline) {
            this.channel = channel;
            this.request = ByteBuffer.allocate(requestBytes);
            this.deadline = deadline;
        }
    }

    private final String name;
    private final ServerSocketChannel server;
    private final Limits limits;
    private final Handler handler;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final List<Exchange> open = new ArrayList<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private long acceptRetryAt;
    private boolean acceptFailing;
    /** Connections closed at once since the last line that said so, and when that was (nanoTime). */
    private long turnedAway;
    private long turnedAwaySaidAt;
    private volatile boolean closed;

    /**
     * Starts serving on {@code server} (bound) on a daemon thread named {@code thread}.
     *
     * @param name names the listener in log lines ("metrics on tcp:...:9464")
     */
    public RequestServer(String name, String thread, ServerSocketChannel server, Limits limits, Handler handler)
            throws IOException {
        this.name = name;
        this.server = server;
        this.limits = limits;
        this.handler = handler;
        this.selector = Selector.open();
        this.turnedAwaySaidAt = System.nanoTime() - FULL_LOG_NANOS;
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        Thread t = new Thread(this::run, thread);
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(waitMillis(System.nanoTime()));
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key == acceptKey) {
                        acceptAll();
                    } else if (key.isValid()) {
                        ready(key, (Exchange) key.attachment());
                    }
                }
                selector.selectedKeys().clear();
                expire(System.nanoTime());
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                log.warn("{}: stopped serving: {}", name, e.toString());
            }
        } finally {
            List.copyOf(open).forEach(this::drop);
            closeQuietly(selector);
        }
    }

    /** Until the nearest deadline or accept retry; 0 (no limit) when nothing waits for time. */
    private long waitMillis(long now) {
        long next = acceptFailing ? acceptRetryAt : Long.MAX_VALUE;
        for (Exchange x : open) {
            next = Math.min(next, x.deadline);
        }
        return next == Long.MAX_VALUE ? 0 : Math.max(1, (next - now) / 1_000_000 + 1);
    }

    private void acceptAll() {
        while (true) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                if (!acceptFailing) {
                    log.warn("{}: accept failed: {}; retrying every second", name, e.getMessage());
                }
                acceptFailing = true;
                acceptRetryAt = System.nanoTime() + ACCEPT_RETRY_NANOS;
                acceptKey.interestOps(0);
                return;
            }
            if (c == null) {
                break;
            }
            if (acceptFailing) {
                log.info("{}: accepting again", name);
                acceptFailing = false;
            }
            admit(c);
        }
    }

    private void admit(SocketChannel c) {
        if (open.size() >= limits.connections()) {
            closeQuietly(c);
            turnedAway++;
            long now = System.nanoTime();
            if (now - turnedAwaySaidAt >= FULL_LOG_NANOS) {
                log.warn("{}: {} connections open, the most it serves at once: closed {} new one(s) at once"
                        + " (said at most once a minute)", name, open.size(), turnedAway);
                turnedAway = 0;
                turnedAwaySaidAt = now;
            }
            return;
        }
        try {
            c.configureBlocking(false);
            Exchange x = new Exchange(c, limits.requestBytes(), System.nanoTime() + limits.readMillis() * 1_000_000);
            c.register(selector, SelectionKey.OP_READ, x);
            open.add(x);
        } catch (IOException e) {
            closeQuietly(c);
        }
    }

    private void ready(SelectionKey key, Exchange x) {
        try {
            if (key.isReadable()) {
                read(key, x);
            } else if (key.isWritable()) {
                write(x);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("{}: client: {}", name, e.toString());
            drop(x);
        }
    }

    private void read(SelectionKey key, Exchange x) throws IOException {
        int n = x.channel.read(x.request);
        String soFar = new String(x.request.array(), 0, x.request.position(), StandardCharsets.ISO_8859_1);
        if (n >= 0 && x.request.hasRemaining() && !handler.complete(soFar)) {
            return;
        }
        key.interestOps(0);
        x.deadline = Long.MAX_VALUE;
        byte[] request = Arrays.copyOf(x.request.array(), x.request.position());
        handler.answer(x.channel, request, this::onThisThread)
                .whenComplete((answer, failure) -> onThisThread(() -> answered(x, answer, failure)));
    }

    private void answered(Exchange x, byte[] answer, Throwable failure) {
        if (!open.contains(x)) {
            return;
        }
        if (failure != null || answer == null) {
            log.debug("{}: no answer: {}", name, failure);
            drop(x);
            return;
        }
        x.answer = ByteBuffer.wrap(answer);
        x.deadline = System.nanoTime() + limits.writeMillis() * 1_000_000;
        try {
            write(x);
        } catch (IOException e) {
            log.debug("{}: client: {}", name, e.toString());
            drop(x);
        }
    }

    private void write(Exchange x) throws IOException {
        x.channel.write(x.answer);
        if (x.answer.hasRemaining()) {
            x.channel.keyFor(selector).interestOps(SelectionKey.OP_WRITE);
        } else {
            drop(x);
        }
    }

    private void expire(long now) {
        if (acceptFailing && now - acceptRetryAt >= 0 && acceptKey.isValid()) {
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            acceptRetryAt = now + ACCEPT_RETRY_NANOS;
        }
        for (Exchange x : List.copyOf(open)) {
            if (now - x.deadline >= 0) {
                log.debug("{}: closed a client that took too long ({})", name,
                        x.answer == null ? "sending its request" : "reading the answer");
                drop(x);
            }
        }
    }

    private void drop(Exchange x) {
        open.remove(x);
        closeQuietly(x.channel);
    }

    private void onThisThread(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Connections open now (for tests). */
    int openConnections() {
        return open.size();
    }

    /** Stops accepting and closes the listener; open connections are closed by the server's thread. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        selector.wakeup();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing; nothing left to tell the client
        }
    }
}
