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
 * generation. Not one request may fail (socket errors and non-2xx alike). Unmodified servers get the
 * {@code Connection: close} from the agent's hooks in their HTTP/1 encoders.
 */
@Timeout(300)
class KeepAliveTest {
    /**
     * Two: the first swap replaces the generation that started with the port (bound, or adopted from it), the
     * second one that was itself started by a swap; a third would repeat the second.
     */
    private static final int SWAPS = 2;

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

    /**
     * An unmodified server through the agent: as above, and each old generation's kept-alive connections
     * ended by themselves (Connection: close), none was left for the end of the agent's grace.
     */
    private void agentSwapsUnderKeepAliveLoad(HupwatchProcess hw, int port) throws Exception {
        swapsUnderKeepAliveLoad(hw, port);
        assertEquals(List.of(), hw.linesMatching(STILL_OPEN), "every kept-alive connection ended before the grace did\n"
                + hw.describe());
        assertEquals(List.of(), hw.linesMatching(Pattern.compile("no keep-alive hook")), hw.describe());
    }

    private static final Pattern STILL_OPEN = Pattern.compile("connection\\(s\\) still open after");

    private void throughTheAgent(String server, String... args) throws Exception {
        int port = TestServers.freePort();
        List<String> command = new java.util.ArrayList<>(TestServers.java(server, Integer.toString(port)));
        command.addAll(List.of(args));
        agentSwapsUnderKeepAliveLoad(hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port), command), port);
    }

    @Test
    @Serial
    void jdkHttpServerThroughTheAgent() throws Exception {
        throughTheAgent("JdkHttpServer");
    }

    @Test
    @Serial
    void nettyNioWithoutAKeepAliveHandlerThroughTheAgent() throws Exception {
        throughTheAgent("NettyPlainServer", "nio");
    }

    @Test
    @Serial
    void nettyEpollWithItsKeepAliveHandlerThroughTheAgent() throws Exception {
        throughTheAgent("NettyPlainServer", "epoll", "keepalive-handler");
    }

    @Test
    @Serial
    void netty42EpollThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port),
                TestServers.netty42("NettyPlainServer", Integer.toString(port), "epoll"));
        agentSwapsUnderKeepAliveLoad(hw, port);
        assertTrue(hw.findLine(Pattern.compile("\\(Netty 4\\.2\\."), 0).isPresent(), "ran on Netty 4.2\n" + hw.describe());
    }

    @Test
    @Serial
    void jettyWithAPlainServerConnectorThroughTheAgent() throws Exception {
        throughTheAgent("JettyPlainServer");
    }

    @Test
    @Serial
    void undertowAdoptedThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of(), TestServers.java("UndertowServer", Integer.toString(port)));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1 \\(pid \\d+\\)"),
                Duration.ofSeconds(90));
        agentSwapsUnderKeepAliveLoad(hw, port);
    }

    /** Tomcat 11 (Spring Boot 4's), plain embedded, adopted: the agent's Tomcat endpoint hook on 11. */
    @Test
    @Serial
    void tomcat11AdoptedThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of(), TestServers.tomcat11(port));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1 \\(pid \\d+\\)"),
                Duration.ofSeconds(90));
        agentSwapsUnderKeepAliveLoad(hw, port);
        assertTrue(hw.findLine(Pattern.compile("Apache Tomcat/11\\."), 0).isPresent(), "ran on Tomcat 11\n" + hw.describe());
    }

    /** Jetty 11, a plain ServerConnector: the agent's HttpGenerator hook on 11. */
    @Test
    @Serial
    void jetty11ThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port), TestServers.jetty11(port));
        agentSwapsUnderKeepAliveLoad(hw, port);
        assertTrue(hw.findLine(Pattern.compile("jetty 11\\."), 0).isPresent(), "ran on Jetty 11\n" + hw.describe());
    }

    /** Vert.x 4.5 (its own Netty 4.1): its HTTP/1 encoder is a subclass of Netty's, which the Netty hook covers. */
    @Test
    @Serial
    void vertxThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port), TestServers.vertx(port));
        agentSwapsUnderKeepAliveLoad(hw, port);
        assertTrue(hw.findLine(Pattern.compile("vert\\.x 4\\.5\\."), 0).isPresent(), "ran on Vert.x 4.5\n" + hw.describe());
    }

    @Test
    @Serial
    void jettyRecipeThroughTheChildApi() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of("--bind", "web=tcp:127.0.0.1:" + port, "--ready", "notify"),
                TestServers.onTestClasspath("io.hupwatch.it.servers.JettyServer", "handoff", "web")), port);
    }

    @Test
    @Serial
    void nettyRecipeThroughTheChildApi() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of("--bind", "api=tcp:127.0.0.1:" + port, "--warmup", "1500ms"),
                TestServers.onTestClasspath("io.hupwatch.it.servers.NettyServer", "api")), port);
    }

    @Test
    @Serial
    void stockSpringBootThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        swapsUnderKeepAliveLoad(hupwatch(List.of(), TestServers.springBoot(port)), port);
    }

    /** Spring Boot 4 (its Tomcat 11), the executable jar with no option: adopted, as the Spring Boot 3 jar above. */
    @Test
    @Serial
    void stockSpringBoot4ThroughTheAgent() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of(), TestServers.springBoot4(port));
        agentSwapsUnderKeepAliveLoad(hw, port);
        assertTrue(hw.findLine(Pattern.compile("spring-boot 4\\.0\\.\\d+ generation 1 "), 0).isPresent(),
                "ran on Spring Boot 4\n" + hw.describe());
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
