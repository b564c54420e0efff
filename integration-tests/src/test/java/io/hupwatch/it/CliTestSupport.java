package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that run {@code scripts/hupwatch} as an operator would, against /bin/sh
 * children that record what happens to them ({@link ChildScript}), and check the contract of
 * ../shared/SPEC.md: {@link ReloadTest}, {@link ShutdownTest}, {@link ExitStatusTest},
 * {@link CliUsageTest} and {@link SignalForwardingTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class CliTestSupport {
    /** Long enough for a cold JVM on a busy machine; only ever waited on, never slept. */
    static final Duration WAIT = Duration.ofSeconds(20);
    /** A short warm-up for tests that are not about its timing. */
    static final String QUICK = "300ms";

    private static boolean built;

    @TempDir
    Path dir;

    /** Builds the jar once (the script does so when it is missing or stale), so no test pays for it or sees its output. */
    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static synchronized void buildOnce(@TempDir Path tmp) throws Exception {
        if (built) {
            return;
        }
        Process p = new ProcessBuilder(HupwatchProcess.script().toString(), "--version")
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "scripts/hupwatch --version did not finish");
        assertEquals(0, p.exitValue(), "scripts/hupwatch --version failed:\n" + out);
        built = true;
    }

    // ---- patterns for hupwatch's log lines ----------------------------------------------------

    static Pattern gen(int n, String rest) {
        return Pattern.compile("hupwatch - generation " + n + " \\(pid \\d+\\) " + rest);
    }

    static Pattern gen(int n, long pid, String rest) {
        return Pattern.compile("hupwatch - generation " + n + " \\(pid " + pid + "\\) " + rest);
    }

    static Pattern ready(int n) {
        return gen(n, "ready after ");
    }

    static Pattern literal(String text) {
        return Pattern.compile(Pattern.quote(text));
    }

    // ---- running hupwatch ---------------------------------------------------------------------

    /** Starts {@code hupwatch OPTIONS... -- CHILD} in this test's directory. */
    HupwatchProcess start(ChildScript child, String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("--");
        args.add(child.path().toString());
        return HupwatchProcess.start(dir, args.toArray(String[]::new)).track(child);
    }

    /** Waits for generation {@code n} to record {@code start} and for hupwatch to log it ready; returns its start. */
    static Event awaitReady(HupwatchProcess hw, ChildScript child, int n) {
        Event started = child.await("start", n, WAIT);
        hw.awaitLine(ready(n), WAIT);
        return started;
    }

    /** {@link #swap(HupwatchProcess, ChildScript, int, int, String)} from generation 1 to 2, stopped with TERM. */
    static Event swap(HupwatchProcess hw, ChildScript child) {
        return swap(hw, child, 1, 2, "term");
    }

    /**
     * Sends HUP and waits for the swap: generation {@code next} records {@code start}, hupwatch logs
     * it ready, and generation {@code old} records {@code stopEvent} (the event of the stop signal:
     * {@code term}, or {@code int} with {@code --stop-signal INT}). Returns the start of {@code next}.
     */
    static Event swap(HupwatchProcess hw, ChildScript child, int old, int next, String stopEvent) {
        hw.signal("HUP");
        Event started = child.await("start", next, WAIT);
        hw.awaitLine(ready(next), WAIT);
        child.await(stopEvent, old, WAIT);
        return started;
    }

    /** Sends TERM, then checks that hupwatch exits with status 0 and leaves nothing running. */
    void assertTermExitsCleanly(HupwatchProcess hw) {
        hw.signal("TERM");
        assertEquals(0, hw.awaitExit(WAIT), hw.describe());
        assertNothingLeft(hw);
    }

    // ---- processes ----------------------------------------------------------------------------

    /** No process of this test (child scripts, or hupwatch, whose command line names them) is running. */
    void assertNothingLeft(HupwatchProcess hw) {
        List<String> left = ProcAlive.runningWithCmdline(dir.toString());
        assertTrue(left.isEmpty(), "processes left running after hupwatch exited:\n" + String.join("\n", left)
                + "\n" + hw.describe());
    }

    static void assertRunning(long pid, String what) {
        assertTrue(ProcAlive.isRunning(pid), what + " (pid " + pid + ") should be running");
    }

    static void assertGone(long pid, String what) {
        assertFalse(ProcAlive.isRunning(pid), what + " (pid " + pid + ") should have exited");
    }

    static void awaitGone(long pid, String what) {
        HupwatchProcess.await(what + " (pid " + pid + ") to exit", WAIT, () -> !ProcAlive.isRunning(pid));
    }
}
