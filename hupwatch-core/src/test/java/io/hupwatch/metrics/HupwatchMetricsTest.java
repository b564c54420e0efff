package io.hupwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.ReloadRecord;
import io.hupwatch.supervisor.StatusReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HupwatchMetricsTest {
    private final HupwatchMetrics metrics = new HupwatchMetrics();

    private static MetricsState state(List<StatusReport.GenerationInfo> gens, List<MetricsState.SocketQueue> queues) {
        return new MetricsState(new StatusReport(1, "delay 1s", gens, List.of(), 0, 0, null, false,
                List.<ReloadRecord>of()), queues);
    }

    /** Sample lines ("name{labels} value") to their values. */
    private Map<String, String> scrape(MetricsState s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(s, out);
        return Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.startsWith("#"))
                .collect(Collectors.toMap(l -> l.substring(0, l.lastIndexOf(' ')), l -> l.substring(l.lastIndexOf(' ') + 1)));
    }

    @Test
    void everyOutcomeIsListedFromTheStartAndCountsWhatHappened() throws IOException {
        MetricsState idle = state(List.of(new StatusReport.GenerationInfo(1, 10, "serving", 5000, null, 0)), List.of());
        Map<String, String> m = scrape(idle);
        for (String outcome : List.of("swapped", "failed", "rolled_back", "merged", "cancelled")) {
            assertEquals("0.0", m.get("hupwatch_reloads_total{outcome=\"" + outcome + "\"}"), outcome);
        }
        metrics.reloadEnded(ReloadRecord.SWAPPED, 1_200_000_000L);
        metrics.reloadEnded(ReloadRecord.FAILED, -1);
        metrics.reloadEnded(ReloadRecord.ROLLED_BACK, -1);
        metrics.generationExited("stopped", 300_000_000L);
        metrics.generationExited("failed_start", -1);
        m = scrape(idle);
        assertEquals("1.0", m.get("hupwatch_reloads_total{outcome=\"swapped\"}"));
        assertEquals("1.0", m.get("hupwatch_reloads_total{outcome=\"failed\"}"));
        assertEquals("1.0", m.get("hupwatch_reloads_total{outcome=\"rolled_back\"}"));
        assertEquals("1", m.get("hupwatch_reload_ready_seconds_count"), "only a swap has a time to ready");
        assertEquals("1.2", m.get("hupwatch_reload_ready_seconds_sum"));
        assertEquals("0", m.get("hupwatch_reload_ready_seconds_bucket{le=\"1.0\"}"));
        assertEquals("1", m.get("hupwatch_reload_ready_seconds_bucket{le=\"2.5\"}"));
        assertEquals("1", m.get("hupwatch_drain_seconds_count"));
        assertEquals("1.0", m.get("hupwatch_generation_exits_total{cause=\"stopped\"}"));
        assertEquals("1.0", m.get("hupwatch_generation_exits_total{cause=\"failed_start\"}"));
        double last = Double.parseDouble(m.get("hupwatch_last_reload_timestamp_seconds{outcome=\"swapped\"}"));
        assertTrue(Math.abs(last - System.currentTimeMillis() / 1000.0) < 60, "Unix time, in seconds: " + last);
    }

    @Test
    void thePresentComesFromTheStateGivenToTheScrape() throws IOException {
        Map<String, String> m = scrape(state(List.of(
                new StatusReport.GenerationInfo(3, 30, "draining", 9000, null, 4),
                new StatusReport.GenerationInfo(4, 40, "serving", 2000, null, 17),
                new StatusReport.GenerationInfo(5, 50, "starting", 100, null, -1)),
                List.of(new MetricsState.SocketQueue("web", "tcp:0.0.0.0:8080", 3))));
        assertEquals("4.0", m.get("hupwatch_serving_generation"));
        assertEquals("1.0", m.get("hupwatch_generations{state=\"draining\"}"));
        assertEquals("1.0", m.get("hupwatch_generations{state=\"serving\"}"));
        assertEquals("1.0", m.get("hupwatch_generations{state=\"starting\"}"));
        assertEquals("4.0", m.get("hupwatch_generation_connections{generation=\"3\",state=\"draining\"}"));
        assertEquals("17.0", m.get("hupwatch_generation_connections{generation=\"4\",state=\"serving\"}"));
        assertTrue(m.keySet().stream().noneMatch(k -> k.contains("generation=\"5\"")), "not counted: not shown");
        assertEquals("3.0", m.get("hupwatch_socket_accept_queue{address=\"tcp:0.0.0.0:8080\",socket=\"web\"}"));
        m = scrape(state(List.of(), List.of()));
        assertEquals("0.0", m.get("hupwatch_serving_generation"));
        assertEquals("0.0", m.get("hupwatch_generations{state=\"serving\"}"));
    }
}
