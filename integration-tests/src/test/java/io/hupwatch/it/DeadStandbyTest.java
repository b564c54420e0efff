package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Issue 25: the JVM of the generation kept warm during a probation dies (kill -9; two JVMs resident, OOM)
 * while its process tree lingers ({@code sh -c 'java ...; sleep 60'}). Before the fix, {@code hupwatch
 * rollback} answered "rolled back: generation 1 ... is serving again" (exit 0), drained the healthy
 * generation 2, and the port answered nothing. Now the probation ends when generation 1's agent link
 * closes (or the rollback finds no answer to RESUME): rollback exits 1 with the reason, generation 2 serves.
 * Generation 1's tree also holds a launcher's agent link ({@link #LAUNCHER_LINK}: a JVM that started the server's
 * JVM and serves no socket) that outlives the server's JVM and answers RESUME: it is not counted (before, the
 * rollback went to generation 1 on its answer).
 */
@Timeout(90)
class DeadStandbyTest {
    private static final Pattern PROBATION = Pattern.compile(
            "generation 2 \\(pid \\d+\\) on probation for .*: generation 1 \\(pid (\\d+)\\) paused");

    /**
     * A launcher's agent link: it says {@code AGENT 1} on the generation's link (from {@code HUPWATCH_AGENT}) and
     * answers every RESUME with RESUMED, but never says it serves a socket.
     */
    private static final String LAUNCHER_LINK = String.join("\n",
            "import os, socket, sys",
            "s = dict(f.split('=', 1) for f in os.environ['HUPWATCH_AGENT'].split(';') if '=' in f)",
            "c = socket.socket(socket.AF_UNIX)",
            "c.connect(s['link'].replace('%3B', ';').replace('%25', '%'))",
            "got = b''",
            "while b'\\nend\\n' not in got:",
            "    got += c.recv(4096)",
            "c.sendall(b'AGENT 1\\n')",
            "print('launcher link made', file=sys.stderr, flush=True)",
            "for line in c.makefile('rb'):",
            "    if line.strip() == b'RESUME':",
            "        c.sendall(b'RESUMED\\n')");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void aKeptGenerationWhoseJvmDiedIsNotRolledBackTo() throws Exception {
        int port = TestServers.freePort();
        String control = dir.resolve("control.sock").toString();
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "code=$1; shift; python3 -c \"$code\" & \"$@\"; sleep 60", "linger", LAUNCHER_LINK));
        command.addAll(TestServers.java("JdkHttpServer", Integer.toString(port)));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:127.0.0.1:" + port,
                "--jvm-agent", "on", "--probation", "120s", "--control", control), command));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(30));
        hw.awaitLine(Pattern.compile("launcher link made"), Duration.ofSeconds(30));

        HupwatchCli.Running reload = HupwatchCli.start(dir, "reload", "--control", control);
        Matcher m = PROBATION.matcher(hw.awaitLine(PROBATION, Duration.ofSeconds(30)));
        assertTrue(m.find());
        long shell = Long.parseLong(m.group(1));
        List<Long> jvms = ProcFs.children(shell).stream().filter(p -> ProcFs.comm(p).equals("java")).toList();
        assertEquals(1, jvms.size(), "generation 1's JVM under its shell: " + jvms);
        ProcessHandle jvm = ProcessHandle.of(jvms.get(0)).orElseThrow();
        jvm.destroyForcibly(); // SIGKILL
        HupwatchProcess.await("generation 1's JVM gone", Duration.ofSeconds(10), () -> !jvm.isAlive());
        assertTrue(ProcessHandle.of(shell).isPresent(), "its tree lingers (sleep 60)");

        HupwatchCli.Result rollback = HupwatchCli.run(dir, "rollback", "--control", control);
        assertEquals(1, rollback.exit(), "no rollback to a dead generation: " + rollback + "\n" + hw.describe());
        assertTrue(rollback.stderr().contains("generation 1 (pid " + shell + ")"), rollback.stderr());
        for (int i = 0; i < 5; i++) {
            assertTrue(Http.get(port).startsWith("generation 2"), "generation 2 keeps serving\n" + hw.describe());
        }
        hw.awaitLine(Pattern.compile("generation 1 \\(pid " + shell + "\\), kept warm for the probation, lost its JVM"
                + "|not rolled back to generation 1 .*did not answer RESUME"), Duration.ofSeconds(5));
        assertEquals(0, reload.await(Duration.ofSeconds(10)).exit(), "the reload succeeded: generation 2 is confirmed");
        hw.awaitLine(Pattern.compile("generation 1 \\(pid " + shell + "\\) exited"), Duration.ofSeconds(30));
        assertTrue(Http.get(port).startsWith("generation 2"), hw.describe());
        assertTrue(hw.isAlive(), "hupwatch keeps running");
        hw.signal("TERM");
        int exit = hw.awaitExit(Duration.ofSeconds(30));
        assertTrue(exit == 0 || exit == 143, "clean exit, got " + exit + "\n" + hw.describe());
    }
}
