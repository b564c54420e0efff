package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --ready notify}, {@code log:REGEX} and {@code exec:CMD} with real senders: Debian's
 * {@code systemd-notify}, gunicorn's start-up lines, a shell check; and {@code --ready-timeout}.
 */
class ReadinessTest extends CliTestSupport {
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");

    /**
     * A child that records its NOTIFY_SOCKET (path, socket mode, directory mode), then, unless the
     * file {@code $dir/silent} exists (then it never notifies and only records TERM), sends
     * {@code STATUS=booting generation N} with {@code systemd-notify}, waits {@code delay} seconds
     * when it is not generation 1, records {@code notified}, sends READY=1, and then
     * {@code STATUS=serving generation N}.
     */
    private ShellChild notifyChild(String delay) {
        return ShellChild.write(dir, "notify-child.sh", """
                g=$HUPWATCH_GENERATION
                echo "${NOTIFY_SOCKET-unset}" > "$dir/notify-socket.$g"
                stat -c %a "$NOTIFY_SOCKET" > "$dir/notify-mode.$g" 2>&1
                stat -c %a "$(dirname "$NOTIFY_SOCKET")" > "$dir/notify-dirmode.$g" 2>&1
                if [ -e "$dir/silent" ]; then
                  trap 'ev term' TERM
                  ev silent
                else
                  systemd-notify --no-block --status="booting generation $g"
                  if [ "$g" -gt 1 ]; then sleep DELAY; fi
                  ev notified
                  systemd-notify --no-block --ready
                  systemd-notify --no-block --status="serving generation $g"
                fi
                """.replace("DELAY", delay));
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name)).trim();
    }

    @Test
    void notifyGivesEachGenerationItsOwnPrivateSocketAndTheOldOneStopsOnlyAfterReady1() throws Exception {
        Path control = dir.resolve("control.sock");
        try (ShellChild child = notifyChild("1.5");
             HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "notify", "--ready-timeout", "10s",
                     "--drain-timeout", "1s", "--control", control.toString(), "--", child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(gen(1, s1.pid(), "status: booting generation 1$"), WAIT);
            String ready1 = hw.awaitLine(ready(1), WAIT);
            assertTrue(ready1.endsWith("(READY=1)"), ready1);
            hw.awaitLine(gen(1, s1.pid(), "status: serving generation 1$"), WAIT);

            // The socket: in hupwatch's private 0700 runtime directory, itself 0600.
            Path socket1 = Path.of(read("notify-socket.1"));
            assertTrue(socket1.isAbsolute(), "NOTIFY_SOCKET is a path: " + socket1);
            assertEquals("600", read("notify-mode.1"), "mode of " + socket1);
            assertEquals("700", read("notify-dirmode.1"), "mode of " + socket1.getParent());
            assertTrue(socket1.getParent().getFileName().toString().startsWith("hupwatch." + hw.pid()),
                    "the runtime directory of hupwatch pid " + hw.pid() + ": " + socket1);

            // hupwatch status shows the generation's last STATUS= text.
            HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control.toString());
            assertEquals(0, status.exit(), status.toString());
            assertTrue(Pattern.compile("generation 1\\s+pid " + s1.pid() + "\\s+serving\\s+up \\S+\\s+\\(serving generation 1\\)")
                    .matcher(status.stdout()).find(), status.toString());

            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            hw.awaitLine(gen(2, s2.pid(), "status: booting generation 2$"), WAIT);
            Event notified2 = child.await("notified", 2, WAIT);
            String ready2 = hw.awaitLine(ready(2), WAIT);
            Event term1 = child.await("term", 1, WAIT);
            assertTrue(term1.nanos() >= notified2.nanos(),
                    "generation 1 got TERM " + (notified2.nanos() - term1.nanos()) / 1_000_000
                            + "ms before generation 2 sent READY=1\n" + child.eventsText());
            assertTrue(ready2.contains("(READY=1)"), ready2);
            hw.awaitLine(gen(1, s1.pid(), "exited with status 0"), WAIT);
            awaitGone(s1.pid(), "generation 1");
            assertRunning(s2.pid(), "generation 2");

            Path socket2 = Path.of(read("notify-socket.2"));
            assertNotEquals(socket1, socket2, "each generation has its own NOTIFY_SOCKET");
            assertEquals(socket1.getParent(), socket2.getParent(), "both in hupwatch's runtime directory");
            assertEquals("600", read("notify-mode.2"));

            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());
            assertFalse(Files.exists(socket1.getParent()), "the runtime directory is removed at exit: " + socket1.getParent());
            assertNothingLeft(hw);
        }
    }

    @Test
    void aGenerationThatNeverNotifiesIsStoppedAfterTheReadyTimeoutAndKilledAfterTheDrainTimeout() throws Exception {
        try (ShellChild child = notifyChild("0");
             HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "notify", "--ready-timeout", "2s",
                     "--drain-timeout", "1s", "--", child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            hw.awaitLine(ready(1), WAIT);

            Files.writeString(dir.resolve("silent"), "");
            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            child.await("silent", 2, WAIT);
            String started2 = hw.awaitLine(gen(2, s2.pid(), "started: "), WAIT);
            String failed = hw.awaitLine(Pattern.compile("\\[WARN\\] hupwatch - reload failed: generation 2 \\(pid "
                    + s2.pid() + "\\) was not ready within 2s \\(READY=1\\); generation 1 \\(pid " + s1.pid()
                    + "\\) keeps serving"), WAIT);
            long waited = HupwatchProcess.logMillis(failed) - HupwatchProcess.logMillis(started2);
            assertTrue(waited >= 1900 && waited < 4000, "the ready timeout is 2s, took " + waited + "ms\n" + hw.describe());

            // The late generation gets the stop signal, ignores it, and is killed after the drain timeout.
            Event term2 = child.await("term", 2, WAIT);
            String killed = hw.awaitLine(gen(2, s2.pid(), "still running 1s after SIGTERM: killed \\(SIGKILL\\)"), WAIT);
            awaitGone(s2.pid(), "generation 2");
            long drained = HupwatchProcess.logMillis(killed) - term2.nanos() / 1_000_000;
            assertTrue(drained >= 800, "SIGKILL only after the 1s drain timeout, was " + drained + "ms");

            // The serving generation is untouched.
            assertTrue(child.events("term", 1).isEmpty(), child.eventsText());
            assertRunning(s1.pid(), "generation 1");
            assertTrue(hw.isAlive());

            // And the next reload works.
            Files.delete(dir.resolve("silent"));
            hw.signal("HUP");
            Event s3 = child.await("start", 3, WAIT);
            hw.awaitLine(ready(3), WAIT);
            child.await("term", 1, WAIT);
            assertRunning(s3.pid(), "generation 3");
            assertTermExitsCleanly(hw);
        }
    }

    @Test
    void generationOneNeverReadyIsStoppedAndHupwatchExits1() {
        try (ShellChild child = ShellChild.write(dir, "mute.sh", "echo \"$NOTIFY_SOCKET\" > \"$dir/ns\"");
             HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "notify", "--ready-timeout", "2s",
                     "--drain-timeout", "1s", "--", child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            String started = hw.awaitLine(gen(1, s1.pid(), "started: "), WAIT);
            assertEquals(1, hw.awaitExit(WAIT), hw.describe());
            String error = hw.awaitLine(Pattern.compile("\\[ERROR\\] hupwatch - generation 1 \\(pid " + s1.pid()
                    + "\\) was not ready within 2s \\(READY=1\\)"), Duration.ZERO);
            long waited = HupwatchProcess.logMillis(error) - HupwatchProcess.logMillis(started);
            assertTrue(waited >= 1900, "only after the 2s ready timeout: " + waited + "ms");
            child.await("term", 1, WAIT);
            assertGone(s1.pid(), "generation 1");
            assertTrue(hw.linesMatching(ready(1)).isEmpty(), hw.describe());
            assertNothingLeft(hw);
        }
    }

    // ---- log:REGEX ----------------------------------------------------------------------------

    private Path appDir() throws IOException {
        return GunicornApp.copyInto(dir);
    }

    /** The lines of {@code lines} that hupwatch did not write (its log lines name "hupwatch - "). */
    /**
     * The child's lines: neither hupwatch's own nor the shell's "Terminated" (the stop signal reaches the
     * whole generation, so the script's foreground {@code sleep} dies of it, and the shell says so).
     */
    private static List<String> childLines(List<String> lines) {
        return lines.stream().filter(l -> !l.matches("^\\S+ \\[\\w+\\] hupwatch - .*") && !l.equals("Terminated"))
                .collect(Collectors.toList());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void logReadinessOnGunicornsStartupLineWhileItsOutputPassesThroughInOrder() throws Exception {
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--bind", "tcp:127.0.0.1:0", "--pass", "systemd",
                "--ready", "log:Booting worker", "--ready-timeout", "20s", "--drain-timeout", "5s", "--",
                "gunicorn", "--chdir", appDir().toString(), "--workers", "2", "app:app")) {
            Matcher port = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, WAIT));
            assertTrue(port.find());
            String ready1 = hw.awaitLine(ready(1), WAIT);
            assertTrue(Pattern.compile("ready after \\S+ \\(log line on stderr: \\[.*\\] \\[\\d+\\] \\[INFO\\] Booting worker with pid: \\d+\\)$")
                    .matcher(ready1).find(), ready1);
            assertTrue(Http.get(Integer.parseInt(port.group(1))).startsWith("generation 1 "));

            hw.signal("HUP");
            hw.awaitLine(ready(2), WAIT);
            hw.awaitLine(gen(1, "exited with status 0"), WAIT);
            assertTrue(Http.get(Integer.parseInt(port.group(1))).startsWith("generation 2 "));
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());

            // gunicorn's own lines are in hupwatch's stderr, whole and in gunicorn's order, for each generation.
            List<String> gunicorn = childLines(hw.stderr());
            for (int g = 1; g <= 2; g++) {
                String gpid = Pattern.compile("generation " + g + " \\(pid (\\d+)\\) started").matcher(
                        hw.awaitLine(gen(g, "started: gunicorn"), Duration.ZERO)).results().findFirst().orElseThrow().group(1);
                List<String> own = gunicorn.stream().filter(l -> l.contains("[" + gpid + "] ")).collect(Collectors.toList());
                List<String> expected = List.of("Starting gunicorn", "Listening at: http://127.0.0.1:" + port.group(1),
                        "Using worker: sync", "Handling signal: term", "Shutting down: Master");
                int at = -1;
                for (String e : expected) {
                    int i = indexOf(own, e, at + 1);
                    assertTrue(i > at, "gunicorn generation " + g + " (pid " + gpid + ") line '" + e + "' in order:\n"
                            + String.join("\n", own) + "\n" + hw.describe());
                    at = i;
                }
                for (String l : own) {
                    assertTrue(l.matches("^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] \\[\\d+\\] \\[\\w+\\] .+"),
                            "an intact gunicorn line: '" + l + "'");
                }
            }
            assertEquals(4, gunicorn.stream().filter(l -> l.contains("Booting worker with pid")).count(),
                    "two workers per generation:\n" + String.join("\n", gunicorn));
        }
    }

    private static int indexOf(List<String> lines, String text, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void logReadinessPassesALargeBurstOfOutputThroughUnchangedOnBothStreams() {
        // Numbered lines of 2000 bytes on each stream, each written whole by one write(2) (so atomic on a
        // pipe) and faster than hupwatch copies them; the ready line early in the stderr burst. Every
        // line must arrive whole, in order, on its own stream: hupwatch's own log lines (the ready line
        // among them, written while the burst goes on) must never land inside one of the child's lines.
        int lines = 3_000;
        String body = """
                /usr/bin/python3 -c '
                import os
                for i in range(1, LINES + 1):
                    os.write(1, b"out %d: payload with tab\\tand UTF-8 \\xc3\\xbc\\xc3\\xa9 " % i + b"." * 1950 + b"\\n")
                    os.write(2, b"err %d: payload with tab\\tand UTF-8 \\xc3\\xbc\\xc3\\xa9 " % i + b"." * 1950 + b"\\n")
                    if i == 100:
                        os.write(2, b"APP READY NOW\\n")
                '
                ev printed
                """.replace("LINES", Integer.toString(lines));
        try (ShellChild child = ShellChild.write(dir, "chatty.sh", body);
             HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "log:^APP READY NOW$", "--ready-timeout", "10s",
                     "--drain-timeout", "1s", "--", child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            String ready1 = hw.awaitLine(ready(1), WAIT);
            assertTrue(ready1.endsWith("(log line on stderr: APP READY NOW)"), ready1);
            child.await("printed", 1, WAIT);
            hw.awaitStdoutLine(Pattern.compile("^out " + lines + ": "), WAIT);
            hw.awaitLine(Pattern.compile("^err " + lines + ": "), WAIT);
            hw.signal("TERM");
            assertEquals(0, hw.awaitExit(WAIT), hw.describe());

            List<String> expectedOut = new ArrayList<>();
            List<String> expectedErr = new ArrayList<>();
            for (int i = 1; i <= lines; i++) {
                expectedOut.add("out " + i + ": payload with tab\tand UTF-8 \u00fc\u00e9 " + ".".repeat(1950));
                expectedErr.add("err " + i + ": payload with tab\tand UTF-8 \u00fc\u00e9 " + ".".repeat(1950));
                if (i == 100) {
                    expectedErr.add("APP READY NOW");
                }
            }
            assertTrue(hw.stdout().equals(expectedOut), "the child's stdout, unchanged, on hupwatch's stdout");
            List<String> err = childLines(hw.stderr());
            java.util.Set<String> known = new java.util.HashSet<>(expectedErr);
            List<String> broken = err.stream().filter(l -> !known.contains(l)).limit(5).collect(Collectors.toList());
            assertTrue(broken.isEmpty(), "lines on hupwatch's stderr that are neither its own log lines nor the"
                    + " child's lines (hupwatch wrote a log line into the middle of a child's line): "
                    + broken.stream().map(l -> l.replaceAll("\\.{20,}", "...")).collect(Collectors.toList()));
            assertTrue(err.equals(expectedErr), "the child's stderr, unchanged, in order");
            assertGone(s1.pid(), "generation 1");
        }
    }

    // ---- exec:CMD -----------------------------------------------------------------------------

    @Test
    void execReadinessRunsTheCheckWithTheChildsPidAndGenerationUntilItSucceeds() throws Exception {
        // The child creates ready-PID one second after it starts; the check records each try.
        String check = "echo \"$HUPWATCH_GENERATION $HUPWATCH_CHILD_PID $(date +%s%N)\" >> " + dir.resolve("tries")
                + "; test -e " + dir + "/ready-$HUPWATCH_CHILD_PID";
        try (ShellChild child = ShellChild.write(dir, "slow.sh", "sleep 1; ev file; : > \"$dir/ready-$$\"");
             HupwatchProcess hw = HupwatchProcess.start(dir, "--ready", "exec:" + check, "--ready-timeout", "10s",
                     "--drain-timeout", "1s", "--", child.path().toString())) {
            Event s1 = child.await("start", 1, WAIT);
            String ready1 = hw.awaitLine(ready(1), WAIT);
            Event file1 = child.await("file", 1, WAIT);
            assertTrue(Pattern.compile("\\('" + Pattern.quote(check) + "' succeeded after \\d+ tries\\)$").matcher(ready1).find(),
                    ready1);

            List<long[]> tries1 = tries(1);
            assertTrue(tries1.size() >= 2, "retried until the file existed: " + tries1.size() + " tries");
            for (long[] t : tries1) {
                assertEquals(s1.pid(), t[1], "HUPWATCH_CHILD_PID is generation 1's pid");
            }
            for (int i = 1; i < tries1.size(); i++) {
                long gap = (tries1.get(i)[2] - tries1.get(i - 1)[2]) / 1_000_000;
                assertTrue(gap >= 400 && gap < 1500, "tries about 0.5s apart, got " + gap + "ms");
            }
            assertTrue(tries1.get(tries1.size() - 1)[2] >= file1.nanos(), "the successful try came after the file");

            hw.signal("HUP");
            Event s2 = child.await("start", 2, WAIT);
            Event file2 = child.await("file", 2, WAIT);
            hw.awaitLine(ready(2), WAIT);
            Event term1 = child.await("term", 1, WAIT);
            assertTrue(term1.nanos() >= file2.nanos(), "generation 1 stopped only once generation 2's check passed");
            assertTrue(tries(2).stream().allMatch(t -> t[1] == s2.pid()), "HUPWATCH_CHILD_PID is generation 2's pid");
            assertTermExitsCleanly(hw);
        }
    }

    /** The tries recorded for {@code generation}: [generation, child pid, nanos]. */
    private List<long[]> tries(int generation) throws IOException {
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("tries"))) {
            String[] w = line.trim().split(" ");
            long[] t = {Long.parseLong(w[0]), Long.parseLong(w[1]), Long.parseLong(w[2])};
            if (t[0] == generation) {
                out.add(t);
            }
        }
        return out;
    }
}
