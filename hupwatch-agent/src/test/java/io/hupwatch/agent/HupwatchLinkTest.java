package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hupwatch.handoff.HandoffProtocol;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of RESUME (issue 25): a JVM that does not serve the held sockets (a launcher that forked the
 * server's JVM) never answers RESUMED, so that hupwatch cannot roll back to a generation whose server is gone.
 * This JVM plays hupwatch on a unix socket.
 */
@Timeout(30)
class HupwatchLinkTest {
    @TempDir
    Path dir;

    @Test
    void onlyAJvmThatServesTheHeldSocketsAnswersResume() throws Exception {
        Path path = dir.resolve("generation-3.sock");
        try (ServerSocketChannel hupwatch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hupwatch.bind(UnixDomainSocketAddress.of(path));
            // WINCH: ignored by default, should the link see hupwatch's end before the test is over
            HupwatchLink link = new HupwatchLink(path, 3, "WINCH");
            link.pause = new Pause(new Drain(AgentSettings.parse("v=1;stop=WINCH"), Set.of(), 0));
            Thread sender = new Thread(() -> link.send("STATUS=starting"));
            sender.start();
            try (SocketChannel agent = hupwatch.accept()) {
                agent.write(ByteBuffer.wrap(HandoffProtocol.encode(new HandoffProtocol.Header(3, List.of()))));
                BlockingQueue<String> lines = reader(agent);
                assertEquals(HandoffProtocol.AGENT_HELLO, lines.poll(5, TimeUnit.SECONDS));
                assertEquals("STATUS=starting", lines.poll(5, TimeUnit.SECONDS));

                say(agent, HandoffProtocol.RESUME);
                assertEquals(null, lines.poll(500, TimeUnit.MILLISECONDS), "a launcher's agent does not answer");

                link.send("CLAIMED tcp:127.0.0.1:8080");
                assertEquals("CLAIMED tcp:127.0.0.1:8080", lines.poll(5, TimeUnit.SECONDS));
                say(agent, HandoffProtocol.RESUME);
                assertEquals(HandoffProtocol.RESUMED, lines.poll(5, TimeUnit.SECONDS), "the server's agent answers");
            }
        }
    }

    private static void say(SocketChannel ch, String line) throws Exception {
        ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static BlockingQueue<String> reader(SocketChannel ch) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            StringBuilder line = new StringBuilder();
            ByteBuffer b = ByteBuffer.allocate(256);
            try {
                while (ch.read(b) > 0) {
                    b.flip();
                    while (b.hasRemaining()) {
                        char c = (char) b.get();
                        if (c == '\n') {
                            lines.add(line.toString());
                            line.setLength(0);
                        } else {
                            line.append(c);
                        }
                    }
                    b.clear();
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }
}
