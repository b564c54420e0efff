package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * hupwatch itself SIGKILLed (the OOM killer's way): nothing can run in hupwatch any more, so the
 * generations must go by themselves (parent-death signal TERM from {@code setpriv --pdeathsig}, and
 * for child-API servers end-of-file on the handoff connection). Within 5 s of the SIGKILL every
 * process hupwatch started has exited and nothing listens on the port any more: a supervisor that
 * restarts hupwatch can bind it again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WrapperKilledTest extends CliTestSupport {
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");
    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    /** Processes seen under hupwatch before the SIGKILL, with their command lines, for the cleanup. */
    private final Map<Long, String> started = new LinkedHashMap<>();

    /** Kills, by pid, whatever survived hupwatch (only while the pid still runs the same command line). */
    @AfterEach
    void killSurvivors() {
        started.forEach((pid, cmdline) -> {
            if (ProcAlive.isRunning(pid) && ProcAlive.cmdline(pid).equals(cmdline)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        });
    }

    /**
     * Starts hupwatch with {@code XDG_RUNTIME_DIR} in the test directory, so that the runtime directory a
     * SIGKILLed hupwatch cannot remove lands there rather than in /tmp.
     */
    private HupwatchProcess start(List<String> options, List<String> command) throws IOException {
        Path runtime = Files.createDirectories(dir.resolve("run"));
        List<String> cmd = new ArrayList<>(List.of("env", "XDG_RUNTIME_DIR=" + runtime, HupwatchProcess.script().toString()));
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(command);
        return HupwatchProcess.startCommand(dir, cmd);
    }

    private static int port(HupwatchProcess hw) {
        Matcher m = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, WAIT));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /**
     * Collects hupwatch's descendants, SIGKILLs hupwatch, and checks that every one of them has exited
     * within {@link #GONE_WITHIN} and that the port is free again. Returns how long they took.
     */
    private long killHupwatchAndCheckEverythingGoes(HupwatchProcess hw, int port, int atLeast) throws Exception {
        List<Long> before = ProcFs.descendants(hw.pid());
        for (long pid : before) {
            started.put(pid, ProcAlive.cmdline(pid));
        }
        String tree = started.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n"));
        assertTrue(before.size() >= atLeast, "expected at least " + atLeast + " processes under hupwatch:\n" + tree);
        assertTrue(ProcFs.tcpListening(port), "port " + port + " listens before the SIGKILL");

        long t0 = System.nanoTime();
        hw.signal("KILL");
        assertEquals(137, hw.awaitExit(WAIT), "hupwatch died of SIGKILL");
        long deadline = t0 + GONE_WITHIN.toNanos();
        while (before.stream().anyMatch(ProcAlive::isRunning) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> survivors = before.stream().filter(ProcAlive::isRunning)
                .map(p -> p + ": " + ProcAlive.cmdline(p)).collect(Collectors.toList());
        assertTrue(survivors.isEmpty(), "still running " + tookMs + "ms after hupwatch was SIGKILLed:\n"
                + String.join("\n", survivors) + "\nall it had started:\n" + tree + "\n" + hw.describe());

        while (ProcFs.tcpListening(port) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(ProcFs.tcpListening(port), "something still listens on port " + port + " "
                + (System.nanoTime() - t0) / 1_000_000 + "ms after the SIGKILL");
        assertThrows(IOException.class, () -> Http.get(port), "nobody answers on port " + port);
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
        System.out.println(getClass().getSimpleName() + ": " + before.size() + " processes gone " + tookMs
                + "ms after SIGKILL of hupwatch; port " + port + " free");
        return tookMs;
    }

    @Test
    void gunicornUnderSystemdPassDiesWithHupwatch() throws Exception {
        Path app = GunicornApp.copyInto(dir);
        try (HupwatchProcess hw = start(List.of("--bind", "tcp:127.0.0.1:0", "--pass", "systemd",
                "--ready", "log:Booting worker", "--ready-timeout", "20s"),
                List.of("gunicorn", "--chdir", app.toString(), "--workers", "2", "app:app"))) {
            int port = port(hw);
            hw.awaitLine(ready(1), WAIT);
            // A swap first, so the serving generation is one started by a reload.
            hw.signal("HUP");
            hw.awaitLine(ready(2), WAIT);
            hw.awaitLine(gen(1, "exited"), WAIT);
            assertTrue(Http.get(port).startsWith("generation 2 "));
            // The master and both workers.
            HupwatchProcess.await("both gunicorn workers of generation 2", WAIT,
                    () -> ProcFs.descendants(hw.pid()).size() >= 3);
            killHupwatchAndCheckEverythingGoes(hw, port, 3);
        }
    }

    @Test
    void shellChildrenUnderStdinPassDieWithHupwatchEvenMidReload() throws Exception {
        // Generation 2 never gets ready, so it is "starting" when hupwatch is killed: both must go.
        ChildScript child = ChildScript.in(dir).write();
        Files.writeString(dir.resolve("go-1"), "");
        try (HupwatchProcess hw = start(List.of("--bind", "tcp:127.0.0.1:0", "--pass", "stdin",
                "--ready", "exec:test -e " + dir + "/go-$HUPWATCH_GENERATION", "--ready-timeout", "60s"),
                List.of(child.path().toString())).track(child)) {
            int port = port(hw);
            Event s1 = awaitReady(hw, child, 1);
            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            assertTrue(ProcFs.children(hw.pid()).containsAll(List.of(s1.pid(), s2.pid())), "both generations run");
            killHupwatchAndCheckEverythingGoes(hw, port, 2);
            assertFalse(child.events("term", 1).isEmpty() || child.events("term", 2).isEmpty(),
                    "the parent-death signal is TERM, which both generations recorded:\n" + child.eventsText());
        }
    }

    /**
     * What a supervisor does next: start hupwatch again with the same options. The files the killed
     * instance could not remove (pidfile naming a dead pid, control socket and --bind socket with
     * nobody listening) must not stop the new one.
     */
    @Test
    void hupwatchStartedAgainAfterSigkillReplacesTheStaleFiles() throws Exception {
        ChildScript child = ChildScript.in(dir).write();
        Path app = dir.resolve("app.sock");
        Path control = dir.resolve("control.sock");
        Path pidfile = dir.resolve("hupwatch.pid");
        List<String> options = List.of("--bind", "unix:" + app, "--control", control.toString(), "--pidfile",
                pidfile.toString(), "--warmup", QUICK, "--drain-timeout", "1s");
        try (HupwatchProcess first = start(options, List.of(child.path().toString())).track(child)) {
            Event s1 = awaitReady(first, child, 1);
            HupwatchProcess.await("the pidfile", WAIT, () -> Files.exists(pidfile));
            first.signal("KILL");
            assertEquals(137, first.awaitExit(WAIT));
            awaitGone(s1.pid(), "generation 1 of the killed hupwatch");
            Path staleRuntime = dir.resolve("run").resolve("hupwatch." + first.pid());
            List<String> stale = new ArrayList<>();
            for (Path p : List.of(pidfile, control, app, staleRuntime)) {
                if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    stale.add(p.getFileName().toString());
                }
            }

            try (HupwatchProcess second = start(options, List.of(child.path().toString())).track(child)) {
                Event s2 = child.await("start of generation 1 under the second hupwatch", WAIT,
                        e -> e.kind().equals("start") && e.wrapper() == second.pid());
                second.awaitLine(ready(1), WAIT);
                HupwatchProcess.await("the new pidfile", WAIT, () -> {
                    try {
                        return Files.readString(pidfile).trim().equals(Long.toString(second.pid()));
                    } catch (IOException e) {
                        return false;
                    }
                });
                String json = ControlRequest.send(control, "status json");
                assertTrue(json.contains("\"pid\":" + second.pid() + ","), json);
                assertEquals(List.of(new ControlRequest.Gen(1, s2.pid(), "serving")), ControlRequest.generations(json));
                try (var c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                    assertTrue(c.connect(java.net.UnixDomainSocketAddress.of(app)), "the socket path listens again");
                }
                System.out.println(getClass().getSimpleName() + ": left by the SIGKILLed hupwatch: " + stale
                        + "; its runtime directory still there after the restart: " + Files.exists(staleRuntime));
                assertTermExitsCleanly(second);
                assertFalse(Files.exists(app) || Files.exists(control) || Files.exists(pidfile), "removed at exit");
            }
        }
    }

    @Test
    void jettyOnTheChildApiUnderHandoffDiesWithHupwatch() throws Exception {
        List<String> jetty = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), "io.hupwatch.it.servers.JettyServer", "handoff", "web");
        try (HupwatchProcess hw = start(List.of("--bind", "web=tcp:127.0.0.1:0", "--ready", "notify",
                "--ready-timeout", "30s"), jetty)) {
            int port = port(hw);
            hw.awaitLine(ready(1), Duration.ofSeconds(30));
            assertTrue(Http.get(port).startsWith("generation 1 "));
            killHupwatchAndCheckEverythingGoes(hw, port, 1);
        }
    }

    /**
     * A JVM the parent-death signal does not reach (a start script runs java without exec): when hupwatch is
     * SIGKILLed, the agent sees end-of-file on its link and stops the JVM as on the stop signal.
     */
    @Test
    void aJvmUnderAStartScriptThatDoesNotExecStopsWhenTheAgentsLinkCloses() throws Exception {
        int port = TestServers.freePort();
        String java = String.join(" ", TestServers.java("JdkHttpServer", Integer.toString(port)));
        try (HupwatchProcess hw = start(List.of("--bind", "tcp:127.0.0.1:" + port, "--jvm-agent", "on", "--ready", "auto"),
                List.of("/bin/sh", "-c", java + "; echo the script outlived java"))) {
            hw.awaitLine(ready(1), Duration.ofSeconds(30));
            assertTrue(Http.get(port).startsWith("generation 1 "));
            killHupwatchAndCheckEverythingGoes(hw, port, 2);
            assertTrue(hw.findLine(Pattern.compile("hupwatch is gone \\(its link closed\\): stopping as on SIGTERM"), 0)
                    .isPresent(), hw.describe());
        }
    }
}
