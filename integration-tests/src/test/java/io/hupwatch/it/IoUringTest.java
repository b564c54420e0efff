package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty 4.2's io_uring transport (real, from Maven Central): the agent does not serve it, says so in one
 * line, and the server runs as it would without the agent, instead of never being called ready.
 */
@Timeout(90)
class IoUringTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void nettyIoUringIsNotServedSaysSoAndRunsAsWithoutTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--ready-timeout", "3s"),
                TestServers.nettyIoUring(port)));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) does not serve Netty's io_uring transport: the server"
                + " binds its own ports, as without hupwatch's agent"), Duration.ofSeconds(30));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready after .*warm-up"), Duration.ofSeconds(30));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        Thread.sleep(3500); // past the ready timeout: nothing waits for an accept the agent cannot see
        assertTrue(hw.isAlive(), hw.describe());
        assertTrue(Http.get(port).startsWith("generation 1 "), hw.describe());
        assertEquals(1, hw.linesMatching(Pattern.compile("io_uring transport")).size(), "one line\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("adopted|serves tcp")).isEmpty(), hw.describe());
    }
}
