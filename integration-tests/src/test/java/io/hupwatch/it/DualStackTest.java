package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --bind tcp:[::]:P} is the dual-stack wildcard a JVM server binds itself
 * ({@code new InetSocketAddress(port)}): after the claim the unmodified server serves IPv4 and IPv6
 * clients, as it does without hupwatch. Needs the IPv6 loopback ({@code ::1}).
 */
@Timeout(120)
class DualStackTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void aHeldDualStackWildcardServesIpv4AndIpv6AfterASwap() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:[::]:" + port),
                TestServers.java("JdkHttpServer", Integer.toString(port))));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready after .*accept"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        for (String host : List.of("127.0.0.1", "::1")) {
            String body = Http.get(new InetSocketAddress(host, port));
            assertTrue(body.startsWith("generation 2 "), host + " answered " + body + "\n" + hw.describe());
        }
    }
}
