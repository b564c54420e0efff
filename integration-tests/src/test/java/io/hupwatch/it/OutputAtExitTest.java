package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/** With --ready log:, the output goes through hupwatch: the last lines a server prints must not be lost at exit. */
@Timeout(60)
class OutputAtExitTest extends CliTestSupport {

    @RepeatedTest(5)
    void theLastLinesOfAServerAreCopiedBeforeHupwatchExits() {
        String script = "echo up; trap 'i=0; while [ $i -lt 20000 ]; do echo \"bye $i\"; i=$((i+1)); done; "
                + "echo \"err bye\" >&2; exit 0' TERM; while :; do sleep 0.05; done";
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "log:^up$", "--", "/bin/sh", "-c", script)) {
            hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), WAIT);
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            List<String> out = hw.stdout();
            assertTrue(out.contains("bye 19999"), "the server's last stdout line got through: " + out.size() + " lines");
            assertEquals(20001, out.stream().filter(l -> l.equals("up") || l.startsWith("bye ")).count(), hw.describe());
            assertTrue(hw.stderr().contains("err bye"), hw.describe());
        }
    }
}
