package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads under load with real servers and real load tools: not one request may fail. Each
 * response names its generation, so the test also sees that every reload really swapped servers.
 */
@Timeout(180)
@Serial // wrk and h2load across reloads
class ZeroDowntimeTest {
    /**
     * Two: the first reload replaces the generation that started with the port (bound, or adopted from it), the
     * second one that was itself started by a reload; a third would repeat the second.
     */
    private static final int RELOADS = 2;
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static List<String> java(String mainClass, String... args) {
        return TestServers.onTestClasspath(mainClass, args);
    }

    private static List<String> gunicorn(Path appDir) {
        return List.of("gunicorn", "--chdir", appDir.toString(), "--workers", "2", "--graceful-timeout", "10", "app:app");
    }

    private Path appDir() throws IOException {
        return GunicornApp.copyInto(dir);
    }

    private HupwatchProcess hupwatch(List<String> options, List<String> command) {
        return cleanup.add(HupwatchProcess.start(dir, options, command));
    }

    private interface Probe {
        String get() throws IOException;
    }

    /**
     * Waits for generation 1, runs the load, reloads {@link #RELOADS} times (each time waiting
     * until the new generation serves and the old one has exited), and checks the totals.
     */
    private void reloadUnderLoad(HupwatchProcess hw, Probe probe, LoadGenerator load) throws Exception {
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
        assertTrue(probe.get().startsWith("generation 1 "), "generation 1 serves");
        cleanup.add(load);
        load.start();
        Thread.sleep(1000);
        for (int g = 2; g <= RELOADS + 1; g++) {
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(30));
            String body = probe.get();
            assertTrue(body.startsWith("generation " + g + " "), "after reload " + (g - 1) + " the new generation serves: "
                    + body);
            Thread.sleep(500);
        }
        LoadGenerator.Result result = load.finish();
        System.out.println(getClass().getSimpleName() + ": " + result);
        assertTrue(result.requests() > 500, "the load ran: " + result);
        assertEquals(0, result.failed(), "no request failed during " + RELOADS + " reloads: " + result + "\n"
                + hw.describe());
        hw.signal("TERM");
        int status = hw.awaitExit(Duration.ofSeconds(30));
        assertTrue(status == 0 || status == 143, "clean exit, got " + status + "\n" + hw.describe());
    }

    private static int port(HupwatchProcess hw) {
        Matcher m = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, Duration.ofSeconds(30)));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void jettyOnStdinOverTcp() throws Exception {
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:0", "--pass", "stdin", "--warmup", "2s"),
                java("io.hupwatch.it.servers.JettyServer", "stdin"));
        int port = port(hw);
        reloadUnderLoad(hw, () -> Http.get(port), LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
    }

    @Test
    void jettyWithTheChildApiOverHandoffReadyByNotify() throws Exception {
        HupwatchProcess hw = hupwatch(List.of("--bind", "web=tcp:127.0.0.1:0", "--ready", "notify", "--ready-timeout", "30s"),
                java("io.hupwatch.it.servers.JettyServer", "handoff", "web"));
        int port = port(hw);
        reloadUnderLoad(hw, () -> Http.get(port), LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
        assertTrue(hw.findLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready after .*\\(READY=1\\)"), 0).isPresent(),
                "readiness came from the child API's ready()\n" + hw.describe());
        assertTrue(hw.findLine(Pattern.compile("generation 2 \\(pid \\d+\\) status: jetty started"), 0).isPresent(),
                hw.describe());
    }

    @Test
    void gunicornOnSystemdActivationOverTcp() throws Exception {
        HupwatchProcess hw = hupwatch(List.of("--bind", "tcp:127.0.0.1:0", "--pass", "systemd", "--warmup", "1500ms"),
                gunicorn(appDir()));
        int port = port(hw);
        reloadUnderLoad(hw, () -> Http.get(port), LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
    }

    @Test
    void gunicornOnSystemdActivationOverAUnixSocket() throws Exception {
        Path socket = dir.resolve("app.sock");
        HupwatchProcess hw = hupwatch(List.of("--bind", "unix:" + socket, "--pass", "systemd", "--warmup", "1500ms"),
                gunicorn(appDir()));
        reloadUnderLoad(hw, () -> Http.get(socket), LoadGenerator.h2loadUnix(socket, 8, 3000));
        assertTrue(!Files.exists(socket), "hupwatch removed the socket file it created");
    }

    @Test
    void nettyWithTheChildApiOverHandoffTcp() throws Exception {
        HupwatchProcess hw = hupwatch(List.of("--bind", "api=tcp:127.0.0.1:0", "--warmup", "1500ms"),
                java("io.hupwatch.it.servers.NettyServer", "api"));
        int port = port(hw);
        reloadUnderLoad(hw, () -> Http.get(port), LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
    }

    @Test
    void nettyWithTheChildApiOverHandoffUnix() throws Exception {
        Path socket = dir.resolve("api.sock");
        HupwatchProcess hw = hupwatch(List.of("--bind", "api=unix:" + socket, "--warmup", "1500ms"),
                java("io.hupwatch.it.servers.NettyServer", "api"));
        reloadUnderLoad(hw, () -> Http.get(socket), LoadGenerator.h2loadUnix(socket, 8, 3000));
        assertTrue(hw.linesMatching(Pattern.compile("had been removed")).isEmpty(),
                "the server never unlinked the shared socket path\n" + hw.describe());
    }
}
