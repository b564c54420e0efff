package io.hupwatch.sockets;

import io.hupwatch.handoff.HandoffProtocol;
import io.hupwatch.os.Posix;
import io.hupwatch.os.ProcFsProcesses;
import io.hupwatch.os.UnixStreamConnection;
import io.hupwatch.os.UnixStreamServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handoff socket of one generation: a unix socket (mode 0600, in hupwatch's 0700 runtime
 * directory) that only that generation's process and its descendants may use. Each connection
 * gets the header and the fds (see {@link HandoffProtocol}), then stays open until the generation
 * exits, so that the child sees end-of-file if hupwatch dies, or until the peer closes it (then at once).
 * Bounded whatever a peer does: {@link #MAX_CONNECTIONS} open at once, a write it does not read fails after
 * {@link #SEND_TIMEOUT_MILLIS}, a failed accept is retried every second. The agent's own socket sends a first
 * header without sockets: there only a connection that asks ({@link HandoffProtocol#SOCKETS}) gets the fds.
 */
final class HandoffServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** Open at once: a JVM's agent link and its socket fetches, the processes of a {@code --pass handoff} tree. */
    static final int MAX_CONNECTIONS = 64;
    /** A write the peer leaves blocked fails after this (PAUSE and RESUME are written from the event loop). */
    private static final long SEND_TIMEOUT_MILLIS = 2_000;
    private static final long ACCEPT_RETRY_MILLIS = 1_000;

    private final Path path;
    private final int generation;
    private final List<ListeningSocket> sockets;
    private final BiConsumer<Integer, String> onMessage;
    private final AgentMessages agentMessages;
    /** Whether every connection gets the sockets at once (--pass handoff), or only one that asks (the agent's socket). */
    private final boolean socketsOnConnect;
    private final UnixStreamServer server;
    private final List<UnixStreamConnection> connections = new CopyOnWriteArrayList<>();
    private final CountDownLatch pidKnown = new CountDownLatch(1);
    private volatile long childPid = -1;
    /** The connections of hupwatch's Java agents in this generation (they said {@code AGENT 1}). */
    private final AgentLinks agentLinks;
    private volatile boolean closed;
    private boolean saidFull;

    HandoffServer(Path path, int generation, List<ListeningSocket> sockets, BiConsumer<Integer, String> onMessage)
            throws IOException {
        this(path, generation, sockets, onMessage, AgentMessages.NONE, true);
    }

    /**
     * @param agentMessages    takes the lines of hupwatch's Java agent first (with the sender's pid)
     * @param socketsOnConnect whether each connection gets the sockets at once; else only when it asks
     */
    HandoffServer(Path path, int generation, List<ListeningSocket> sockets, BiConsumer<Integer, String> onMessage,
            AgentMessages agentMessages, boolean socketsOnConnect) throws IOException {
        this.agentMessages = agentMessages;
        this.socketsOnConnect = socketsOnConnect;
        this.path = path;
        this.generation = generation;
        this.sockets = List.copyOf(sockets);
        this.onMessage = onMessage;
        this.agentLinks = new AgentLinks(generation, onMessage);
        Files.deleteIfExists(path);
        server = UnixStreamServer.bind(path, 16);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        Thread t = new Thread(this::acceptLoop, "hupwatch-handoff-" + generation);
        t.setDaemon(true);
        t.start();
    }

    Path path() {
        return path;
    }

    void childStarted(long pid) {
        childPid = pid;
        pidKnown.countDown();
    }

    private void acceptLoop() {
        boolean failing = false;
        while (!closed) {
            UnixStreamConnection conn;
            try {
                conn = server.accept();
            } catch (IOException | RuntimeException e) {
                // close() from the generation's exit races with accept: only a failure while open is news
                if (closed) {
                    return;
                }
                if (!failing) {
                    log.warn("handoff socket of generation {}: accept failed: {}; retrying every second",
                            generation, e.toString());
                    failing = true;
                }
                pause();
                continue;
            }
            failing = false;
            if (conn != null) {
                admit(conn);
            }
        }
    }

    private void admit(UnixStreamConnection conn) {
        if (connections.size() >= MAX_CONNECTIONS) {
            if (!saidFull) {
                log.warn("handoff socket of generation {}: {} connections open, the most it keeps: closing new ones",
                        generation, connections.size());
                saidFull = true;
            }
            closeQuietly(conn);
            return;
        }
        try {
            long peer = allowed(conn);
            if (peer > 0) {
                conn.sendTimeout(SEND_TIMEOUT_MILLIS);
                send(conn, socketsOnConnect ? sockets : List.of());
                connections.add(conn);
                Thread reader = new Thread(() -> readMessages(conn, peer), "hupwatch-handoff-" + generation + "-conn");
                reader.setDaemon(true);
                reader.start();
            } else {
                conn.close();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (!closed) {
                log.warn("handoff to generation {} failed: {}", generation, e.toString());
            }
            closeQuietly(conn);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Only this generation's process tree, and only hupwatch's own user (or root). */
    /** @return the peer's pid when it may use this socket, else 0 */
    private long allowed(UnixStreamConnection conn) throws IOException, InterruptedException {
        UnixStreamConnection.PeerCredentials peer = conn.peerCredentials();
        int uid = Posix.uid();
        if (peer.uid() != uid && peer.uid() != 0) {
            log.warn("handoff socket of generation {}: refused pid {} of uid {} (only uid {} or root may connect)",
                    generation, peer.pid(), peer.uid(), uid);
            return 0;
        }
        pidKnown.await(5, TimeUnit.SECONDS);
        if (!ProcFsProcesses.descends(peer.pid(), childPid)) {
            log.warn("handoff socket of generation {}: refused pid {}, which is not generation {} (pid {}) or its descendant",
                    generation, peer.pid(), generation, childPid);
            return 0;
        }
        return peer.pid();
    }

    /** One header naming {@code sockets}, their fds with it (one sendmsg). */
    private void send(UnixStreamConnection conn, List<ListeningSocket> sockets) throws IOException {
        List<HandoffProtocol.Entry> entries = sockets.stream()
                .map(s -> new HandoffProtocol.Entry(s.address().name(), s.address().display())).toList();
        byte[] header = HandoffProtocol.encode(new HandoffProtocol.Header(generation, entries));
        int[] fds = sockets.stream().mapToInt(ListeningSocket::fd).toArray();
        conn.sendWithFds(header, fds, "handoff of generation " + generation);
        log.debug("handed {} socket(s) to generation {} (pid {})", sockets.size(), generation, childPid);
    }

    private void readMessages(UnixStreamConnection conn, long peer) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        try {
            while (conn.read(buf) > 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char c = (char) buf.get();
                    if (c == '\n') {
                        String text = line.toString();
                        if (text.equals(HandoffProtocol.AGENT_HELLO)) {
                            agentLinks.hello(conn);
                        } else if (text.equals(HandoffProtocol.RESUMED)) {
                            agentLinks.resumed(conn);
                        } else if (text.equals(HandoffProtocol.SOCKETS)) {
                            sendAsked(conn, peer);
                        } else {
                            message(conn, peer, text);
                        }
                        line.setLength(0);
                    } else if (line.length() < 4096) {
                        line.append(c);
                    }
                }
                buf.clear();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("handoff connection of generation {}: {}", generation, e.toString());
        } finally {
            // The peer closed its end (or broke it): nothing more comes, nothing may go. Closed under the
            // connection's lock, which every write takes, so that no write finds the fd number reused.
            drop(conn);
        }
    }

    private void drop(UnixStreamConnection conn) {
        connections.remove(conn);
        synchronized (conn) {
            conn.shutdown();
            closeQuietly(conn);
        }
        if (!closed) {
            agentLinks.closed(conn);
        }
    }

    /** Any other line: one that shows an agent's JVM serves the held sockets also makes its link one to pause. */
    private void message(UnixStreamConnection conn, long peer, String text) {
        if (HandoffProtocol.servesSockets(text)) {
            agentLinks.serves(conn);
        }
        if (!agentMessages.handle(generation, peer, text)) {
            onMessage.accept(generation, text);
        }
    }

    /**
     * The sockets again, to a process of this generation that asked (a JVM a launcher started without them):
     * those hupwatch still holds. When they cannot be sent, the connection is closed, so that the asker is
     * not left waiting for an answer (it says so in one line and binds on its own).
     */
    private void sendAsked(UnixStreamConnection conn, long peer) throws IOException {
        List<ListeningSocket> held = sockets.stream().filter(ListeningSocket::isOpen).toList();
        try {
            synchronized (conn) {
                send(conn, held);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("generation {}: pid {} asked for the sockets, and sending them failed: {}", generation, peer,
                    e.toString());
            drop(conn);
            throw e;
        }
        log.debug("generation {}: pid {} asked for the sockets and got {}", generation, peer, held.size());
    }

    /**
     * Sends one line to every Java agent of this generation that serves the held sockets
     * ({@link HandoffProtocol#PAUSE}, {@link HandoffProtocol#RESUME}; see {@link AgentLinks}).
     *
     * @return whether it was sent: false when no such agent is linked here, or every link is broken
     */
    boolean tellAgent(String line) {
        return !closed && agentLinks.tell(line);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // shutdown(2) wakes threads blocked in accept or read on these (private) sockets.
        server.shutdown();
        closeQuietly(server);
        connections.forEach(this::drop);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", path, e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on the way out; nothing to tell
        }
    }
}
