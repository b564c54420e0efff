package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.handoff.HandoffClient;
import io.hupwatch.os.Native;
import io.hupwatch.os.SocketIdentity;
import io.hupwatch.supervisor.BindAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Binding real sockets and handing them over SCM_RIGHTS, within this JVM (it is its own "child"). */
@Timeout(30)
class HandoffTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    @Test
    void handsOverEverySocketWithItsName() throws Exception {
        ListeningSocket tcp = track(SocketBinder.bind(BindAddress.parse("web=tcp:127.0.0.1:0", 0)));
        ListeningSocket unix = track(SocketBinder.bind(BindAddress.parse("unix:" + dir.resolve("a.sock"), 1)));
        assertNotEquals(0, tcp.address().port(), "port 0 becomes the real port");
        List<String> messages = new CopyOnWriteArrayList<>();
        HandoffServer server = track(new HandoffServer(dir.resolve("h.sock"), 7, List.of(tcp, unix),
                (g, line) -> messages.add(g + ":" + line)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("h.sock"))));
        server.childStarted(ProcessHandle.current().pid());

        HandoffClient client = track(HandoffClient.connect(dir.resolve("h.sock").toString()));
        assertEquals(7, client.generation());
        assertEquals(List.of("web", "unix1"), client.sockets().stream().map(HandoffClient.Received::name).toList());
        assertEquals("tcp:127.0.0.1:" + tcp.address().port(), client.sockets().get(0).address());
        int received = client.sockets().get(0).fd();
        assertNotEquals(tcp.fd(), received, "a new fd in the receiver");
        assertEquals(tcp.address().port(), localPort(received), "the same kernel socket");

        client.send("STATUS=hello");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (messages.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("7:STATUS=hello"), messages);
    }

    @Test
    void theAgentsSocketSendsTheSocketsOnlyToAConnectionThatAsks() throws Exception {
        ListeningSocket tcp = track(SocketBinder.bind(BindAddress.parse("web=tcp:127.0.0.1:0", 0)));
        HandoffServer server = track(new HandoffServer(dir.resolve("agent.sock"), 4, List.of(tcp), (g, line) -> { },
                AgentMessages.NONE, false));
        server.childStarted(ProcessHandle.current().pid());
        HandoffClient client = track(HandoffClient.connect(dir.resolve("agent.sock").toString()));
        assertEquals(4, client.generation());
        assertEquals(List.of(), client.sockets(), "no socket named, no fd sent, to a connection that did not ask");
        assertEquals(1, fdsOf(tcp.fd()), "the socket is open here on hupwatch's fd only");

        List<HandoffClient.Received> asked = client.requestSockets();
        assertEquals(List.of("tcp:127.0.0.1:" + tcp.address().port()),
                asked.stream().map(HandoffClient.Received::address).toList());
        assertEquals(tcp.address().port(), localPort(asked.get(0).fd()), "the same kernel socket, on a new fd");
        assertEquals(2, fdsOf(tcp.fd()), "and on the fd received");
    }

    @Test
    void aSocketReleasedSinceIsNotSentToAConnectionThatAsks() throws Exception {
        ListeningSocket kept = track(SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 0)));
        ListeningSocket released = SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 1));
        HandoffServer server = track(new HandoffServer(dir.resolve("agent.sock"), 5, List.of(kept, released),
                (g, line) -> { }, AgentMessages.NONE, false));
        server.childStarted(ProcessHandle.current().pid());
        released.close(); // an adopted socket hupwatch no longer serves
        HandoffClient client = track(HandoffClient.connect(dir.resolve("agent.sock").toString()));
        List<HandoffClient.Received> asked = client.requestSockets();
        assertEquals(List.of("tcp:127.0.0.1:" + kept.address().port()),
                asked.stream().map(HandoffClient.Received::address).toList(), "only what hupwatch still holds");
    }

    /** How many fds of this process are the socket open on {@code fd}. */
    private static long fdsOf(int fd) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Path socket = Files.readSymbolicLink(fds.resolve(Integer.toString(fd)));
        try (var s = Files.list(fds)) {
            return s.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).equals(socket);
                } catch (IOException e) {
                    return false; // the listing's own fd, closed since
                }
            }).count();
        }
    }

    @Test
    void connectionsQueueOnTheSharedSocketWhileNobodyAccepts() throws Exception {
        ListeningSocket tcp = track(SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 0)));
        // Nobody accepts, yet connecting succeeds: the kernel queues it on hupwatch's socket.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", tcp.address().port()), 2000);
            assertTrue(s.isConnected());
        }
    }

    @Test
    void refusesAProcessThatIsNotTheGeneration() throws Exception {
        HandoffServer server = track(new HandoffServer(dir.resolve("h.sock"), 1, List.of(), (g, l) -> { }));
        Process other = new ProcessBuilder("sleep", "30").start(); // a child of ours: not us, nor our ancestor
        try {
            server.childStarted(other.pid());
            IOException e = assertThrows(IOException.class, () -> HandoffClient.connect(dir.resolve("h.sock").toString()));
            assertTrue(e.getMessage().contains("without sending"), e.getMessage());
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void theChildLearnsWhenHupwatchIsGone() throws Exception {
        HandoffServer server = new HandoffServer(dir.resolve("h.sock"), 1, List.of(), (g, l) -> { });
        server.childStarted(ProcessHandle.current().pid());
        HandoffClient client = track(HandoffClient.connect(dir.resolve("h.sock").toString()));
        Thread watcher = new Thread(client::awaitClose);
        watcher.start();
        Thread.sleep(100);
        assertTrue(watcher.isAlive());
        server.close();
        watcher.join(5000);
        assertFalse(watcher.isAlive(), "end-of-file reached the child");
        assertFalse(Files.exists(dir.resolve("h.sock")), "the handoff socket file is removed");
    }

    @Test
    void aLiveUnixListenerIsNotReplacedButAStaleOneIs() throws Exception {
        Path p = dir.resolve("s.sock");
        ListeningSocket first = SocketBinder.bind(BindAddress.parse("unix:" + p, 0));
        SocketBinder.BindException live = assertThrows(SocketBinder.BindException.class,
                () -> SocketBinder.bind(BindAddress.parse("unix:" + p, 0)));
        assertTrue(live.getMessage().contains("live server"), live.getMessage());
        // Leave a stale file behind: close the fd but keep the path, as a crashed process would.
        Native.libc().close(first.fd());
        ListeningSocket second = track(SocketBinder.bind(BindAddress.parse("unix:" + p, 0)));
        assertTrue(Files.exists(p));
        second.close();
        assertFalse(Files.exists(p), "hupwatch removes the socket file it created");
    }

    @Test
    void unixBindErrorsSayWhatToDo() throws Exception {
        SocketBinder.BindException noDir = assertThrows(SocketBinder.BindException.class,
                () -> SocketBinder.bind(BindAddress.parse("unix:" + dir.resolve("missing/s.sock"), 0)));
        assertTrue(noDir.getMessage().contains("does not exist"), noDir.getMessage());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        SocketBinder.BindException notSocket = assertThrows(SocketBinder.BindException.class,
                () -> SocketBinder.bind(BindAddress.parse("unix:" + file, 0)));
        assertTrue(notSocket.getMessage().contains("not a socket"), notSocket.getMessage());
        assertEquals("x", Files.readString(file), "nothing is lost");
    }

    @Test
    void addressInUseNamesTheCallAndErrno() throws Exception {
        ListeningSocket a = track(SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:0", 0)));
        SocketBinder.BindException e = assertThrows(SocketBinder.BindException.class,
                () -> SocketBinder.bind(BindAddress.parse("tcp:127.0.0.1:" + a.address().port(), 0)));
        assertTrue(e.getMessage().startsWith("bind(tcp:127.0.0.1:" + a.address().port() + ") failed: Address already in use"),
                e.getMessage());
    }

    @Test
    void bindsIpv6() throws Exception {
        ListeningSocket s = track(SocketBinder.bind(BindAddress.parse("tcp:[::1]:0", 0)));
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("::1", s.address().port()), 2000);
        }
        assertEquals("tcp:[::1]:" + s.address().port(), s.address().display());
    }

    @Test
    void aRemovedSocketPathIsPutBack() throws Exception {
        Path p = dir.resolve("r.sock");
        ListeningSocket s = track(SocketBinder.bind(BindAddress.parse("unix:" + p, 0)));
        Path spare = Files.createDirectory(dir.resolve("rt"));
        s.keepSpareLink(spare);
        Files.delete(p); // what a server that "owns" the path does on exit
        assertTrue(s.restoreFile());
        assertTrue(s.fileIntact(), "the same socket is back at its path");
    }

    private static int localPort(int fd) {
        return ((InetSocketAddress) SocketIdentity.localAddress(fd)).getPort();
    }
}
