package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Only the generation's own processes are its tree (run as root, as CI does): a process of another
 * user, or one of the same user that merely carries {@code HUPWATCH_PID} and {@code HUPWATCH_GENERATION},
 * is never signalled and never keeps a generation from counting as exited; a daemon that left the
 * tree is let go of after the drain timeout.
 */
@Serial // machine-wide state: a cgroup v2 directory, processes of another user
@Timeout(120)
class TreeMembershipTest {
    private static final String NOBODY = "65534";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** hupwatch's first start after a build also makes its class-data archive: slow on a busy machine. */
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern STRANGER = Pattern.compile("stranger (\\d+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** hupwatch with a short drain timeout, ready 200 ms after a start, running {@code sh -c SCRIPT}. */
    private HupwatchProcess hupwatch(String script) {
        return cleanup.add(HupwatchProcess.start(dir, List.of("--drain-timeout", "1s", "--ready", "delay",
                "--warmup", "200ms"), List.of("/bin/sh", "-c", script)));
    }

    /** Starts {@code command} from the test (not a descendant of hupwatch); killed by pid after the test. */
    private Process stranger(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            cleanup.add(p::destroyForcibly);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> marked(long hupwatch, int generation, List<String> command) {
        List<String> all = new ArrayList<>(List.of("env", "HUPWATCH_PID=" + hupwatch,
                "HUPWATCH_GENERATION=" + generation));
        all.addAll(command);
        return all;
    }

    /** Kills {@code pid} after the test, while it still runs {@code cmdline}. */
    private void killAfter(long pid, String cmdline) {
        cleanup.add(() -> {
            if (HupwatchProcess.ProcAlive.cmdline(pid).contains(cmdline)) {
                HupwatchProcess.sendSignal("KILL", pid);
            }
        });
    }

    @Test
    void aProcessOfAnotherUserWithTheVariablesIsNeverSignalled() {
        // One of nobody's that the generation leaves behind in a session of its own, and one of nobody's
        // started from outside with the two variables planted.
        HupwatchProcess hw = hupwatch("setpriv --reuid=" + NOBODY + " --regid=" + NOBODY
                + " --clear-groups setsid sleep 41 & echo stranger $!; exec sleep 1000");
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), START);
        Matcher m = STRANGER.matcher(hw.awaitStdoutLine(STRANGER, WAIT));
        m.find();
        long leftBehind = Long.parseLong(m.group(1));
        killAfter(leftBehind, "sleep 41");
        Process planted = stranger(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "env", "HUPWATCH_PID=" + hw.pid(), "HUPWATCH_GENERATION=1", "sleep", "42"));
        HupwatchProcess.await("nobody's planted sleep runs", WAIT, () -> HupwatchProcess.ProcAlive.cmdline(
                planted.pid()).startsWith("sleep 42"));
        hw.signal("TERM");
        assertEquals(143, hw.awaitExit(Duration.ofSeconds(10)), hw.describe());
        assertTrue(planted.isAlive(), "nobody's planted process was not signalled\n" + hw.describe());
        assertTrue(HupwatchProcess.ProcAlive.isRunning(leftBehind), "nobody's process outside the group was not"
                + " signalled\n" + hw.describe());
    }

    @Test
    void aGenerationWhoseLeaderExitedIsExitedThoughSameUserProcessesWithItsVariablesLive() throws Exception {
        HupwatchProcess hw = hupwatch("while [ ! -e stop-$HUPWATCH_GENERATION ]; do sleep 0.05; done");
        hw.awaitLine(Pattern.compile("process trees: a generation is its process group and what it leaves behind"),
                START);
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), WAIT);
        // Root's, as hupwatch and its generations are: one started before generation 2...
        Process before = stranger(marked(hw.pid(), 2, List.of("sleep", "43")));
        HupwatchProcess.await("the first sleep runs", WAIT,
                () -> HupwatchProcess.ProcAlive.cmdline(before.pid()).startsWith("sleep 43"));
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), WAIT);
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), WAIT);
        // ... and one started after it, which does not descend from it.
        Process unrelated = stranger(marked(hw.pid(), 2, List.of("sleep", "44")));
        HupwatchProcess.await("the second sleep runs", WAIT,
                () -> HupwatchProcess.ProcAlive.cmdline(unrelated.pid()).startsWith("sleep 44"));
        Files.createFile(dir.resolve("stop-2"));
        assertEquals(0, hw.awaitExit(Duration.ofSeconds(10)), "generation 2 exited, so did hupwatch\n"
                + hw.describe());
        assertFalse(hw.findLine(Pattern.compile("left of it"), 0).isPresent(), hw.describe());
        assertTrue(before.isAlive() && unrelated.isAlive(), "neither was signalled\n" + hw.describe());
    }

    @Test
    void aDaemonThatLeftTheTreeIsNotWaitedForBeyondTheDrainTimeout() {
        HupwatchProcess hw = hupwatch("setsid sleep 45 & echo stranger $!; sleep 0.5");
        Matcher m = STRANGER.matcher(hw.awaitStdoutLine(STRANGER, START));
        m.find();
        long daemon = Long.parseLong(m.group(1));
        killAfter(daemon, "sleep 45");
        String line = hw.awaitLine(Pattern.compile("generation 1: not waiting for pid " + daemon + " \\(sleep\\)"),
                WAIT);
        assertEquals(0, hw.awaitExit(Duration.ofSeconds(10)), hw.describe());
        assertTrue(line.contains("left the generation"), line);
        assertTrue(HupwatchProcess.ProcAlive.isRunning(daemon), "let go of, not killed\n" + hw.describe());
    }

    @Test
    void inADelegatedCgroupEachGenerationHasItsOwnWhichHoldsEvenADoubleForkedProcessWithoutTheVariables()
            throws Exception {
        Path base = DelegatedCgroup.create(cleanup);
        // hupwatch starts alone in the cgroup, as under systemd's Delegate=yes or as a container's PID 1.
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"",
                base.toString(), HupwatchProcess.script().toString(), "--drain-timeout", "1s", "--ready", "delay",
                "--warmup", "200ms", "--probation", "0", "--", "/bin/sh", "-c",
                "(env -i setsid sh -c 'trap \"\" TERM; exec sleep 46' & echo stranger $!); exec sleep 1000"));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.startCommand(dir, command));
        hw.awaitLine(Pattern.compile("process trees: each generation runs in a cgroup v2 of its own"), START);
        String ready = hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), WAIT);
        Matcher m = STRANGER.matcher(hw.awaitStdoutLine(STRANGER, WAIT));
        m.find();
        long escaped = Long.parseLong(m.group(1));
        killAfter(escaped, "sleep 46");
        List<Long> first = DelegatedCgroup.processes(base.resolve("generation-1"));
        assertTrue(first.contains(escaped) && first.size() == 2, "the leader and the escaped sleep: " + first + "\n"
                + ready);
        assertEquals(List.of(hw.pid()), DelegatedCgroup.processes(base.resolve("supervisor")), "hupwatch moved itself");
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), WAIT);
        assertFalse(HupwatchProcess.ProcAlive.isRunning(escaped), "it ignores SIGTERM: killed with its generation's"
                + " cgroup at the drain timeout\n" + hw.describe());
        assertFalse(Files.exists(base.resolve("generation-1")), "its cgroup removed");
        hw.signal("TERM");
        assertEquals(143, hw.awaitExit(Duration.ofSeconds(10)), hw.describe());
    }
}
