package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults an operator meets, each with the documented exit status, one clear line saying what
 * happened, and nothing left behind: no process, no socket file, no pidfile, no control socket, no
 * runtime directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest extends CliTestSupport {
    /** Kills, by pid, the {@code sleep 300} orphans that daemonizing children recorded: not hupwatch's, ours. */
    @AfterEach
    void killOrphans() throws IOException {
        for (Path file : List.of(dir.resolve("daemon.pids"))) {
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                long pid = Long.parseLong(line.trim());
                if (ProcAlive.isRunning(pid) && ProcFs.comm(pid).equals("sleep")
                        && ProcAlive.cmdline(pid).trim().equals("sleep 300")) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    private Path app() {
        return dir.resolve("app.sock");
    }

    private Path control() {
        return dir.resolve("control.sock");
    }

    private Path pidfile() {
        return dir.resolve("hupwatch.pid");
    }

    private Path runtimeParent() throws IOException {
        return Files.createDirectories(dir.resolve("run"));
    }

    /** hupwatch with the files a production setup has, and its runtime directory under the test directory. */
    private HupwatchProcess startFull(List<String> options, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "XDG_RUNTIME_DIR=" + runtimeParent(),
                HupwatchProcess.script().toString(), "--bind", "unix:" + app(), "--control", control().toString(),
                "--pidfile", pidfile().toString()));
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(List.of(command));
        return HupwatchProcess.startCommand(dir, cmd);
    }

    /** No socket file, control socket, pidfile or runtime directory of hupwatch {@code pid} remains. */
    private void assertNoFilesLeft(long pid) throws IOException {
        assertFalse(Files.exists(app(), LinkOption.NOFOLLOW_LINKS), "the --bind socket file is removed");
        assertFalse(Files.exists(control(), LinkOption.NOFOLLOW_LINKS), "the control socket is removed");
        assertFalse(Files.exists(pidfile(), LinkOption.NOFOLLOW_LINKS), "the pidfile is removed");
        assertFalse(Files.exists(runtimeParent().resolve("hupwatch." + pid)), "the runtime directory is removed");
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, ".hupwatch.pid*")) {
            assertFalse(left.iterator().hasNext(), "no temporary pidfile is left");
        }
    }

    /** hupwatch's own log lines at WARN or ERROR. */
    private static List<String> problems(HupwatchProcess hw) {
        return hw.linesMatching(Pattern.compile("^\\S+ \\[(WARN|ERROR)\\] hupwatch - "));
    }

    @Test
    void termWhileGeneration2IsStartingStopsBothAndExitsWithGeneration1sStatus() throws Exception {
        // Generation 1 exits 11 on TERM; generation 2 is never ready and ignores TERM (killed after the drain timeout).
        Files.writeString(dir.resolve("go-1"), "");
        try (ShellChild child = ShellChild.write(dir, "server.sh", """
                if [ "$HUPWATCH_GENERATION" = 1 ]; then trap 'ev term; exit 11' TERM; else trap 'ev term' TERM; fi
                """);
             HupwatchProcess hw = startFull(List.of("--ready", "exec:test -e " + dir + "/go-$HUPWATCH_GENERATION",
                     "--ready-timeout", "60s", "--drain-timeout", "1s"), child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            HupwatchProcess.await("the pidfile", WAIT, () -> Files.exists(pidfile()));

            HupwatchCli.Running reload = HupwatchCli.start(dir, "reload", "--control", control().toString());
            Event s2;
            try {
                s2 = child.await("start", 2, WAIT);
                String json = ControlRequest.send(control(), "status json");
                assertEquals(List.of(new ControlRequest.Gen(1, s1.pid(), "serving"), new ControlRequest.Gen(2, s2.pid(), "starting")),
                        ControlRequest.generations(json), json);

                hw.signal("TERM");
                assertEquals(11, hw.awaitExit(WAIT), "the exit status of generation 1, the serving one\n" + hw.describe());
                child.await("term", 1, WAIT);
                child.await("term", 2, WAIT);
                hw.awaitLine(gen(2, s2.pid(), "still running 1s after SIGTERM: killed \\(SIGKILL\\)"), WAIT);

                HupwatchCli.Result r = reload.await(WAIT);
                assertEquals(1, r.exit(), "the waiting reload failed: " + r);
                assertTrue(r.stderr().contains("hupwatch is shutting down"), r.toString());
                assertEquals(1, r.stderr().trim().lines().count(), "one line: " + r);
            } finally {
                reload.kill();
            }
            List<String> exits = hw.linesMatching(Pattern.compile("hupwatch exits with"));
            assertEquals(List.of("all generations have exited; hupwatch exits with status 11"),
                    exits.stream().map(l -> l.replaceFirst("^.* hupwatch - ", "")).collect(Collectors.toList()),
                    hw.describe());
            awaitGone(s1.pid(), "generation 1");
            awaitGone(s2.pid(), "generation 2");
            assertNothingLeft(hw);
            assertNoFilesLeft(hw.pid());
            // Last, so that the checks above run either way: no stack trace among the lines (see ResourcesTest).
            assertTrue(hw.stderrText().lines().noneMatch(l -> l.contains("Exception")), hw.describe());
        }
    }

    @Test
    void aChildThatDaemonizesIsStillItsGenerationAndIsStoppedWithIt() throws Exception {
        // A generation is its process tree: the background process is generation 1 once the shell has exited.
        try (HupwatchProcess hw = startFull(List.of("--warmup", "1s"), "/bin/sh", "-c",
                "sleep 300 & echo $! >> '" + dir.resolve("daemon.pids") + "'; exit 0")) {
            hw.awaitLine(Pattern.compile("generation 1: pid \\d+ exited with status 0, 1 process left of it \\(pid \\d+\\)"),
                    WAIT);
            hw.awaitLine(ready(1), WAIT);
            long daemon = Long.parseLong(Files.readString(dir.resolve("daemon.pids")).trim());
            assertRunning(daemon, "the daemonized process");
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), "the status of generation 1's first process\n" + hw.describe());
            assertGone(daemon, "the daemonized process, stopped with its generation");
            assertTrue(problems(hw).isEmpty(), hw.describe());
            assertNothingLeft(hw);
            assertNoFilesLeft(hw.pid());
        }
    }

    @Test
    void aGenerationThatDaemonizesDuringAReloadIsStillThatGenerationAndServes() throws Exception {
        try (ShellChild child = ShellChild.write(dir, "server.sh", """
                if [ "$HUPWATCH_GENERATION" -ge 2 ]; then sleep 300 & echo $! >> "$dir/daemon.pids"; exit 0; fi
                """);
             HupwatchProcess hw = startFull(List.of("--warmup", "500ms", "--drain-timeout", "1s"), child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            HupwatchCli.Result r = HupwatchCli.run(dir, "reload", "--control", control().toString());
            assertEquals(0, r.exit(), "generation 2 is its daemonized process, alive after the warm-up: " + r);
            child.await("term", 1, WAIT);
            awaitGone(s1.pid(), "generation 1");
            long daemon = Long.parseLong(Files.readString(dir.resolve("daemon.pids")).trim());
            assertRunning(daemon, "generation 2's daemonized process");
            assertTermExitsCleanly(hw);
            assertGone(daemon, "generation 2's daemonized process, stopped with it");
            assertNoFilesLeft(hw.pid());
        }
    }

    @Test
    void aPidfileNamingALiveHupwatchIsExit1AndTheFirstInstanceIsUntouched() throws Exception {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess first = startFull(List.of("--warmup", QUICK, "--drain-timeout", "1s"),
                child.path().toString()).track(child)) {
            Event s1 = awaitReady(first, child, 1);
            HupwatchProcess.await("the pidfile", WAIT, () -> Files.exists(pidfile()));
            String pidText = Files.readString(pidfile());
            assertEquals(Long.toString(first.pid()), pidText.trim());
            Object socketKey = Files.readAttributes(app(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            Object controlKey = Files.readAttributes(control(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();

            // The same command again, as a supervisor restarting a unit that never stopped would run it.
            HupwatchCli.Running second = HupwatchCli.start(dir, "--bind", "unix:" + app(), "--control",
                    control().toString(), "--pidfile", pidfile().toString(), "--warmup", QUICK, "--", child.path().toString());
            HupwatchCli.Result r = second.await(WAIT);
            assertEquals(1, r.exit(), r.toString());
            assertEquals(List.of("hupwatch: --pidfile " + pidfile() + " names hupwatch pid " + first.pid()
                    + ", which is running: stop it first, or use another pidfile"), r.stderr().trim().lines().toList(), r.toString());
            assertEquals("", r.stdout(), r.toString());
            try (DirectoryStream<Path> tmp = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
                    "hupwatch." + second.pid() + ".*")) {
                assertFalse(tmp.iterator().hasNext(), "the second instance left no runtime directory");
            }

            // The first instance: same pidfile, same sockets (same inodes), still answering, one generation.
            assertTrue(first.isAlive());
            assertEquals(pidText, Files.readString(pidfile()));
            assertEquals(socketKey, Files.readAttributes(app(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey(), "the --bind socket file is the first instance's");
            assertEquals(controlKey, Files.readAttributes(control(), java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey(), "the control socket file is the first instance's");
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertTrue(c.connect(UnixDomainSocketAddress.of(app())), "the first instance's socket still listens");
            }
            String json = ControlRequest.send(control(), "status json");
            assertTrue(json.contains("\"pid\":" + first.pid() + ","), json);
            assertEquals(List.of(new ControlRequest.Gen(1, s1.pid(), "serving")), ControlRequest.generations(json), json);
            assertEquals(List.of(1), child.startedGenerations(), "the second instance started nothing: " + child.eventsText());
            assertTrue(child.events("term", 1).isEmpty(), child.eventsText());
            assertTrue(problems(first).isEmpty(), first.describe());

            assertTermExitsCleanly(first);
            assertNoFilesLeft(first.pid());
        }
    }
}
