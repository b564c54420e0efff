package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stock servers from Maven Central, which bind their own port and know nothing of hupwatch, swapped
 * under load through the Java agent: each binds the port hupwatch holds (the agent makes that bind
 * hupwatch's socket), is ready when it accepts, and drains first on TERM. Not one request may fail,
 * and every swap must change the serving generation.
 */
@Timeout(300)
class UnmodifiedServersTest {
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

    private void swapsUnderLoad(HupwatchProcess hw, int port) throws Exception {
        SwapsUnderLoad.run(hw, port, SWAPS, cleanup, dir);
    }

    private void swapsUnderLoad(List<String> server, int port) throws Exception {
        swapsUnderLoad(hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port), server), port);
    }

    @Test
    @Serial
    void jdkHttpServer() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.java("JdkHttpServer", Integer.toString(port)), port);
    }

    @Test
    @Serial
    void jettyWithAPlainServerConnector() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.java("JettyPlainServer", Integer.toString(port)), port);
    }

    @Test
    @Serial
    void undertow() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.java("UndertowServer", Integer.toString(port)), port);
    }

    @Test
    @Serial
    void nettyNio() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.java("NettyPlainServer", Integer.toString(port), "nio"), port);
    }

    @Test
    @Serial
    void nettyNativeEpoll() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.java("NettyPlainServer", Integer.toString(port), "epoll"), port);
    }

    @Test
    @Serial
    void springBootExecutableJar() throws Exception {
        int port = TestServers.freePort();
        swapsUnderLoad(TestServers.springBoot(port), port);
    }

    @Test
    @Serial
    void jdkServerOnAUnixSocketItDeletesFirst() throws Exception {
        Path socket = dir.resolve("app.sock");
        HupwatchProcess hw = hupwatch(List.of("--bind", "unix:" + socket), TestServers.java("UnixJdkServer", socket.toString()));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        LoadGenerator load = LoadGenerator.h2loadUnix(socket, 8, 2000);
        cleanup.add(load);
        load.start();
        for (int g = 2; g <= SWAPS + 1; g++) {
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
            assertTrue(Http.get(socket).startsWith("generation " + g + " "), hw.describe());
        }
        LoadGenerator.Result result = load.finish();
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), result + "\n" + hw.describe());
        assertTrue(hw.findLine(Pattern.compile("kept " + Pattern.quote(socket.toString())), 0).isPresent(),
                "the server's delete of the shared socket file was skipped\n" + hw.describe());
        hw.signal("TERM");
        hw.awaitExit(Duration.ofSeconds(40));
        assertTrue(!Files.exists(socket), "hupwatch removed its socket file at exit");
    }

    @Test
    void aPortHupwatchDoesNotHoldIsLeftToTheServer() throws Exception {
        int port = TestServers.freePort();
        int extra = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port),
                TestServers.java("JdkHttpServer", Integer.toString(port), "--extra-port", Integer.toString(extra)));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        assertTrue(Http.get(extra).startsWith("generation 1 "), "the server's own port serves");
        assertEquals(1, hw.linesMatching(Pattern.compile("hupwatch-agent: .* serves tcp:")).size(), hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile(":" + extra)).stream().noneMatch(l -> l.contains("hupwatch-agent")),
                "the agent said nothing of the port it does not hold\n" + hw.describe());
    }

    @Test
    void aSpecificAddressAgainstAWildcardHeldSocketIsLeftAloneWithOneLine() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:0.0.0.0:" + port),
                TestServers.java("JdkHttpServer", Integer.toString(port), "--host", "127.0.0.1"));
        hw.awaitLine(Pattern.compile("left the server's bind of 127\\.0\\.0\\.1:" + port + " alone: hupwatch holds tcp:0\\.0\\.0\\.0:"
                + port), Duration.ofSeconds(60));
        // The server then binds itself, fails (hupwatch holds the port), and hupwatch exits with its status.
        int status = hw.awaitExit(Duration.ofSeconds(60));
        assertTrue(status != 0, "the server could not start, hupwatch says so: " + status + "\n" + hw.describe());
    }

    @Test
    void aNewGenerationThatFailsToStartLeavesTheOldOneServing() throws Exception {
        int port = TestServers.freePort();
        Path flag = dir.resolve("broken");
        // A start script, not java itself: the agent reaches the JVM through JAVA_TOOL_OPTIONS (--jvm-agent on).
        Path script = dir.resolve("start.sh");
        List<String> ok = TestServers.java("JdkHttpServer", Integer.toString(port));
        List<String> broken = TestServers.java("JdkHttpServer", Integer.toString(port), "--fail-after-ms", "300");
        Files.writeString(script, "#!/bin/sh\nif [ -e " + flag + " ]; then exec " + String.join(" ", broken) + "\nfi\nexec "
                + String.join(" ", ok) + "\n");
        script.toFile().setExecutable(true);
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:" + port, "--jvm-agent", "on", "--ready", "auto",
                "--ready-timeout", "30s"), List.of(script.toString()));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        swap(hw, port, 1, 2);
        Files.writeString(flag, "");
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("reload failed"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 2 "), "the old generation still serves\n" + hw.describe());
        Files.delete(flag);
        swap(hw, port, 2, 4);
        assertTrue(hw.findLine(Pattern.compile("Picked up JAVA_TOOL_OPTIONS: -javaagent:"), 0).isPresent(),
                "the agent came through JAVA_TOOL_OPTIONS\n" + hw.describe());
    }

    /** One HUP: {@code next} becomes ready and serves, {@code old} exits. */
    private static void swap(HupwatchProcess hw, int port, int old, int next) throws IOException {
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation " + next + " \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        hw.awaitLine(Pattern.compile("generation " + old + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(port).startsWith("generation " + next + " "), hw.describe());
    }

    @Test
    @Serial // timing: the second JVM must fail its bind within the warm-up, or it counts as ready
    void withTheAgentOffTheServerBindsItselfAsBefore() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(List.of("--jvm-agent", "off", "--warmup", "1s"),
                TestServers.java("JdkHttpServer", Integer.toString(port)));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 1 "));
        hw.signal("HUP");
        // the new JVM cannot bind the port the old one holds: the reload fails and the old one serves
        hw.awaitLine(Pattern.compile("reload failed"), Duration.ofSeconds(60));
        assertTrue(Http.get(port).startsWith("generation 1 "), hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("hupwatch-agent|adopted")).isEmpty(), "no agent\n" + hw.describe());
    }

    @Test
    @Serial
    void onTemurin25HupwatchAndServerAlike() throws Exception {
        Path java25 = TestServers.java25();
        int port = TestServers.freePort();
        List<String> server = new ArrayList<>(TestServers.java("JdkHttpServer", Integer.toString(port)));
        server.set(0, java25.toString());
        // hupwatch itself on 25 too: no "restricted method" (jffi), CDS or agent warning line from either
        List<String> command = new ArrayList<>(List.of("env", "JAVA_HOME=" + java25.getParent().getParent(),
                HupwatchProcess.script().toString(), "--bind", "tcp:127.0.0.1:" + port, "--"));
        command.addAll(server);
        HupwatchProcess hw = HupwatchProcess.startCommand(dir, command);
        cleanup.add(hw);
        swapsUnderLoad(hw, port);
        assertTrue(hw.linesMatching(Pattern.compile("(?i)warning|restricted method")).isEmpty(), hw.describe());
    }
}
