package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** hupwatch cannot bind: exit 1, one line saying what to do, no child started, nothing left behind. */
@Timeout(60)
class SocketStartErrorsTest {
    @TempDir
    Path dir;

    private void assertCannotStart(String expected, String... args) {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args)) {
            int status = hw.awaitExit(Duration.ofSeconds(30));
            assertEquals(1, status, hw.describe());
            List<String> lines = hw.stderr();
            assertEquals(1, lines.size(), "one line: " + lines);
            assertTrue(lines.get(0).startsWith("hupwatch: ") && lines.get(0).contains(expected), lines.get(0));
            assertFalse(lines.get(0).contains("Exception"), lines.get(0));
            assertTrue(hw.linesMatching(Pattern.compile("started")).isEmpty(), "no generation was started");
        }
    }

    @Test
    void tcpAddressInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            assertCannotStart("bind(tcp:127.0.0.1:" + port + ") failed: Address already in use",
                    "--bind", "tcp:127.0.0.1:" + port, "--", "sleep", "60");
        }
    }

    @Test
    void secondSocketFailsAndTheFirstIsReleased() throws Exception {
        Path first = dir.resolve("first.sock");
        assertCannotStart("does not exist",
                "--bind", "unix:" + first, "--bind", "unix:" + dir.resolve("missing/second.sock"), "--", "sleep", "60");
        assertFalse(Files.exists(first), "the socket bound before the failure is removed again");
    }

    @Test
    void liveUnixListenerIsNotStolen() throws Exception {
        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            assertCannotStart("a live server is listening there", "--bind", "unix:" + path, "--", "sleep", "60");
            assertTrue(Files.exists(path), "the live server's socket file is untouched");
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path path = Files.writeString(dir.resolve("data.txt"), "keep me");
        assertCannotStart("exists and is not a socket", "--bind", "unix:" + path, "--", "sleep", "60");
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(path));
        crashed.close(); // the JDK leaves the file: a stale socket, as after a crash
        assertTrue(Files.exists(path));
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--bind", "unix:" + path, "--warmup", "200ms", "--",
                "sleep", "60")) {
            hw.awaitLine(Pattern.compile("removed stale socket file"), Duration.ofSeconds(30));
            hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
            hw.signal("TERM");
            hw.awaitExit(Duration.ofSeconds(30));
        }
        assertFalse(Files.exists(path), "removed at exit");
    }

    @Test
    void stdinNeedsExactlyOneSocket() {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--pass", "stdin", "--bind", "tcp:127.0.0.1:0",
                "--bind", "tcp:127.0.0.1:0", "--", "sleep", "60")) {
            assertEquals(2, hw.awaitExit(Duration.ofSeconds(30)));
            assertEquals(1, hw.stderr().size(), hw.describe());
            assertTrue(hw.stderr().get(0).contains("--pass stdin"), hw.describe());
        }
    }

    @Test
    void aControlPathHoldingAFileIsNeverReplaced() throws Exception {
        Path path = Files.writeString(dir.resolve("notes.txt"), "keep me too");
        assertCannotStart("exists and is not a socket", "--control", path.toString(), "--", "sleep", "60");
        assertEquals("keep me too", Files.readString(path));
    }

    @Test
    void aLiveControlSocketIsNotStolen() throws Exception {
        Path path = dir.resolve("control.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            assertCannotStart("another hupwatch answers there", "--control", path.toString(), "--", "sleep", "60");
            assertTrue(Files.exists(path), "the live socket file is untouched");
        }
    }
}
