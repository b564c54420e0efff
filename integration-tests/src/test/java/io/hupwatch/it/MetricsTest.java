package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * {@code --metrics} and the reload history of {@code status}, against a real JVM server with the agent:
 * scraped and parsed by a real Prometheus parser across a good reload whose old generation drains
 * with a connection still open, and a failed one.
 */
@Serial // a failing generation must exit before its warm-up ends: timing, which a test beside it upsets
@Timeout(120)
class MetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static Pattern line(String regex) {
        return Pattern.compile(regex);
    }

    @Test
    void countersHistogramsAndHistoryFollowAGoodReloadADrainWithAConnectionLeftAndAFailedReload() throws Exception {
        int port = TestServers.freePort();
        InetSocketAddress metrics = new InetSocketAddress("127.0.0.1", TestServers.freePort());
        Path control = dir.resolve("control.sock");
        Path fail = dir.resolve("fail");
        // A start script (the agent comes through JAVA_TOOL_OPTIONS) that fails while the file "fail" exists.
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "if [ -e \"$0\" ]; then echo 'failing on purpose' >&2; exit 3; fi; exec \"$@\"", fail.toString()));
        command.addAll(TestServers.java("JdkHttpServer", Integer.toString(port)));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "web=tcp:127.0.0.1:" + port,
                "--jvm-agent", "on", "--drain-timeout", "2s", "--control", control.toString(),
                "--metrics", "tcp:" + metrics.getHostString() + ":" + metrics.getPort()), command));
        hw.awaitLine(line("generation 1 \\(pid \\d+\\) ready"), WAIT);

        PrometheusScrape m = PrometheusScrape.tcp(metrics);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", m.contentType());
        assertEquals(1, m.value("hupwatch_serving_generation{}"));
        assertEquals(1, m.value("hupwatch_generations{state=\"serving\"}"));
        assertEquals(0, m.value("hupwatch_reloads_total{outcome=\"swapped\"}"));
        assertEquals("counter", m.types().get("hupwatch_reloads"));
        assertEquals("histogram", m.types().get("hupwatch_drain_seconds"));
        assertEquals(0, m.value("hupwatch_socket_accept_queue{address=\"tcp:127.0.0.1:" + port + "\",socket=\"web\"}"));

        try (SocketChannel kept = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            // one kept-alive request, answered by generation 1, and the connection stays open
            kept.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            while (!new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).contains("generation 1 ")) {
                assertTrue(kept.read(answer) > 0, "generation 1 answers");
            }
            assertTrue(ControlRequest.send(control, "status json").contains("\"state\":\"serving\",\"age_ms\":"));
            assertTrue(ControlRequest.send(control, "status json").matches(".*\"status\":null,\"connections\":1}.*"),
                    ControlRequest.send(control, "status json"));
            // a count is reused for a moment (at most 1 s): the scrape before this one may have made it
            HupwatchProcess.await("the scrape counts the kept-alive connection", Duration.ofSeconds(3), () -> {
                try {
                    return PrometheusScrape.tcp(metrics)
                            .value("hupwatch_generation_connections{generation=\"1\",state=\"serving\"}") == 1;
                } catch (Exception e) {
                    return false;
                }
            });

            hw.signal("HUP");
            hw.awaitLine(line("generation 2 \\(pid \\d+\\) ready"), WAIT);
            hw.awaitLine(line("generation 1 \\(pid \\d+\\) exited"), WAIT);
        }
        m = PrometheusScrape.tcp(metrics);
        assertEquals(2, m.value("hupwatch_serving_generation{}"));
        assertEquals(1, m.value("hupwatch_reloads_total{outcome=\"swapped\"}"));
        assertEquals(0, m.value("hupwatch_reloads_total{outcome=\"failed\"}"));
        assertEquals(1, m.value("hupwatch_reload_ready_seconds_count{}"));
        assertEquals(1, m.value("hupwatch_drain_seconds_count{}"));
        assertTrue(m.value("hupwatch_drain_seconds_sum{}") >= 0.9, "the agent waited its 1s grace for the connection");
        assertEquals(1, m.value("hupwatch_generation_exits_total{cause=\"stopped\"}"));

        Files.createFile(fail);
        hw.signal("HUP");
        hw.awaitLine(line("reload failed: generation 3 \\(pid \\d+\\) exited with status 3 before it was ready"), WAIT);
        m = PrometheusScrape.tcp(metrics);
        assertEquals(2, m.value("hupwatch_serving_generation{}"));
        assertEquals(1, m.value("hupwatch_reloads_total{outcome=\"swapped\"}"));
        assertEquals(1, m.value("hupwatch_reloads_total{outcome=\"failed\"}"));
        assertEquals(1, m.value("hupwatch_generation_exits_total{cause=\"failed_start\"}"));
        assertEquals(1, m.value("hupwatch_reload_ready_seconds_count{}"), "a failed reload has no time to ready");
        assertTrue(m.value("hupwatch_last_reload_timestamp_seconds{outcome=\"failed\"}")
                >= m.value("hupwatch_last_reload_timestamp_seconds{outcome=\"swapped\"}"));

        HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control.toString(), "--json");
        assertEquals(0, status.exit(), status.toString());
        String json = status.stdout();
        assertTrue(Pattern.compile("\"history\":\\[\\{\"generation\":2,\"asked_at\":\"[0-9T:.-]+Z\",\"requests\":1,"
                + "\"outcome\":\"swapped\",\"reason\":null,\"ready_ms\":\\d+,\"old_generation\":1,\"drain_ms\":\\d+,"
                + "\"connections_left\":1,\"old_exit_status\":143\\},\\{\"generation\":3,.*\"outcome\":\"failed\","
                + "\"reason\":\"generation 3 \\(pid \\d+\\) exited with status 3 before it was ready\",\"ready_ms\":null,"
                + "\"old_generation\":null.*\\}\\]\\}").matcher(json).find(), json);
        HupwatchCli.Result text = HupwatchCli.run(dir, "status", "--control", control.toString());
        assertTrue(Pattern.compile("generation 2  swapped, ready after [0-9.]+m?s; generation 1 drained for [0-9.]+m?s,"
                + " 1 connection\\(s\\) left, exited with status 143 \\(SIGTERM\\)").matcher(text.stdout()).find(),
                text.toString());
        hw.signal("TERM");
        hw.awaitExit(WAIT);
    }

    @Test
    void unixAddressesBadValuesAndAnAddressInUse() throws Exception {
        Path sock = dir.resolve("metrics.sock");
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--warmup", "100ms",
                "--metrics", "unix:" + sock), List.of("sleep", "600")));
        hw.awaitLine(line("generation 1 \\(pid \\d+\\) ready"), WAIT);
        PrometheusScrape m = PrometheusScrape.unix(sock);
        assertEquals(1, m.value("hupwatch_serving_generation{}"));
        assertEquals(0, m.value("hupwatch_generations{state=\"draining\"}"));

        HupwatchCli.Result bad = HupwatchCli.run(dir, "--metrics", "http://localhost:9464", "--", "true");
        assertEquals(2, bad.exit(), bad.toString());
        assertEquals(1, bad.stderr().strip().lines().count(), bad.toString());
        assertTrue(bad.stderr().contains("--metrics") && bad.stderr().contains("tcp:HOST:PORT"), bad.toString());

        try (java.nio.channels.ServerSocketChannel taken = java.nio.channels.ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int busy = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            HupwatchCli.Result inUse = HupwatchCli.run(dir, "--metrics", "tcp:127.0.0.1:" + busy, "--", "sleep", "600");
            assertEquals(1, inUse.exit(), inUse.toString());
            assertTrue(inUse.stderr().strip().lines().reduce((a, b) -> b).orElse("")
                    .equals("hupwatch: --metrics tcp:127.0.0.1:" + busy + ": cannot bind: Address already in use"),
                    inUse.toString());
        }
        hw.signal("TERM");
        hw.awaitExit(WAIT);
        assertTrue(Files.notExists(sock), "the metrics socket is removed at exit");
    }
}
