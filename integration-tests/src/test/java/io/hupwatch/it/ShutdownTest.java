package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.it.ChildScript.Event;
import io.hupwatch.it.ChildScript.OnTerm;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping generations: the drain timeout, the stop signal ({@code --stop-signal}), a second TERM or
 * INT that skips the drain, TERM during a warm-up or a reload, and the exit status of a shutdown,
 * which is the serving generation's.
 */
class ShutdownTest extends CliTestSupport {

    @Test
    void oldGenerationIgnoringTermIsKilledAfterTheDrainTimeout() {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.IGNORE).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "500ms")) {
            Event s1 = awaitReady(hw, child, 1);

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

    @Test
    void runSubcommandWithStopSignalIntStopsGenerationsWithInt() {
        ChildScript child = ChildScript.in(dir).write();
        List<String> args = List.of("run", "--warmup", QUICK, "--stop-signal", "INT", "--", child.path().toString());
        try (HupwatchProcess hw = HupwatchProcess.start(dir, args.toArray(String[]::new)).track(child)) {
            Event s1 = awaitReady(hw, child, 1);

            Event s2 = swap(hw, child, 1, 2, "int");
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

    @ParameterizedTest(name = "second {0}")
    @ValueSource(strings = {"TERM", "INT"})
    void secondTermOrIntSkipsTheDrain(String sig) {
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.IGNORE).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "30s")) {
            Event s1 = awaitReady(hw, child, 1);

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
            awaitReady(hw, child, 1);
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

    @Test
    void shutdownExitsWithTheServingGenerationsStatusNotThatOfAnOlderDrainingOne() {
        // Generations record TERM and keep running: generation 1 drains until SIGKILL (137) after the swap,
        // while generation 2, the serving one, exits 0 when told to.
        ChildScript child = ChildScript.in(dir).onTerm(OnTerm.RECORD_ONLY).write();
        try (HupwatchProcess hw = start(child, "--warmup", QUICK, "--drain-timeout", "2s")) {
            Event s1 = awaitReady(hw, child, 1);
            swap(hw, child);

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
}
