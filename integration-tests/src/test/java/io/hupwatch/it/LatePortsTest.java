package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port that opens after the server first accepts: a stock Spring Boot jar with Actuator on its own
 * port ({@code management.server.port}), whose second Tomcat starts after the main one. A new
 * generation is ready only once it accepts on both; the management port answers from the serving
 * generation after every swap, and no request on the main port fails.
 */
@Timeout(240)
class LatePortsTest {
    /**
     * Two: the first swap replaces the generation that started with the port (bound, or adopted from it), the
     * second one that was itself started by a swap; a third would repeat the second.
     */
    private static final int SWAPS = 2;

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static List<String> springBootWithManagementPort(int port, int management) {
        List<String> command = new ArrayList<>(TestServers.springBoot(port));
        command.add("--management.server.port=" + management);
        return command;
    }

    @Test
    @Serial
    void springBootManagementPortWithNoOption() throws Exception {
        int port = TestServers.freePort();
        int management = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of(), springBootWithManagementPort(port, management)));
        hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + management + " from generation 1"), Duration.ofSeconds(90));
        SwapsUnderLoad.awaitServing(port, 1, hw);
        assertManagementFrom(management, 1, hw);
        LoadGenerator load = LoadGenerator.wrk("http://127.0.0.1:" + port + "/", 16, 2, dir);
        cleanup.add(load);
        load.start();
        for (int g = 2; g <= SWAPS + 1; g++) {
            hw.signal("HUP");
            hw.awaitLine(Pattern.compile("generation " + g + " \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
            hw.awaitLine(Pattern.compile("generation " + (g - 1) + " \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
            assertTrue(Http.get(port).startsWith("generation " + g + " "), hw.describe());
            assertManagementFrom(management, g, hw);
        }
        LoadGenerator.Result result = load.finish();
        System.out.println("late ports, " + SWAPS + " swaps under load on the main port: " + result);
        assertTrue(result.requests() > 300, "the load ran: " + result);
        assertEquals(0, result.failed(), result + "\n" + hw.describe());
        assertTrue(hw.linesMatching(Pattern.compile("released|dropped|no longer has")).isEmpty(), hw.describe());
        hw.signal("TERM");
        hw.awaitExit(Duration.ofSeconds(40));
    }

    @Test
    void springBootManagementPortBoundByHupwatch() throws Exception {
        int port = TestServers.freePort();
        int management = TestServers.freePort();
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "tcp:0.0.0.0:" + port, "--bind",
                "tcp:0.0.0.0:" + management), springBootWithManagementPort(port, management)));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        assertManagementFrom(management, 1, hw);
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        // until generation 1's agent has pointed its fds away (its stop signal's handler), both accept
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertManagementFrom(management, 2, hw);
        assertTrue(Http.get(port).startsWith("generation 2 "), hw.describe());
    }

    /** Actuator on the management port answers, and names generation {@code g} (an info contributor of the app). */
    private static void assertManagementFrom(int management, int g, HupwatchProcess hw) throws Exception {
        String info = Http.get(management, "/actuator/info");
        assertTrue(info.contains("\"generation\":\"" + g + "\""), "management port answered " + info + "\n" + hw.describe());
        String health = Http.get(management, "/actuator/health");
        assertTrue(health.contains("\"UP\""), health);
    }
}
