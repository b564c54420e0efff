package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code --control PATH} with the {@code hupwatch reload} and {@code hupwatch status} clients, run
 * as separate commands the way an operator or a deploy script runs them.
 */
@Serial // a failing generation must exit within a 300 ms warm-up: timing, which a test beside it upsets
class ControlSocketTest extends CliTestSupport {

    private Path control() {
        return dir.resolve("control.sock");
    }

    private HupwatchCli.Result reload(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("reload", "--control", control().toString()));
        args.addAll(List.of(extra));
        return HupwatchCli.run(dir, args.toArray(String[]::new));
    }

    private HupwatchCli.Result status(boolean json) {
        return json ? HupwatchCli.run(dir, "status", "--control", control().toString(), "--json")
                : HupwatchCli.run(dir, "status", "--control", control().toString());
    }

    /**
     * Checks {@code json} with Python's json module (a real parser) and prints the fields the test
     * compares, one {@code key=value} per line.
     */
    private String jsonFields(String json) throws Exception {
        Path input = dir.resolve("status.json");
        Files.writeString(input, json);
        String program = """
                import json, sys
                d = json.load(open(sys.argv[1]))
                assert set(d) == {"pid", "ready", "shutting_down", "generations", "sockets", "reloads", "history"}, sorted(d)
                assert set(d["reloads"]) == {"ok", "failed", "last_failure"}, sorted(d["reloads"])
                print("pid=%d" % d["pid"])
                print("ready=%s" % d["ready"])
                print("shutting_down=%s" % d["shutting_down"])
                print("sockets=%s" % ",".join(d["sockets"]))
                print("reloads=%d/%d/%s" % (d["reloads"]["ok"], d["reloads"]["failed"], d["reloads"]["last_failure"]))
                for g in d["generations"]:
                    assert set(g) == {"generation", "pid", "state", "age_ms", "status", "connections"}, sorted(g)
                    assert isinstance(g["age_ms"], int) and g["age_ms"] >= 0, g
                    print("generation=%d %d %s %s" % (g["generation"], g["pid"], g["state"], g["status"]))
                for h in d["history"]:
                    assert set(h) == {"generation", "asked_at", "requests", "outcome", "reason", "ready_ms",
                                      "old_generation", "drain_ms", "connections_left", "old_exit_status"}, sorted(h)
                    print("history=%s %s %s %s" % (h["generation"], h["outcome"], h["old_generation"], h["old_exit_status"]))
                """;
        Path script = dir.resolve("fields.py");
        Files.writeString(script, program);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), input.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "hupwatch status --json printed invalid JSON: " + json + "\n" + out);
        return out;
    }

    @Test
    void reloadAndStatusThroughTheControlSocket() throws Exception {
        ChildScript child = ChildScript.in(dir).write();
        Path pidfile = dir.resolve("hupwatch.pid");
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s", "--bind",
                "web=tcp:127.0.0.1:0", "--control", control().toString(), "--pidfile", pidfile.toString())) {
            Event s1 = awaitReady(hw, child, 1);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(control(),
                    LinkOption.NOFOLLOW_LINKS)), "mode of the control socket");
            String port = Pattern.compile("listening on (tcp:127\\.0\\.0\\.1:\\d+)")
                    .matcher(hw.awaitLine(literal("listening on tcp:"), WAIT)).results().findFirst().orElseThrow().group(1);

            HupwatchCli.Result text = status(false);
            assertEquals(0, text.exit(), text.toString());
            List<String> lines = text.stdout().lines().toList();
            assertTrue(lines.get(0).matches("hupwatch pid " + hw.pid() + ", ready: .+, reloads: 0 ok, 0 failed"), text.toString());
            assertTrue(Pattern.compile("^\\s*generation 1\\s+pid " + s1.pid() + "\\s+serving\\s+up \\S+", Pattern.MULTILINE)
                    .matcher(text.stdout()).find(), text.toString());
            assertTrue(text.stdout().contains("web " + port), "the socket is listed: " + text);

            HupwatchCli.Result reloaded = reload();
            Event s2 = child.await("start", 2, WAIT);
            assertEquals(0, reloaded.exit(), reloaded.toString());
            assertEquals("reloaded: generation 2 (pid " + s2.pid() + ") is serving", reloaded.stdout().trim(), reloaded.toString());
            hw.awaitLine(Pattern.compile("hupwatch - reload requested \\(on the control socket\\): starting generation 2"), WAIT);
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);
            awaitGone(s1.pid(), "generation 1");
            hw.awaitLine(gen(1, s1.pid(), "exited with status 0"), WAIT);

            HupwatchCli.Result json = status(true);
            assertEquals(0, json.exit(), json.toString());
            assertEquals(1, json.stdout().trim().lines().count(), "one line of JSON: " + json);
            String fields = jsonFields(json.stdout().trim());
            assertTrue(fields.contains("pid=" + hw.pid() + "\n"), fields);
            assertTrue(fields.contains("shutting_down=False\n"), fields);
            assertTrue(fields.contains("sockets=web " + port + "\n"), fields);
            assertTrue(fields.contains("reloads=1/0/None\n"), fields);
            assertTrue(fields.contains("generation=2 " + s2.pid() + " serving None\n"), fields);
            assertTrue(fields.contains("history=2 swapped 1 0\n"), fields);
            assertFalse(fields.contains("generation=1 "), "generation 1 has exited: " + fields);

            assertEquals(Long.toString(hw.pid()), Files.readString(pidfile).trim());
            assertTermExitsCleanly(hw);
            assertFalse(Files.exists(control(), LinkOption.NOFOLLOW_LINKS), "the control socket is removed at exit");
            assertFalse(Files.exists(pidfile), "the pidfile is removed at exit");
            HupwatchCli.Result gone = reload();
            assertEquals(2, gone.exit(), "no instance any more: " + gone);
        }
    }

    @Test
    void aFailedReloadExits1WithTheReasonAndTheOldGenerationKeepsServing() throws Exception {
        ChildScript child = ChildScript.in(dir).failCode(3).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s", "--control",
                control().toString())) {
            Event s1 = awaitReady(hw, child, 1);

            child.failNewGenerations();
            HupwatchCli.Result failed = reload();
            Event f2 = child.await("fail", 2, WAIT);
            assertEquals(1, failed.exit(), failed.toString());
            assertEquals("hupwatch: reload failed: generation 2 (pid " + f2.pid() + ") exited with status 3 before it was"
                    + " ready; the old generation keeps serving", failed.stderr().trim(), failed.toString());
            assertEquals("", failed.stdout(), failed.toString());
            assertTrue(child.events("term", 1).isEmpty(), child.eventsText());
            assertRunning(s1.pid(), "generation 1");

            HupwatchCli.Result text = status(false);
            assertTrue(text.stdout().lines().findFirst().orElse("").endsWith("reloads: 0 ok, 1 failed"), text.toString());
            assertTrue(text.stdout().contains("generation 2 (pid " + f2.pid() + ") exited with status 3 before it was ready"),
                    "the last failure is shown: " + text);
            String fields = jsonFields(status(true).stdout().trim());
            assertTrue(fields.contains("reloads=0/1/generation 2 (pid " + f2.pid() + ") exited with status 3 before it was ready\n"),
                    fields);
            assertTrue(fields.contains("generation=1 " + s1.pid() + " serving None\n"), fields);

            child.stopFailing();
            HupwatchCli.Result ok = reload("--timeout", "20s");
            Event s3 = child.await("start", 3, WAIT);
            assertEquals(0, ok.exit(), ok.toString());
            assertEquals("reloaded: generation 3 (pid " + s3.pid() + ") is serving", ok.stdout().trim());
            child.await("term", 1, WAIT);
            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void reloadAndStatusExit2WhenNoHupwatchAnswersAtThePath() throws IOException {
        HupwatchCli.Result missing = reload();
        assertEquals(2, missing.exit(), missing.toString());
        assertEquals(1, missing.stderr().trim().lines().count(), "one line: " + missing);
        assertTrue(missing.stderr().contains(control().toString()), "names the path: " + missing);
        assertFalse(missing.stderr().contains("Exception"), missing.toString());

        // A socket file left behind, with nobody listening.
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(control()));
        }
        assertTrue(Files.exists(control()));
        HupwatchCli.Result stale = HupwatchCli.run(dir, "status", "--control", control().toString());
        assertEquals(2, stale.exit(), stale.toString());
        assertFalse(stale.stderr().contains("Exception"), stale.toString());
    }

    /** Connections accepted on the control socket and still open (from /proc/net/unix: state connected, our path). */
    private long openControlConnections() {
        try {
            return Files.readAllLines(Path.of("/proc/net/unix")).stream().skip(1)
                    .map(l -> l.trim().split("\\s+"))
                    .filter(w -> w.length >= 8 && w[5].equals("03") && w[7].equals(control().toString()))
                    .count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void reloadRequestsDuringAReloadJoinTheFollowUpReload() throws Exception {
        // A generation is ready once the test creates go-N, so generation 2 is starting for as long as the test needs.
        ChildScript child = ChildScript.in(dir).write();
        Files.writeString(dir.resolve("go-1"), "");
        try (HupwatchProcess hw = start(child, "--ready", "exec:test -e " + dir + "/go-$HUPWATCH_GENERATION",
                "--ready-timeout", "20s", "--drain-timeout", "1s", "--control", control().toString())) {
            awaitReady(hw, child, 1);

            List<HupwatchCli.Running> clients = new java.util.ArrayList<>();
            try {
                HupwatchCli.Running first = HupwatchCli.start(dir, "reload", "--control", control().toString());
                clients.add(first);
                Event s2 = child.await("start", 2, WAIT);
                HupwatchCli.Running second = HupwatchCli.start(dir, "reload", "--control", control().toString());
                HupwatchCli.Running third = HupwatchCli.start(dir, "reload", "--control", control().toString());
                clients.add(second);
                clients.add(third);
                HupwatchProcess.await("three reload clients connected", WAIT, () -> openControlConnections() >= 3);
                hw.awaitLine(Pattern.compile("while generation 2 \\(pid \\d+\\) is starting: one more reload will follow"), WAIT);
                hw.signal("HUP");
                String during = jsonFields(status(true).stdout().trim());
                assertTrue(during.contains("generation=1 ") && during.contains(" serving None\n"), during);
                assertTrue(during.contains("generation=2 " + s2.pid() + " starting None\n"), "status shows the starting generation: " + during);
                assertTrue(first.isAlive() && second.isAlive() && third.isAlive(), "every client waits for its outcome");
                assertEquals(List.of(1, 2), child.startedGenerations(), "at most one generation is starting");

                Files.writeString(dir.resolve("go-2"), "");
                HupwatchCli.Result r1 = first.await(WAIT);
                assertEquals(0, r1.exit(), r1.toString());
                assertEquals("reloaded: generation 2 (pid " + s2.pid() + ") is serving", r1.stdout().trim());
                Event s3 = child.await("start", 3, WAIT);
                HupwatchProcess.sleep(200);
                assertTrue(second.isAlive() && third.isAlive(), "the joined requests wait for the follow-up reload");

                Files.writeString(dir.resolve("go-3"), "");
                HupwatchCli.Result r2 = second.await(WAIT);
                HupwatchCli.Result r3 = third.await(WAIT);
                for (HupwatchCli.Result r : List.of(r2, r3)) {
                    assertEquals(0, r.exit(), r.toString());
                    assertEquals("reloaded: generation 3 (pid " + s3.pid() + ") is serving", r.stdout().trim(),
                            "a request made while generation 2 was starting is answered by the follow-up reload");
                }
            } finally {
                clients.forEach(HupwatchCli.Running::kill);
            }
            child.await("term", 2, WAIT);
            HupwatchProcess.sleep(300);
            assertEquals(List.of(1, 2, 3), child.startedGenerations(), "one follow-up reload for all: " + child.eventsText());
            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void reloadGivesUpAfterItsTimeoutWhileTheReloadGoesOn() throws Exception {
        ChildScript child = ChildScript.in(dir).write();
        Files.writeString(dir.resolve("go-1"), "");
        try (HupwatchProcess hw = start(child, "--ready", "exec:test -e " + dir + "/go-$HUPWATCH_GENERATION",
                "--ready-timeout", "20s", "--drain-timeout", "1s", "--control", control().toString())) {
            awaitReady(hw, child, 1);
            HupwatchCli.Result r = reload("--timeout", "500ms");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.stderr().contains("no outcome within 500ms"), r.toString());
            assertEquals(1, r.stderr().trim().lines().count(), "one line: " + r);
            Event s2 = child.await("start", 2, WAIT);
            assertTrue(child.events("term", 1).isEmpty(), "generation 1 serves on while 2 starts");

            Files.writeString(dir.resolve("go-2"), "");
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);
            String fields = jsonFields(status(true).stdout().trim());
            assertTrue(fields.contains("reloads=1/0/None\n") && fields.contains("generation=2 " + s2.pid() + " serving"), fields);
            assertTermExitsCleanly(hw);
        }
    }
}
