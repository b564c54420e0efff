package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Reloads on HUP: the swap to a new generation after its warm-up, HUPs merged while a generation
 * starts, failed reloads that keep the old generation serving, and HUP ignored by whoever started
 * hupwatch.
 */
@Serial // a failing generation must exit within a 300 ms warm-up: timing, which a test beside it upsets
class ReloadTest extends CliTestSupport {

    @Test
    void hupStartsNewGenerationAndStopsTheOldOneOnlyAfterTheWarmup() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            Event s1 = child.await("start", 1, WAIT);
            assertEquals(hw.pid(), s1.wrapper(), "HUPWATCH_PID must be the pid that was started (the script execs)");
            hw.awaitLine(gen(1, s1.pid(), "started: " + Pattern.quote(child.path().toString())), WAIT);
            hw.awaitLine(ready(1), WAIT);

            hw.signal("HUP");
            hw.awaitLine(literal("reload requested: starting generation 2"), WAIT);
            Event s2 = child.await("start", 2, WAIT);
            assertNotEquals(s1.pid(), s2.pid(), "generation 2 must be a new process");
            assertEquals(hw.pid(), s2.wrapper(), "HUPWATCH_PID of generation 2");

            Event t1 = child.await("term", 1, WAIT);
            long warmup = Duration.ofSeconds(1).toNanos();
            long slack = Duration.ofMillis(150).toNanos();
            assertTrue(t1.nanos() >= s2.nanos() + warmup - slack,
                    "generation 1 got TERM " + (t1.nanos() - s2.nanos()) / 1_000_000
                            + "ms after generation 2 started; the warm-up is 1s\n" + child.eventsText());
            hw.awaitLine(ready(2), WAIT);
            hw.awaitLine(gen(1, s1.pid(), "draining: sent SIGTERM, waiting up to 30s"), WAIT);
            hw.awaitLine(gen(1, s1.pid(), "exited with status 0 after \\S+ of draining"), WAIT);
            awaitGone(s1.pid(), "generation 1");
            assertRunning(s2.pid(), "generation 2");
            assertTrue(child.events("term", 2).isEmpty(), "generation 2 must not be stopped");
            assertTrue(hw.isAlive(), "hupwatch keeps running across the swap");

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            child.await("term", 2, Duration.ofSeconds(1));
            assertGone(s2.pid(), "generation 2");
            assertNothingLeft(hw);
            assertEquals(List.of(1, 2), child.startedGenerations());
        }
    }

    @Test
    void hupsWhileAGenerationIsStartingMergeIntoOneFollowUpReload() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            awaitReady(hw, child, 1);

            hw.signal("HUP");
            // Only once generation 2 is starting: the next HUPs must all find it starting.
            hw.awaitLine(literal("reload requested: starting generation 2"), WAIT);
            for (int i = 0; i < 4; i++) {
                hw.signal("HUP");
            }
            hw.awaitLine(Pattern.compile("reload requested while generation 2 \\(pid \\d+\\) is starting:"
                    + " one more reload will follow"), WAIT);
            assertTrue(child.events("term", 1).isEmpty(), "generation 1 must not be stopped before 2 is ready");

            hw.awaitLine(ready(2), WAIT);
            Event s3 = awaitReady(hw, child, 3);
            child.await("term", 1, WAIT);
            child.await("term", 2, WAIT);
            Event s1 = child.events("start", 1).get(0);
            Event s2 = child.events("start", 2).get(0);
            awaitGone(s1.pid(), "generation 1");
            awaitGone(s2.pid(), "generation 2");
            // A fourth generation would have started the moment 3 was ready; give it a moment to show.
            HupwatchProcess.sleep(300);

            assertEquals(List.of(1, 2, 3), child.startedGenerations(), child.eventsText());
            assertTrue(hw.findLine(literal("generation 4"), 0).isEmpty(), hw.describe());
            assertRunning(s3.pid(), "generation 3");
            assertTrue(child.events("term", 3).isEmpty(), "generation 3 keeps serving");

            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void hupDuringTheWarmupOfGenerationOneReloadsOnceItIsReady() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            child.await("start", 1, WAIT);
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("reload requested while generation 1 \\(pid \\d+\\) is starting"), WAIT);
            assertTrue(child.events("start", 2).isEmpty(), "at most one generation is starting at any time");

            String ready1 = hw.awaitLine(ready(1), WAIT);
            Event s2 = child.await("start", 2, WAIT);
            String started2 = hw.awaitLine(gen(2, s2.pid(), "started: "), WAIT);
            assertTrue(HupwatchProcess.logMillis(started2) >= HupwatchProcess.logMillis(ready1), hw.describe());
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);
            assertEquals(List.of(1, 2), child.startedGenerations());

            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void failedReloadKeepsTheOldGenerationServing() {
        ChildScript child = ChildScript.in(dir).failCode(3).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            Event s1 = awaitReady(hw, child, 1);

            child.failNewGenerations();
            hw.signal("HUP");
            String failed = hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: generation 2 \\(pid \\d+\\)"
                    + " exited with status 3 before it was ready; generation 1 \\(pid " + s1.pid() + "\\) keeps serving"),
                    WAIT);
            assertFalse(failed.isBlank());
            child.await("fail", 2, WAIT);
            assertTrue(child.events("term", 1).isEmpty(), "generation 1 must not get TERM:\n" + child.eventsText());
            assertRunning(s1.pid(), "generation 1");
            assertTrue(hw.isAlive(), "hupwatch keeps running after a failed reload");

            child.stopFailing();
            Event s3 = swap(hw, child, 1, 3, "term");
            awaitGone(s1.pid(), "generation 1");
            assertRunning(s3.pid(), "generation 3");
            assertEquals(List.of(1, 3), child.startedGenerations(), child.eventsText());

            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void reloadFailsAndTheOldGenerationKeepsServingWhenTheCommandCannotBeStartedAnyMore() throws IOException {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            Event s1 = awaitReady(hw, child, 1);

            Files.setPosixFilePermissions(child.path(), PosixFilePermissions.fromString("rw-r--r--"));
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: cannot start generation 2: .*"
                    + Pattern.quote(child.path().toString()) + ".*; generation 1 \\(pid " + s1.pid()
                    + "\\) keeps serving"), WAIT);
            assertTrue(child.events("term", 1).isEmpty(), child.eventsText());
            assertRunning(s1.pid(), "generation 1");
            assertTrue(hw.isAlive(), "hupwatch keeps running after a failed reload");

            Files.setPosixFilePermissions(child.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Event s3 = swap(hw, child, 1, 3, "term");
            assertRunning(s3.pid(), "generation 3");

            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void hupWorksWhenHupwatchWasStartedWithHupIgnored() throws Exception {
        // Precondition: this way of starting really does leave HUP ignored in the exec'd program.
        Process probe = new ProcessBuilder("sh", "-c", "trap \"\" HUP; exec \"$0\" \"$@\"", "grep", "^SigIgn:",
                "/proc/self/status").redirectErrorStream(true).start();
        String sigIgn = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(probe.waitFor(10, TimeUnit.SECONDS));
        long mask = Long.parseUnsignedLong(sigIgn.substring("SigIgn:".length()).trim(), 16);
        assertEquals(1L, mask & 1L, "HUP should be ignored: " + sigIgn);

        ChildScript child = ChildScript.in(dir).write();
        List<String> command = List.of("sh", "-c", "trap \"\" HUP; exec \"$0\" \"$@\"",
                HupwatchProcess.script().toString(), "--warmup", QUICK, "--", child.path().toString());
        try (HupwatchProcess hw = HupwatchProcess.startCommand(dir, command).track(child)) {
            Event s1 = awaitReady(hw, child, 1);
            assertEquals(hw.pid(), s1.wrapper(), "the pid that was started must be hupwatch itself (exec)");

            Event s2 = swap(hw, child);
            assertEquals(hw.pid(), s2.wrapper());
            assertTrue(hw.isAlive());

            assertTermExitsCleanly(hw);
        }
    }
}
