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
    void nettyEpollWithTwoReusePortSocketsWithNoOption() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of(),
                TestServers.java("NettyPlainServer", Integer.toString(port), "epoll-reuseport")));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(60));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertEquals(1, listeningSockets(port), "the second socket of the group is the adopted one\n" + hw.describe());
        SwapsUnderLoad.run(hw, port, 2, cleanup, dir);
    }

    /** Listening TCP sockets on {@code port}, whoever holds them (ss counts a shared socket once). */
    private static long listeningSockets(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        ss.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.contains("LISTEN")).count();
    }
}
