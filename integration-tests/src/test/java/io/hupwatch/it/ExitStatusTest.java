package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.ChildScript.OnTerm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * hupwatch's exit status when the serving generation exits on its own: its exit code, 128+N when a
 * signal killed it, and 127, 126 or 1 when the command cannot be run at all.
 */
class ExitStatusTest extends CliTestSupport {

    @Test
    void servingGenerationExitingOnItsOwnGivesItsStatus() {
        ChildScript child = ChildScript.in(dir).exitWith(7, Duration.ofMillis(800)).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            awaitReady(hw, child, 1);
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
            awaitReady(hw, child, 1);
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

    @Test
    void servingGenerationExitingDuringAReloadStopsTheStartingOneAndGivesItsStatus() {
        ChildScript child = ChildScript.in(dir).write();
        try (HupwatchProcess hw = start(child, "--warmup", "1s")) {
            awaitReady(hw, child, 1);
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
    void servingGenerationExitingOnItsOwnWhileAnOlderOneDrainsGivesTheServingStatus() {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "1s")) {
            Event s1 = awaitReady(hw, child, 1);
            swap(hw, child);

            child.tellToExit(2, 9);
            assertEquals(9, hw.awaitExit(WAIT), hw.describe());
            assertGone(s1.pid(), "generation 1");
            assertNothingLeft(hw);
        }
    }

    enum Unrunnable { BARE_NAME, ABSOLUTE_PATH, BAD_INTERPRETER, NOT_EXECUTABLE, DIRECTORY, SYMLINK_LOOP }

    @ParameterizedTest
    @EnumSource(Unrunnable.class)
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
}
