package io.hupwatch.agent;

import io.hupwatch.handoff.HandoffProtocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The agent's connection to hupwatch: the generation's handoff socket (JDK unix sockets, no native
 * code), opened at the first message. hupwatch answers every connection with the handoff header;
 * its fds are not taken here (the kernel drops them: the agent already has the sockets, on the fds
 * its settings name). Then the agent sends lines of the same protocol, in order:
 * {@code CLAIMED ADDRESS} after a claim, {@code ADOPT FD ADDRESS} for a socket the server listens on
 * that hupwatch may take over (it takes a copy of this process's fd FD), {@code ACCEPTING ADDRESS}
 * once the server accepts on that socket (hupwatch decides from these when the generation is ready),
 * {@code STOPPING=1} once a drain has stopped it accepting, and {@code DRAIN_LEFT=N} at the end of its
 * drain (N: connections its server still had open). Its first line, {@code AGENT 1}, tells
 * hupwatch that this connection is the agent's: hupwatch then sends {@code PAUSE} and {@code RESUME}
 * on it (see {@link Pause}), once this JVM serves the held sockets (it said {@code CLAIMED}, {@code ADOPT} or
 * {@code ACCEPTING}); the agent answers RESUME with {@code RESUMED} once it accepts again, and only then: a
 * launcher JVM, which never serves them, never answers for a generation whose server is gone. End-of-file on
 * it means hupwatch is gone (killed): this JVM then stops as
 * on the stop signal, draining first. The link is made at the first message (at the latest when the
 * server accepts); a JVM that never sends one cannot be paused, and learns of hupwatch's end only by
 * the parent-death signal.
 */
final class HupwatchLink {
    private final Path path;
    private final int generation;
    private final String stopSignal;
    private SocketChannel channel;
    private boolean failed;
    /** Whether this JVM said it serves the held sockets ({@link HandoffProtocol#servesSockets}). */
    private volatile boolean serving;
    /** Takes PAUSE and RESUME; set before the link is made. */
    volatile Pause pause;

    HupwatchLink(Path path, int generation, String stopSignal) {
        this.path = path;
        this.generation = generation;
        this.stopSignal = stopSignal;
    }

    /** Sends one line; a link that cannot be made is said once, and then every message is dropped. */
    synchronized void send(String line) {
        if (path == null || failed) {
            return;
        }
        serving |= HandoffProtocol.servesSockets(line);
        try {
            if (channel == null) {
                channel = connect();
                write(channel, HandoffProtocol.AGENT_HELLO);
                Thread reader = new Thread(() -> listen(channel), "hupwatch-agent-link");
                reader.setDaemon(true);
                reader.start();
            }
            write(channel, line);
        } catch (IOException | RuntimeException e) {
            failed = true;
            AgentLog.info("cannot reach hupwatch at " + path + " (" + e.getMessage() + "); it will not learn that"
                    + " this generation is ready, and times it out");
        }
    }

    private static void write(SocketChannel ch, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Lines from hupwatch, until end-of-file: hupwatch is gone, and this JVM stops as on the stop signal. */
    private void listen(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        StringBuilder line = new StringBuilder();
        try {
            while (ch.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char c = (char) buf.get();
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    Pause p = pause;
                    if (p != null && line.toString().equals(HandoffProtocol.PAUSE)) {
                        p.pause();
                    } else if (p != null && line.toString().equals(HandoffProtocol.RESUME) && p.resume() && serving) {
                        send(HandoffProtocol.RESUMED);
                    }
                    line.setLength(0);
                }
                buf.clear();
            }
        } catch (IOException | RuntimeException e) {
            // a broken link is as good as a closed one
        }
        synchronized (this) {
            failed = true; // nothing more to say to it
        }
        AgentLog.info("hupwatch is gone (its link closed): stopping as on SIG" + stopSignal + ", draining first");
        try {
            sun.misc.Signal.raise(new sun.misc.Signal(stopSignal));
        } catch (IllegalArgumentException e) {
            AgentLog.info("cannot raise SIG" + stopSignal + " (" + e.getMessage() + ")");
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            StringBuilder text = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (!HandoffProtocol.complete(text.toString())) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    throw new IOException("hupwatch closed the connection before its header ended");
                }
                text.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                if (text.length() > HandoffProtocol.MAX_HEADER) {
                    throw new IOException("the handoff header is larger than " + HandoffProtocol.MAX_HEADER + " bytes");
                }
            }
            HandoffProtocol.Header header = HandoffProtocol.decode(text.toString());
            if (header.generation() != generation) {
                throw new IOException("it belongs to generation " + header.generation() + ", not " + generation);
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
