package io.hupwatch.metrics;

import io.hupwatch.supervisor.ReloadListener;
import io.hupwatch.supervisor.ReloadRecord;
import io.hupwatch.supervisor.StatusReport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * hupwatch's Prometheus metrics. What happened (reloads, exits, their durations) is counted as it
 * happens, by the {@link ReloadListener} calls the event loop makes; what is (generations,
 * connections, accept queues) is read at each scrape from a {@link MetricsState} made for it. Nothing
 * here runs unless something happens or someone scrapes.
 */
public final class HupwatchMetrics implements ReloadListener {
    /** Seconds: a JVM server is often ready in 1-10 s, a slow one in a minute. */
    private static final double[] READY_BOUNDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    /** Seconds: from an empty server's instant exit to the default 30 s drain timeout and beyond. */
    private static final double[] DRAIN_BOUNDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    private static final List<String> STATES = List.of("starting", "serving", "draining");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter reloads;
    private final Gauge lastReload;
    private final Histogram ready;
    private final Histogram drain;
    private final Counter exits;
    /** The present, for the scrape under way (scrapes are serialized). */
    private MetricsState state;

    public HupwatchMetrics() {
        reloads = Counter.builder().name("hupwatch_reloads").help("Reloads, by how they ended.")
                .labelNames("outcome").withoutExemplars().register(registry);
        lastReload = Gauge.builder().name("hupwatch_last_reload_timestamp_seconds")
                .help("When the last reload with this outcome ended (Unix time).").labelNames("outcome")
                .withoutExemplars().register(registry);
        for (String outcome : ReloadRecord.ENDED) {
            reloads.labelValues(label(outcome));
        }
        ready = Histogram.builder().name("hupwatch_reload_ready_seconds")
                .help("From a reload's new generation's start until it was ready (swapped reloads).")
                .classicOnly().classicUpperBounds(READY_BOUNDS).withoutExemplars().register(registry);
        drain = Histogram.builder().name("hupwatch_drain_seconds")
                .help("From the stop signal until the generation exited.")
                .classicOnly().classicUpperBounds(DRAIN_BOUNDS).withoutExemplars().register(registry);
        exits = Counter.builder().name("hupwatch_generation_exits").help("Generations that exited, by cause.")
                .labelNames("cause").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("hupwatch_serving_generation")
                .help("The number of the serving generation (0: none).")
                .callback(cb -> cb.call(servingGeneration())).register(registry);
        GaugeWithCallback.builder().name("hupwatch_generations").help("Live generations, by state.")
                .labelNames("state").callback(cb -> byState().forEach((s, n) -> cb.call(n, s))).register(registry);
        GaugeWithCallback.builder().name("hupwatch_generation_connections")
                .help("Open connections of each live generation on the sockets hupwatch holds.")
                .labelNames("generation", "state").callback(cb -> state.report().generations().stream()
                        .filter(g -> g.connections() >= 0)
                        .forEach(g -> cb.call(g.connections(), Integer.toString(g.generation()), g.state())))
                .register(registry);
        GaugeWithCallback.builder().name("hupwatch_socket_accept_queue")
                .help("Connections waiting in a held socket's accept queue (from the kernel).")
                .labelNames("socket", "address").callback(cb -> state.queues()
                        .forEach(q -> cb.call(q.waiting(), q.name(), q.address()))).register(registry);
    }

    @Override
    public void reloadEnded(String outcome, long readyNanos) {
        reloads.labelValues(label(outcome)).inc();
        lastReload.labelValues(label(outcome)).set(System.currentTimeMillis() / 1000.0);
        if (readyNanos >= 0) {
            ready.observe(readyNanos / 1e9);
        }
    }

    @Override
    public void generationExited(String cause, long drainNanos) {
        exits.labelValues(cause).inc();
        if (drainNanos >= 0) {
            drain.observe(drainNanos / 1e9);
        }
    }

    /** Writes every metric, in the Prometheus text format, with {@code present} as the present state. */
    public synchronized void write(MetricsState present, OutputStream out) throws IOException {
        state = present;
        try {
            writer.write(out, registry.scrape());
        } finally {
            state = null;
        }
    }

    public String contentType() {
        return writer.getContentType();
    }

    private int servingGeneration() {
        return state.report().generations().stream().filter(g -> g.state().equals("serving"))
                .mapToInt(StatusReport.GenerationInfo::generation).max().orElse(0);
    }

    /** Every state a generation can be in, and any other a report names, with how many are in it. */
    private java.util.Map<String, Integer> byState() {
        java.util.Map<String, Integer> n = new java.util.LinkedHashMap<>();
        STATES.forEach(s -> n.put(s, 0));
        state.report().generations().forEach(g -> n.merge(g.state(), 1, Integer::sum));
        return n;
    }

    /** "rolled back" as a label value: rolled_back. */
    private static String label(String outcome) {
        return outcome.replace(' ', '_');
    }
}
