package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.handoff.HandoffProtocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PAUSE and RESUME over real agent links of one generation (this JVM plays its agents): they go to the agents
 * that serve the held sockets, and only those count for the answer and for the generation's JVMs being gone.
 */
@Timeout(30)
class AgentLinksTest {
    @TempDir
    Path dir;

    private final BlockingQueue<String> reported = new LinkedBlockingQueue<>();
    private HandoffServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    /** An agent: connected, its header read, {@code AGENT 1} said. */
    private final class Agent implements AutoCloseable {
        final SocketChannel ch;
        private final StringBuilder pending = new StringBuilder();

        Agent() throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
            while (!HandoffProtocol.complete(pending.toString())) {
                read();
            }
            pending.setLength(0);
            say(HandoffProtocol.AGENT_HELLO);
        }

        /** Says that its JVM serves the held sockets (as the agent does at the server's bind), once taken. */
        Agent serving() throws Exception {
            say("CLAIMED tcp:127.0.0.1:8080");
            assertEquals("3:CLAIMED tcp:127.0.0.1:8080", reported.poll(5, TimeUnit.SECONDS));
            return this;
        }

        /** Nothing has come from hupwatch within a moment. */
        void assertToldNothing() throws Exception {
            Thread.sleep(300);
            ch.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(64);
            int n = ch.read(b);
            ch.configureBlocking(true);
            assertEquals(0, n, "hupwatch sent: " + new String(b.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8));
        }

        void say(String line) throws IOException {
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        }

        String line() throws IOException {
            while (pending.indexOf("\n") < 0) {
                read();
            }
            String line = pending.substring(0, pending.indexOf("\n"));
            pending.delete(0, line.length() + 1);
            return line;
        }

        private void read() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4096);
            if (ch.read(b) < 0) {
                throw new IOException("closed");
            }
            pending.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private void start() throws IOException {
        server = new HandoffServer(dir.resolve("agent.sock"), 3, List.of(), (g, line) -> reported.add(g + ":" + line),
                AgentMessages.NONE, false);
        server.childStarted(ProcessHandle.current().pid());
    }

    /** Waits until the server has taken {@code AGENT 1} of each: a line sent after it has come through. */
    private void helloTaken(Agent... agents) throws Exception {
        for (Agent a : agents) {
            a.say("STATUS=hello");
            assertEquals("3:STATUS=hello", reported.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void pauseAndResumeReachEveryServingAgentAndTheAnswerWaitsForAll() throws Exception {
        start();
        assertFalse(server.tellAgent(HandoffProtocol.PAUSE), "no agent yet");
        try (Agent a = new Agent().serving(); Agent b = new Agent().serving()) {
            assertTrue(server.tellAgent(HandoffProtocol.PAUSE));
            assertEquals("PAUSE", a.line());
            assertEquals("PAUSE", b.line());
            try (Agent late = new Agent()) {
                helloTaken(late);
                late.serving();
                assertEquals("PAUSE", late.line(), "an agent that begins to serve while paused is paused at once");
                assertTrue(server.tellAgent(HandoffProtocol.RESUME));
                assertEquals("RESUME", a.line());
                assertEquals("RESUME", b.line());
                assertEquals("RESUME", late.line());
                a.say(HandoffProtocol.RESUMED);
                late.say(HandoffProtocol.RESUMED);
                assertEquals(null, reported.poll(300, TimeUnit.MILLISECONDS), "b has not answered yet");
                b.say(HandoffProtocol.RESUMED);
                assertEquals("3:RESUMED", reported.poll(5, TimeUnit.SECONDS));
            }
        }
        assertEquals("3:AGENTS_GONE", reported.poll(5, TimeUnit.SECONDS), "once the last link closed");
        assertEquals(null, reported.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void anAgentThatClosesItsLinkNoLongerCountsForTheAnswer() throws Exception {
        start();
        try (Agent a = new Agent().serving()) {
            Agent b = new Agent().serving();
            server.tellAgent(HandoffProtocol.PAUSE);
            server.tellAgent(HandoffProtocol.RESUME);
            a.say(HandoffProtocol.RESUMED);
            b.close(); // its JVM died
            assertEquals("3:RESUMED", reported.poll(5, TimeUnit.SECONDS));
            assertEquals(null, reported.poll(200, TimeUnit.MILLISECONDS), "a is still there");
        }
        assertEquals("3:AGENTS_GONE", reported.poll(5, TimeUnit.SECONDS));
    }

    /**
     * A launcher JVM (mvn exec:exec, a java launcher forking the server's JVM) has an agent link but serves no
     * socket: it is not paused, its RESUMED does not count, and its lingering link does not hide that the
     * server's JVM is gone.
     */
    @Test
    void aLauncherLinkIsNeitherPausedNorCountedAndDoesNotOutliveTheServer() throws Exception {
        start();
        try (Agent launcher = new Agent()) {
            helloTaken(launcher);
            assertFalse(server.tellAgent(HandoffProtocol.PAUSE), "only a launcher: nothing to pause");
            launcher.assertToldNothing();
            Agent jvm = new Agent().serving();
            assertTrue(server.tellAgent(HandoffProtocol.PAUSE));
            assertEquals("PAUSE", jvm.line());
            assertTrue(server.tellAgent(HandoffProtocol.RESUME));
            assertEquals("RESUME", jvm.line());
            launcher.assertToldNothing();
            launcher.say(HandoffProtocol.RESUMED);
            assertEquals(null, reported.poll(300, TimeUnit.MILLISECONDS), "the launcher's answer does not count");
            jvm.close(); // the server's JVM died; the launcher's link stays open
            assertEquals("3:AGENTS_GONE", reported.poll(5, TimeUnit.SECONDS), "no JVM serving the sockets is left");
            assertEquals(null, reported.poll(100, TimeUnit.MILLISECONDS), "not RESUMED either");
        }
        assertEquals(null, reported.poll(200, TimeUnit.MILLISECONDS), "the launcher's link closing says nothing more");
    }
}
