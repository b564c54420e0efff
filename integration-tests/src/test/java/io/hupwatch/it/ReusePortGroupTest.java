package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SO_REUSEPORT group: Netty's epoll transport binding one port twice (one listening socket per boss
 * loop). Every socket of the group becomes the one shared socket, so all of them are drained and no
 * connection queued on a socket of the old generation's own is reset when it exits.
 */
@Timeout(180)
class ReusePortGroupTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    @Serial
    void nettyEpollWithTwoReusePortSocketsWithNoOption() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of(),
                TestServers.java("NettyPlainServer", Integer.toString(port), "epoll-reuseport")));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertEquals(1, listeningSockets(port), "the second socket of the group is the adopted one\n" + hw.describe());
        SwapsUnderLoad.run(hw, port, 2, cleanup, dir);
    }

    /**
     * A socket handed over is served like a claimed one in the JVM that handed it over: a server that
     * closes it and binds the same address again (a connector restart) claims hupwatch's socket rather
     * than failing with "address in use" against it.
     */
    @Test
    void aServerThatRebindsAnAdoptedPortInTheSameJvmClaimsIt() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of(),
                TestServers.java("JdkHttpServer", Integer.toString(port), "--restart-after-ms", "1500")));
        hw.awaitLine(Pattern.compile("jdk-http generation 1 pid \\d+ restarted on"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) serves tcp:\\S+:" + port + ", held by hupwatch"),
                Duration.ofSeconds(5));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertEquals(1, hw.linesMatching(Pattern.compile("adopted tcp:")).size(), hw.describe());
        assertEquals(1, listeningSockets(port), hw.describe());
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 2, hw);
    }

    /** Listening TCP sockets on {@code port}, whoever holds them (ss counts a shared socket once). */
    private static long listeningSockets(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        ss.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.contains("LISTEN")).count();
    }
}
