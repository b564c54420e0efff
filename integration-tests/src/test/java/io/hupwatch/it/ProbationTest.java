package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probation under load, with real servers: a release that becomes ready and stops 2-3 s later is rolled
 * back with not one failed request, the reload that started it returns 1, hupwatch keeps running and the
 * next good release swaps; {@code hupwatch rollback} does the same on request. The bad release is chosen
 * through {@code --env-file} (read anew at each reload): {@code TEST_EXIT_AFTER_MS} makes the test apps
 * stop themselves.
 */
@Timeout(150)
@Serial // its probations are timing windows (the gunicorn case's 4 s probation races the app's exit), under wrk
class ProbationTest {
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** {@code asGiven}: without the test default {@code --probation 0} when the options set none. */
    private HupwatchProcess hupwatch(boolean asGiven, List<String> options, List<String> command) {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(command);
        String[] a = args.toArray(String[]::new);
        return cleanup.add(asGiven ? HupwatchProcess.startAsGiven(dir, a) : HupwatchProcess.start(dir, a));
    }

    private Path envFile() {
        return dir.resolve("release.env");
    }

    private Path control() {
        return dir.resolve("control.sock");
    }

    private static Pattern gen(int n, String what) {
        return Pattern.compile("generation " + n + " \\(pid \\d+\\) " + what);
    }

    /** Generations that answered {@code count} requests in a row. */
    private static List<String> answers(int port, int count) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = Http.get(port);
            seen.add(body.substring(0, body.indexOf(" pid")));
        }
        return seen;
    }

    /**
     * Generation 1 serves under load; a reload to a release that stops itself is rolled back (reload exits 1);
     * the next, good release swaps and is confirmed (reload exits 0).
     */
    private void badReleaseRolledBack(HupwatchProcess hw, int port, boolean agent) throws Exception {
        hw.awaitLine(gen(1, "ready"), Duration.ofSeconds(60));
        awaitAnswer(port);
        LoadGenerator load = cleanup.add(LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
        load.start();
        Thread.sleep(1000);

        Files.writeString(envFile(), "TEST_EXIT_AFTER_MS=3000\n");
        HupwatchCli.Running reload = HupwatchCli.start(dir, "reload", "--control", control().toString());
        hw.awaitLine(gen(2, "on probation for .*" + (agent ? "paused" : "keeps accepting alongside")),
                Duration.ofSeconds(60));
        String rolledBack = hw.awaitLine(Pattern.compile(
                "rolled back to generation 1: generation 2 .* (exited|began to stop)"),
                Duration.ofSeconds(30));
        HupwatchCli.Result failed = reload.await(Duration.ofSeconds(30));
        assertEquals(1, failed.exit(), "the reload of the bad release fails: " + failed + "\n" + hw.describe());
        assertTrue(failed.stderr().contains("rolled back to generation 1"), failed.stderr());
        assertEquals(List.of("generation 1"), answers(port, 5).stream().distinct().toList(),
                "generation 1 serves again\n" + hw.describe());
        HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control().toString());
        assertTrue(status.stdout().contains("last failed reload: rolled back to generation 1"), status.stdout());
        if (agent) {
            assertTrue(hw.findLine(Pattern.compile("generation 1 .*resumed: accepting again"), 0).isPresent(),
                    hw.describe());
        }

        Files.writeString(envFile(), "");
        HupwatchCli.Result ok = HupwatchCli.start(dir, "reload", "--control", control().toString())
                .await(Duration.ofSeconds(60));
        assertEquals(0, ok.exit(), "the good release is confirmed: " + ok + "\n" + hw.describe());
        hw.awaitLine(gen(3, "confirmed"), Duration.ofSeconds(5));
        hw.awaitLine(gen(1, "exited"), Duration.ofSeconds(30));
        assertEquals(List.of("generation 3"), answers(port, 3).stream().distinct().toList(), hw.describe());

        LoadGenerator.Result result = load.finish();
        System.out.println("probation, bad then good release: " + result + "; " + rolledBack);
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), "no request failed: " + result + "\n" + hw.describe());
        assertTrue(hw.isAlive(), "hupwatch keeps running");
        hw.signal("TERM");
        int exit = hw.awaitExit(Duration.ofSeconds(40));
        assertTrue(exit == 0 || exit == 143, "clean exit, got " + exit + "\n" + hw.describe());
    }

    private static void awaitAnswer(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                Http.get(port);
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void springBootReleaseThatStopsAfterItIsReadyIsRolledBackUnderTheDefaultProbation() throws Exception {
        int port = TestServers.freePort();
        Files.writeString(envFile(), "");
        // the literal form: no --bind (the agent adopts the port), no --probation (the default: 10s with the agent)
        HupwatchProcess hw = hupwatch(true, List.of("--control", control().toString(), "--env-file",
                envFile().toString()), TestServers.springBoot(port));
        badReleaseRolledBack(hw, port, true);
    }

    @Test
    void gunicornReleaseThatStopsAfterItIsReadyIsRolledBack() throws Exception {
        Files.writeString(envFile(), "");
        Path app = GunicornApp.copyInto(dir);
        // ready when a worker boots, not after a guessed warm-up: on a loaded machine gunicorn took 3.5 s to start,
        // and a 4 s probation counted from a 1 s warm-up ended before the bad release stopped itself
        HupwatchProcess hw = hupwatch(false, List.of("--bind", "tcp:127.0.0.1:0", "--pass", "systemd", "--ready",
                "log:Booting worker", "--probation", "6s", "--control", control().toString(), "--env-file",
                envFile().toString()),
                List.of("gunicorn", "--chdir", app.toString(), "--workers", "2", "--graceful-timeout", "10", "app:app"));
        Matcher m = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, Duration.ofSeconds(30)));
        assertTrue(m.find());
        badReleaseRolledBack(hw, Integer.parseInt(m.group(1)), false);
    }

    @Test
    void rollbackOnRequestUnderLoad() throws Exception {
        int port = TestServers.freePort();
        HupwatchProcess hw = hupwatch(false, List.of("--bind", "tcp:127.0.0.1:" + port, "--probation", "30s",
                "--control", control().toString()), TestServers.java("JdkHttpServer", Integer.toString(port)));
        hw.awaitLine(gen(1, "ready"), Duration.ofSeconds(30));
        HupwatchCli.Result nothing = HupwatchCli.run(dir, "rollback", "--control", control().toString());
        assertEquals(1, nothing.exit(), nothing.toString());
        assertTrue(nothing.stderr().startsWith("hupwatch: nothing to roll back to"), nothing.stderr());

        LoadGenerator load = cleanup.add(LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir));
        load.start();
        Thread.sleep(1000);
        HupwatchCli.Running reload = HupwatchCli.start(dir, "reload", "--control", control().toString());
        hw.awaitLine(gen(2, "on probation for 30s: generation 1 \\(pid \\d+\\) paused"), Duration.ofSeconds(30));
        Thread.sleep(1000);
        assertEquals(List.of("generation 2"), answers(port, 5).stream().distinct().toList(),
                "only the new generation accepts while the old one is paused\n" + hw.describe());
        HupwatchCli.Result rollback = HupwatchCli.run(dir, "rollback", "--control", control().toString());
        assertEquals(0, rollback.exit(), rollback.toString());
        assertTrue(rollback.stdout().startsWith("rolled back: generation 1 (pid "), rollback.stdout());
        assertEquals(1, reload.await(Duration.ofSeconds(10)).exit(), "the reload it ended failed");
        hw.awaitLine(Pattern.compile("rolled back to generation 1: asked for on the control socket"), Duration.ofSeconds(5));
        hw.awaitLine(gen(2, "exited"), Duration.ofSeconds(30));
        assertEquals(List.of("generation 1"), answers(port, 5).stream().distinct().toList(), hw.describe());
        Thread.sleep(500);
        LoadGenerator.Result result = load.finish();
        System.out.println("probation, rollback on request: " + result);
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), "no request failed: " + result + "\n" + hw.describe());
        HupwatchCli.Result again = HupwatchCli.run(dir, "rollback", "--control", control().toString());
        assertEquals(1, again.exit(), "nothing left to roll back to: " + again);
        hw.signal("TERM");
        int exit = hw.awaitExit(Duration.ofSeconds(30));
        assertTrue(exit == 0 || exit == 143, "clean exit, got " + exit + "\n" + hw.describe());
    }
}
