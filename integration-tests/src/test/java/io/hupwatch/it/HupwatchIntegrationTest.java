package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.ChildScript.OnTerm;
import io.hupwatch.it.HupwatchProcess.ProcAlive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@code scripts/hupwatch} as an operator would, against /bin/sh children that record what
 * happens to them, and checks the contract of ../shared/SPEC.md: swaps on HUP after the warm-up,
 * merged reloads, failed reloads, drain timeouts, shutdown, exit statuses, usage errors and signal
 * forwarding.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HupwatchIntegrationTest {
    /** Long enough for a cold JVM on a busy machine; only ever waited on, never slept. */
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A short warm-up for tests that are not about its timing. */
    private static final String QUICK = "300ms";

    @TempDir
    Path dir;

    /** Builds the jar once (the script does so when it is missing or stale), so no test pays for it or sees its output. */
    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void buildOnce(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder(HupwatchProcess.script().toString(), "--version")
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "scripts/hupwatch --version did not finish");
        assertEquals(0, p.exitValue(), "scripts/hupwatch --version failed:\n" + out);
    }

    // ---- patterns for hupwatch's log lines ----------------------------------------------------

    private static Pattern gen(int n, String rest) {
        return Pattern.compile("hupwatch - generation " + n + " \\(pid \\d+\\) " + rest);
    }

    private static Pattern gen(int n, long pid, String rest) {
        return Pattern.compile("hupwatch - generation " + n + " \\(pid " + pid + "\\) " + rest);
    }

    private static Pattern ready(int n) {
        return gen(n, "ready after ");
    }

    private static Pattern literal(String text) {
        return Pattern.compile(Pattern.quote(text));
    }

    private HupwatchProcess start(ChildScript child, String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("--");
        args.add(child.path().toString());
        return HupwatchProcess.start(dir, args.toArray(String[]::new)).track(child);
    }

    /** No process of this test (child scripts, or hupwatch, whose command line names them) is running. */
    private void assertNothingLeft(HupwatchProcess hw) {
        List<String> left = ProcAlive.runningWithCmdline(dir.toString());
        assertTrue(left.isEmpty(), "processes left running after hupwatch exited:\n" + String.join("\n", left)
                + "\n" + hw.describe());
    }

    private static void assertRunning(long pid, String what) {
        assertTrue(ProcAlive.isRunning(pid), what + " (pid " + pid + ") should be running");
    }

    private static void assertGone(long pid, String what) {
        assertFalse(ProcAlive.isRunning(pid), what + " (pid " + pid + ") should have exited");
    }

    private static void awaitGone(long pid, String what) {
        HupwatchProcess.await(what + " (pid " + pid + ") to exit", WAIT, () -> !ProcAlive.isRunning(pid));
    }

    // ---- swap ---------------------------------------------------------------------------------

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
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

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
            Event s3 = child.await("start", 3, WAIT);
            hw.awaitLine(ready(3), WAIT);
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

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void failedReloadKeepsTheOldGenerationServing() {
        ChildScript child = ChildScript.in(dir).failCode(3).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

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
            hw.signal("HUP");
            Event s3 = child.await("start", 3, WAIT);
            hw.awaitLine(ready(3), WAIT);
            child.await("term", 1, WAIT);
            awaitGone(s1.pid(), "generation 1");
            assertRunning(s3.pid(), "generation 3");
            assertEquals(List.of(1, 3), child.startedGenerations(), child.eventsText());

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    // ---- drain timeout and shutdown -----------------------------------------------------------

    @Test
    void oldGenerationIgnoringTermIsKilledAfterTheDrainTimeout() {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.IGNORE).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "500ms")) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            String draining = hw.awaitLine(gen(1, s1.pid(), "draining: sent SIGTERM, waiting up to 500ms"), WAIT);
            String killed = hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - generation 1 \\(pid " + s1.pid()
                    + "\\) still running 500ms after SIGTERM: killed \\(SIGKILL\\)"), WAIT);
            long drained = HupwatchProcess.logMillis(killed) - HupwatchProcess.logMillis(draining);
            assertTrue(drained >= 450 && drained < 2000, "killed " + drained + "ms after the stop signal, expected ~500ms");
            hw.awaitLine(gen(1, s1.pid(), "exited with status 137"), WAIT);
            awaitGone(s1.pid(), "generation 1");
            assertRunning(s2.pid(), "generation 2");

            long t0 = System.nanoTime();
            hw.signal("TERM");
            int status = hw.awaitExit(Duration.ofSeconds(5));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(137, status, "generation 2 was killed by SIGKILL at shutdown\n" + hw.describe());
            assertTrue(tookMs >= 400, "hupwatch exited " + tookMs + "ms after TERM, before the 500ms drain timeout");
            hw.awaitLine(gen(2, s2.pid(), "still running 500ms after SIGTERM: killed \\(SIGKILL\\)"), WAIT);
            assertNothingLeft(hw);
        }
    }

    @ParameterizedTest(name = "second {0}")
    @ValueSource(strings = {"TERM", "INT"})
    void secondTermOrIntSkipsTheDrain(String sig) {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.IGNORE).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "30s")) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

            hw.signal(sig);
            hw.awaitLine(literal("SIG" + sig + " received: shutting down"), WAIT);
            hw.awaitLine(gen(1, s1.pid(), "draining: sent SIGTERM, waiting up to 30s"), WAIT);
            assertTrue(hw.isAlive(), "hupwatch waits for the draining generation");
            // A HUP while shutting down must not start a new generation.
            hw.signal("HUP");

            long t0 = System.nanoTime();
            hw.signal(sig);
            int status = hw.awaitExit(Duration.ofSeconds(3));
            assertEquals(137, status, hw.describe());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(3).toNanos());
            assertEquals(List.of(1), child.startedGenerations(), "no reload while shutting down");
            assertNothingLeft(hw);
        }
    }

    @Test
    void termDuringTheWarmupOfGenerationOneExitsCleanlyWithItsStatus() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "10s")) {
            // The child records "start" only after its traps are set.
            child.await("start", 1, WAIT);
            long t0 = System.nanoTime();
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(Duration.ofSeconds(5)), hw.describe());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            child.await("term", 1, Duration.ofSeconds(1));
            assertTrue(hw.findLine(ready(1), 0).isEmpty(), "generation 1 was never ready:\n" + hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void termDuringAReloadStopsBothGenerationsAndExitsWithTheServingOnesStatus() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            child.await("start", 2, WAIT);

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            child.await("term", 1, Duration.ofSeconds(1));
            child.await("term", 2, Duration.ofSeconds(1));
            assertTrue(hw.findLine(ready(2), 0).isEmpty(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    // ---- exit status --------------------------------------------------------------------------

    @Test
    void servingGenerationExitingOnItsOwnGivesItsStatus() {
        ChildScript child = ChildScript.in(dir).exitWith(7, Duration.ofMillis(800)).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            assertEquals(7, hw.awaitExit(WAIT), hw.describe());
            child.await("exit", 1, Duration.ofSeconds(1));
            assertTrue(hw.findLine(gen(1, "exited on its own with status 7"), 0).isPresent(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void servingGenerationKilledBySignalGives128PlusN() {
        ChildScript child = ChildScript.in(dir).killSelfAfter(Duration.ofMillis(800)).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            assertEquals(137, hw.awaitExit(WAIT), hw.describe());
            child.await("exit", 1, Duration.ofSeconds(1));
            assertNothingLeft(hw);
        }
    }

    @Test
    void generationOneExitingBeforeReadyGivesItsStatus() {
        ChildScript child = ChildScript.in(dir).exitWith(5, Duration.ZERO).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            assertEquals(5, hw.awaitExit(WAIT), hw.describe());
            child.await("exit", 1, Duration.ofSeconds(1));
            assertTrue(hw.findLine(ready(1), 0).isEmpty(), hw.describe());
            assertTrue(hw.findLine(gen(1, "exited with status 5 before it was ready"), 0).isPresent(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    // ---- command line -------------------------------------------------------------------------

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of((Object) new String[] {"--warmup", "abc", "--", "true"}),
                Arguments.of((Object) new String[] {"-w", "-1", "--", "true"}),
                Arguments.of((Object) new String[] {"--drain-timeout", "5x", "--", "true"}),
                Arguments.of((Object) new String[] {"--bogus", "--", "true"}),
                Arguments.of((Object) new String[] {"run", "--bogus", "--", "true"}),
                Arguments.of((Object) new String[] {}),
                Arguments.of((Object) new String[] {"--"}),
                Arguments.of((Object) new String[] {"run"}),
                Arguments.of((Object) new String[] {"-w"}),
                Arguments.of((Object) new String[] {"--stop-signal", "NOPE", "--", "true"}),
                Arguments.of((Object) new String[] {"--stop-signal", "STOP", "--", "true"}));
    }

    @ParameterizedTest(name = "hupwatch {0}")
    @MethodSource("usageErrors")
    void usageErrorsExit2WithOneLine(String[] args) {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args)) {
            int status = hw.awaitExit(WAIT);
            List<String> err = hw.stderr().stream().filter(l -> !l.isBlank()).toList();
            assertEquals(2, status, hw.describe());
            assertEquals(1, err.size(), "exactly one line on stderr:\n" + hw.describe());
            String line = err.get(0);
            assertTrue(line.startsWith("hupwatch: "), line);
            assertFalse(line.contains("Exception"), line);
            assertFalse(line.contains("\tat "), line);
            assertTrue(hw.stdout().isEmpty(), "nothing on stdout:\n" + hw.describe());
        }
    }

    enum Unrunnable { BARE_NAME, ABSOLUTE_PATH, BAD_INTERPRETER, NOT_EXECUTABLE, DIRECTORY, SYMLINK_LOOP }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Unrunnable.class)
    void commandThatCannotBeRunGives127Or126Or1(Unrunnable kind) throws IOException {
        String command;
        int expected;
        switch (kind) {
            case BARE_NAME -> {
                command = "no-such-cmd-xyz";
                expected = 127;
            }
            case ABSOLUTE_PATH -> {
                command = dir.resolve("nonexistent/x").toString();
                expected = 127;
            }
            case BAD_INTERPRETER -> {
                Path file = dir.resolve("bad-interpreter.sh");
                Files.writeString(file, "#!/nonexistent/interpreter\nexit 0\n");
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
                command = file.toString();
                expected = 127;
            }
            case NOT_EXECUTABLE -> {
                Path file = dir.resolve("not-executable.sh");
                Files.writeString(file, "#!/bin/sh\nwhile :; do sleep 0.05; done\n");
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                command = file.toString();
                expected = 126;
            }
            case DIRECTORY -> {
                Path sub = Files.createDirectory(dir.resolve("a-directory"));
                command = sub.toString();
                expected = 126;
            }
            case SYMLINK_LOOP -> {
                // execve fails with ELOOP: neither "not found" nor "not executable", so the generic 1.
                Path loop = dir.resolve("loop");
                Files.createSymbolicLink(loop, loop.getFileName());
                command = loop.toString();
                expected = 1;
            }
            default -> throw new AssertionError(kind);
        }
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--", command)) {
            int status = hw.awaitExit(WAIT);
            assertEquals(expected, status, hw.describe());
            List<String> errors = hw.linesMatching(literal("[ERROR]"));
            assertEquals(1, errors.size(), "one ERROR line:\n" + hw.describe());
            assertTrue(errors.get(0).contains("cannot start generation 1: "), errors.get(0));
            assertTrue(errors.get(0).contains(command), "the ERROR line names the command: " + errors.get(0));
            assertTrue(hw.stderr().stream().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")),
                    hw.describe());
            assertTrue(hw.stdout().isEmpty(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @ParameterizedTest(name = "hupwatch {0}")
    @ValueSource(strings = {"--help", "-h", "run --help"})
    void helpPrintsUsageOnStdout(String args) {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args.split(" "))) {
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            String out = String.join("\n", hw.stdout());
            assertTrue(out.startsWith("Usage: hupwatch"), out);
            assertTrue(out.contains("--warmup") && out.contains("--drain-timeout") && out.contains("--stop-signal"), out);
            assertTrue(hw.stderr().isEmpty(), hw.describe());
        }
    }

    @Test
    void versionPrintsNameAndVersionOnStdout() {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--version")) {
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertEquals(List.of("hupwatch 0.1.0"), hw.stdout());
            assertTrue(hw.stderr().isEmpty(), hw.describe());
        }
    }

    // ---- signals ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"USR1", "USR2", "WINCH", "TTIN", "TTOU"})
    void forwardedSignalsReachTheServingGenerationOnly(String sig) {
        // Generations record TERM and keep running, so generation 1 is still draining when the signal comes.
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "30s")) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);
            assertRunning(s1.pid(), "generation 1 (draining)");

            String kind = sig.toLowerCase(java.util.Locale.ROOT);
            hw.signal(sig);
            child.await(kind, 2, WAIT);
            hw.awaitLine(Pattern.compile("forwarding SIG" + sig + " to generation 2 \\(pid " + s2.pid() + "\\)"), WAIT);
            // Generation 1 would record it within a sleep period (50ms) of getting it.
            HupwatchProcess.sleep(300);
            assertTrue(child.events(kind, 1).isEmpty(), "the draining generation must not get SIG" + sig + ":\n"
                    + child.eventsText());
            assertEquals(1, child.events(kind, 2).size(), child.eventsText());
            assertTrue(hw.isAlive(), "hupwatch must not act on SIG" + sig + " itself");
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
            Event s1 = child.await("start", 1, WAIT);
            assertEquals(hw.pid(), s1.wrapper(), "the pid that was started must be hupwatch itself (exec)");
            hw.awaitLine(ready(1), WAIT);

            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            assertEquals(hw.pid(), s2.wrapper());
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);
            assertTrue(hw.isAlive());

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void runSubcommandWithStopSignalIntStopsGenerationsWithInt() {
        ChildScript child = ChildScript.in(dir).write();
        List<String> args = List.of("run", "--warmup", QUICK, "--stop-signal", "INT", "--", child.path().toString());
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args.toArray(String[]::new)).track(child)) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            hw.awaitLine(ready(2), WAIT);
            child.await("int", 1, WAIT);
            hw.awaitLine(gen(1, s1.pid(), "draining: sent SIGINT"), WAIT);
            awaitGone(s1.pid(), "generation 1");
            assertTrue(child.events("term", 1).isEmpty(), "generation 1 must get INT, not TERM:\n" + child.eventsText());

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            child.await("int", 2, Duration.ofSeconds(1));
            assertTrue(child.events("term", 2).isEmpty(), child.eventsText());
            assertGone(s2.pid(), "generation 2");
            assertNothingLeft(hw);
        }
    }

    @Test
    void reloadFailsAndTheOldGenerationKeepsServingWhenTheCommandCannotBeStartedAnyMore() throws IOException {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

            Files.setPosixFilePermissions(child.path(), PosixFilePermissions.fromString("rw-r--r--"));
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: cannot start generation 2: .*"
                    + Pattern.quote(child.path().toString()) + ".*; generation 1 \\(pid " + s1.pid()
                    + "\\) keeps serving"), WAIT);
            assertTrue(child.events("term", 1).isEmpty(), child.eventsText());
            assertRunning(s1.pid(), "generation 1");
            assertTrue(hw.isAlive(), "hupwatch keeps running after a failed reload");

            Files.setPosixFilePermissions(child.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
            hw.signal("HUP");
            Event s3 = child.await("start", 3, WAIT);
            hw.awaitLine(ready(3), WAIT);
            child.await("term", 1, WAIT);
            assertRunning(s3.pid(), "generation 3");

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    static Stream<Arguments> commandLinesWithChildOptions() {
        return Stream.of(
                Arguments.of(List.of("-w", QUICK, "--"), List.of("--warmup", "5s", "-v", "--", "x"),
                        "[--warmup][5s][-v][--][x]"),
                Arguments.of(List.of("run", "-w", QUICK, "--"), List.of("--help", "-q"), "[--help][-q]"),
                Arguments.of(List.of("-w", QUICK), List.of("-q", "--bogus", "a b"), "[-q][--bogus][a b]"));
    }

    @ParameterizedTest(name = "hupwatch {0} CHILD {1}")
    @MethodSource("commandLinesWithChildOptions")
    void argumentsAfterTheCommandGoToTheChildUntouched(List<String> before, List<String> childArgs, String expected) {
        ChildScript child = ChildScript.in(dir).chatty().write();
        List<String> args = new ArrayList<>(before);
        args.add(child.path().toString());
        args.addAll(childArgs);
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args.toArray(String[]::new)).track(child)) {
            child.await("start", 1, WAIT);
            String line = hw.awaitStdoutLine(literal("out gen=1 args="), WAIT);
            assertEquals("out gen=1 args=" + expected, line);
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void childrensStdoutAndStderrPassThroughUnchanged() {
        ChildScript child = ChildScript.in(dir).chatty().write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            hw.awaitLine(ready(2), WAIT);
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());

            // hupwatch itself writes nothing on stdout: it belongs to the children.
            assertEquals(List.of("out gen=1 args=", "out gen=2 args="), hw.stdout(), hw.describe());
            assertEquals(1, hw.stderr().stream().filter("err gen=1"::equals).count(), hw.describe());
            assertEquals(1, hw.stderr().stream().filter("err gen=2"::equals).count(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void quietAndKillAtExitAreAccepted() {
        ChildScript child = ChildScript.in(dir).exitWith(7, Duration.ofMillis(800)).write();
        try (HupwatchProcess hw = start(child, "-k", "-q", "--warmup", "0.3")) {
            child.await("start", 1, WAIT);
            assertEquals(7, hw.awaitExit(WAIT), hw.describe());
            List<String> err = hw.stderr();
            assertTrue(err.stream().noneMatch(l -> l.contains("[INFO]")), "-q: no INFO lines\n" + hw.describe());
            assertTrue(err.stream().anyMatch(l -> l.contains("[WARN]") && l.contains("exited on its own with status 7")),
                    hw.describe());
            assertNothingLeft(hw);
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

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void servingGenerationExitingDuringAReloadStopsTheStartingOneAndGivesItsStatus() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            child.await("start", 2, WAIT);

            child.tellToExit(1, 7);
            assertEquals(7, hw.awaitExit(WAIT), hw.describe());
            child.await("exit", 1, Duration.ofSeconds(1));
            child.await("term", 2, Duration.ofSeconds(1));
            assertTrue(hw.findLine(ready(2), 0).isEmpty(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    @Test
    void shutdownExitsWithTheServingGenerationsStatusNotThatOfAnOlderDrainingOne() {
        // Generations record TERM and keep running: generation 1 drains until SIGKILL (137) after the swap,
        // while generation 2, the serving one, exits 0 when told to.
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "2s")) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);

            hw.signal("TERM");
            child.await("term", 2, WAIT);
            child.tellToExit(2, 0);
            hw.awaitLine(gen(2, "exited with status 0 after"), WAIT);
            assertRunning(s1.pid(), "generation 1, still draining");
            assertTrue(hw.isAlive(), "hupwatch waits for generation 1 to drain");

            assertEquals(0, hw.awaitExit(WAIT), "the serving generation exited 0; the older one's 137 must not count\n"
                    + hw.describe());
            hw.awaitLine(gen(1, s1.pid(), "exited with status 137"), WAIT);
            assertNothingLeft(hw);
        }
    }

    @Test
    void servingGenerationExitingOnItsOwnWhileAnOlderOneDrainsGivesTheServingStatus() {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s")) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);
            hw.signal("HUP");
            hw.awaitLine(ready(2), WAIT);
            child.await("term", 1, WAIT);

            child.tellToExit(2, 9);
            assertEquals(9, hw.awaitExit(WAIT), hw.describe());
            assertGone(s1.pid(), "generation 1");
            assertNothingLeft(hw);
        }
    }

    /**
     * {@code --stop-signal QUIT} (what nginx and unicorn drain on) must reach a server that is not a
     * shell. /bin/sh clears its inherited signal mask, so the script children above cannot show this;
     * {@code sleep} keeps the mask it inherits and dies of an unblocked SIGQUIT at once. (Generations
     * started with ProcessBuilder inherited the JVM threads' blocked SIGQUIT and were SIGKILLed instead.)
     */
    @Test
    void stopSignalQuitReachesAGenerationThatIsNotAShell() {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--warmup", QUICK, "--drain-timeout", "10s",
                "--stop-signal", "QUIT", "--", "sleep", "1000")) {
            hw.awaitLine(ready(1), WAIT);
            long t0 = System.nanoTime();
            hw.signal("TERM");
            int status = hw.awaitExit(WAIT);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(128 + 3, status, "sleep should die of SIGQUIT\n" + hw.describe());
            assertTrue(tookMs < 5000, "took " + tookMs + "ms: SIGQUIT did not reach the generation\n" + hw.describe());
            assertTrue(hw.findLine(literal("killed (SIGKILL)"), 0).isEmpty(), hw.describe());
        }
    }
}
