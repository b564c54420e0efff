package io.hupwatch.metrics;

import io.hupwatch.supervisor.StatusReport;
import java.util.List;

/**
 * What a scrape shows of the present, gathered for that scrape: the event loop's report (with each
 * generation's connections) and the accept queue of each held socket.
 */
public record MetricsState(StatusReport report, List<SocketQueue> queues) {

    /** A held socket's accept queue: how many connections wait for an accept. */
    public record SocketQueue(String name, String address, long waiting) {
    }
}
