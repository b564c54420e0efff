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
 * code). hupwatch answers every connection with the handoff header; its fds are not taken here (the
 * kernel drops them: the agent already has the sockets, on the fds its settings name). Then the agent
 * sends lines of the same protocol: {@code ACCEPTING=1} once the server accepts on every held socket.
 */
final class HupwatchLink {
    private final SocketChannel channel;

    private HupwatchLink(SocketChannel channel) {
        this.channel = channel;
    }

    static HupwatchLink connect(Path path, int generation) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            StringBuilder text = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (!HandoffProtocol.complete(text.toString())) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    throw new IOException("hupwatch closed " + path + " before its header ended");
                }
                text.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                if (text.length() > HandoffProtocol.MAX_HEADER) {
                    throw new IOException("the handoff header is larger than " + HandoffProtocol.MAX_HEADER + " bytes");
                }
            }
            HandoffProtocol.Header header = HandoffProtocol.decode(text.toString());
            if (header.generation() != generation) {
                throw new IOException(path + " belongs to generation " + header.generation() + ", not " + generation);
            }
            return new HupwatchLink(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    synchronized void send(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
