package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive clients (wrk's default: each connection carries request after request) across swaps:
 * while a generation drains, its next response on each kept-alive connection says
 * {@code Connection: close}, and the client's next request goes, on a new connection, to the next
 * generation. Not one request may fail (socket errors and non-2xx alike).
 */
@Timeout(300)
class KeepAliveTest {
    private static final int SWAPS = 3;

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private HupwatchProcess hupwatch(List<String> options, List<String> command) {
        return cleanup.add(HupwatchProcess.start(dir, options, command));
    }

    private void swapsUnderKeepAliveLoad(HupwatchProcess hw, int port) throws Exception {
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        LoadGenerator load = LoadGenerator.wrkKeepAlive("http://127.0.0.1:" + port + "/", 16, 2, dir);
        cleanup.add(load);
        load.start();
        Thread.sleep(1000);
        for (int g = 2; g <= SWAPS + 1; g++) {
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
            assertTrue(Http.get(port).startsWith("generation " + g + " "), "new connections reach generation " + g);
            Thread.sleep(500);
        }
        LoadGenerator.Result result = load.finish();
        System.out.println("keep-alive swaps on port " + port + ": " + result);
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), "no kept-alive request failed during " + SWAPS + " swaps: " + result + "\n"
                + hw.describe());
        hw.signal("TERM");
        hw.awaitExit(Duration.ofSeconds(40));
    }

    @Test
    void jettyRecipeThroughTheChildApi() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of("--bind", "web=tcp:127.0.0.1:" + port, "--ready", "notify"),
                TestServers.onTestClasspath("io.hupwatch.it.servers.JettyServer", "handoff", "web")), port);
    }

    @Test
    void nettyRecipeThroughTheChildApi() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of("--bind", "api=tcp:127.0.0.1:" + port, "--warmup", "1500ms"),
                TestServers.onTestClasspath("io.hupwatch.it.servers.NettyServer", "api")), port);
    }

    @Test
    void stockSpringBootThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of(), TestServers.springBoot(port)), port);
    }

    @Test
    void aLongRequestInFlightCompletesOnTheOldGeneration() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port), TestServers.springBoot(port));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.get(port, "/slow?ms=12000");
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        Thread.sleep(300); // accepted by generation 1 before the swap
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) draining"), Duration.ofSeconds(90));
        assertTrue(slow.get(60, TimeUnit.SECONDS).startsWith("generation 1 "),
                "the request in flight was answered by the generation that took it\n" + hw.describe());
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(port).startsWith("generation 2 "));
    }
}
