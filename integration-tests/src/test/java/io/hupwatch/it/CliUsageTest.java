package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line and the terminal: usage errors, {@code --help}, {@code --version}, options that
 * are only accepted, arguments passed to the child untouched, and the children's stdout and stderr
 * passed through.
 */
class CliUsageTest extends CliTestSupport {

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
            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void childrensStdoutAndStderrPassThroughUnchanged() {
        ChildScript child = ChildScript.in(dir).chatty().write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK)) {
            awaitReady(hw, child, 1);
            swap(hw, child);
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());

            // hupwatch itself writes nothing on stdout: it belongs to the children.
            assertEquals(List.of("out gen=1 args=", "out gen=2 args="), hw.stdout(), hw.describe());
            assertEquals(1, hw.stderr().stream().filter("err gen=1"::equals).count(), hw.describe());
            assertEquals(1, hw.stderr().stream().filter("err gen=2"::equals).count(), hw.describe());
            assertNothingLeft(hw);
        }
    }
}
