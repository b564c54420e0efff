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
 * once the server accepts on that socket (hupwatch decides from these when the generation is ready), and
 * {@code DRAIN_LEFT=N} at the end of its drain (N: connections its server still had open).
 */
final class HupwatchLink {
    private final Path path;
    private final int generation;
    private SocketChannel channel;
    private boolean failed;

    HupwatchLink(Path path, int generation) {
        this.path = path;
        this.generation = generation;
    }

    /** Sends one line; a link that cannot be made is said once, and then every message is dropped. */
    synchronized void send(String line) {
        if (path == null || failed) {
            return;
        }
        try {
            if (channel == null) {
                channel = connect();
            }
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            AgentLog.info("cannot reach hupwatch at " + path + " (" + e.getMessage() + "); it will not learn that"
                    + " this generation is ready, and times it out");
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
