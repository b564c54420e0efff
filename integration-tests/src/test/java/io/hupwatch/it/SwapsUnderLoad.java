package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The check every zero-downtime test of an unmodified server makes: generation 1 serves, then
 * {@code swaps} HUPs under wrk (a new connection per request), each changing the serving generation,
 * with not one failed request and no warning line; then a clean TERM.
 */
final class SwapsUnderLoad {
    private SwapsUnderLoad() {
    }

    static LoadGenerator.Result run(HupwatchProcess hw, int port, int swaps, Cleanup cleanup, Path dir) throws Exception {
        return run(hw, port, swaps, cleanup, dir, () -> { });
    }

    /** Like the above, with {@code beforeStop} checking the state after the last swap, before the TERM. */
    static LoadGenerator.Result run(HupwatchProcess hw, int port, int swaps, Cleanup cleanup, Path dir, Check beforeStop)
            throws Exception {
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        awaitServing(port, 1, hw);
        LoadGenerator load = LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir);
        cleanup.add(load);
        load.start();
        Thread.sleep(1000);
        for (int g = 2; g <= swaps + 1; g++) {
            hw.signal("HUP");
            String ready = hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready|reload failed"),
                    Duration.ofSeconds(90));
            assertFalse(ready.contains("reload failed"), "swap " + (g - 1) + ": " + ready + "\n" + hw.describe());
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
            String body = Http.get(port);
            assertTrue(body.startsWith("generation " + g + " "), "swap " + (g - 1) + " changed the generation: " + body);
            Thread.sleep(500);
        }
        LoadGenerator.Result result = load.finish();
        System.out.println("swaps under load on port " + port + ": " + result);
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), "no request failed during " + swaps + " swaps: " + result + "\n" + hw.describe());
        assertTrue(hw.findLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready after .*accept"), 0).isPresent(),
                "readiness came from the agent seeing the server accept\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("WARNING")).isEmpty(), "no warning lines\n" + hw.describe());
        beforeStop.run();
        hw.signal("TERM");
        int status = hw.awaitExit(Duration.ofSeconds(40));
        assertTrue(status == 0 || status == 143, "clean exit, got " + status + "\n" + hw.describe());
        return result;
    }

    /** A check that may throw. */
    interface Check {
        void run() throws Exception;
    }

    /**
     * Generation {@code generation} answers on {@code port}. In the literal form generation 1 may count
     * as ready before it listens (nothing held yet: the warm-up also counts), so this waits for the answer.
     */
    static void awaitServing(int port, int generation, HupwatchProcess hw) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = Http.get(port);
                if (last.startsWith("generation " + generation + " ")) {
                    return;
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("generation " + generation + " never answered on " + port + ": " + last + "\n"
                + hw.describe());
    }
}
