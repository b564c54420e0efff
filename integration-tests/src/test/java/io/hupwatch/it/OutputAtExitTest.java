package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With --ready log:, the output goes through hupwatch: the last lines a server prints must not be lost at exit,
 * however long they take to copy (a loaded machine, a slow reader of hupwatch's output).
 */
@Timeout(60)
@Serial // hupwatch copying the last output at exit, against a reader paced at 4000 lines a second
class OutputAtExitTest extends CliTestSupport {
    /** 20000 lines at TERM (~190 KB, three pipes' worth), then one on stderr, then exit. */
    private static final String SCRIPT = "echo up; trap 'i=0; while [ $i -lt 20000 ]; do echo \"bye $i\"; i=$((i+1));"
            + " done; echo \"err bye\" >&2; exit 0' TERM; while :; do sleep 0.05; done";

    @RepeatedTest(3)
    void theLastLinesOfAServerAreCopiedBeforeHupwatchExits() {
        try (HupwatchProcess hw = start()) {
            assertAllCopiedAtExit(hw);
        }
    }

    /**
     * Read at 4000 lines a second, the last 13000 or so lines (two full pipes: the server's to hupwatch, and
     * hupwatch's to this test) take over 3 s to copy after the server has exited.
     */
    @Test
    void aSlowReaderOfHupwatchsOutputGetsAllOfIt() {
        try (HupwatchProcess hw = start()) {
            hw.readStdoutSlowly(4000);
            assertAllCopiedAtExit(hw);
        }
    }

    private HupwatchProcess start() {
        HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "log:^up$", "--", "/bin/sh", "-c", SCRIPT);
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), WAIT);
        return hw;
    }

    private static void assertAllCopiedAtExit(HupwatchProcess hw) {
        hw.signal("TERM");
        assertEquals(0, hw.awaitExit(WAIT), hw.describe());
        hw.awaitOutputEnd(WAIT);
        List<String> out = hw.stdout();
        assertTrue(out.contains("bye 19999"), "the server's last stdout line got through: " + out.size() + " lines\n"
                + hw.stderrText());
        assertEquals(20001, out.stream().filter(l -> l.equals("up") || l.startsWith("bye ")).count(), hw.stderrText());
        assertTrue(hw.stderr().contains("err bye"), hw.describe());
    }
}
