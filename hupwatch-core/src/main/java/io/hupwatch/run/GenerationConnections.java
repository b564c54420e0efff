package io.hupwatch.run;

import io.hupwatch.os.ProcNet;
import io.hupwatch.sockets.ListeningSocket;
import io.hupwatch.sockets.SocketSet;
import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.StatusReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The open connections of each generation on the sockets hupwatch holds, counted from the kernel when
 * asked (status, a metrics scrape): the sockets of the generation's processes ({@code /proc/PID/fd},
 * its pid and their descendants) that are connected on a held port or path. Runs on the asking thread;
 * it reads only the report the event loop made and the kernel's tables. While the same generations run,
 * a count is reused until it is ten times as old as it took to make (at most {@link #FRESH_NANOS}): on a
 * host with a large connection table the kernel's walk takes tens of milliseconds, and a client polling
 * {@code status} in a loop then costs hupwatch at most a tenth of a core.
 */
public final class GenerationConnections implements UnaryOperator<StatusReport> {
    static final long FRESH_NANOS = 1_000_000_000L;

    private final SocketSet sockets;
    private Map<Integer, Integer> last;
    private Set<Long> lastPids = Set.of();
    private long lastAt;
    private long lastCost;

    public GenerationConnections(SocketSet sockets) {
        this.sockets = sockets;
    }

    /** {@code report} with each generation's connections, when hupwatch holds sockets. */
    @Override
    public StatusReport apply(StatusReport report) {
        return sockets.holdsAny() ? report.withConnections(count(report)) : report;
    }

    /** Generation number to its open connections on the held sockets. */
    public synchronized Map<Integer, Integer> count(StatusReport report) {
        Set<Long> pids = new HashSet<>();
        report.generations().forEach(g -> pids.add(g.pid()));
        long now = System.nanoTime();
        if (last == null || !pids.equals(lastPids) || now - lastAt >= Math.min(FRESH_NANOS, 10 * lastCost)) {
            last = Map.copyOf(countNow(report));
            lastPids = pids;
            lastAt = now;
            lastCost = System.nanoTime() - now;
        }
        return last;
    }

    private Map<Integer, Integer> countNow(StatusReport report) {
        Set<Integer> ports = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (ListeningSocket s : sockets.held()) {
            BindAddress a = s.address();
            if (a.kind() == BindAddress.Kind.TCP) {
                ports.add(a.port());
            } else {
                paths.add(a.path().toString());
            }
        }
        Map<Long, Integer> owners = new HashMap<>();
        for (StatusReport.GenerationInfo g : report.generations()) {
            ProcNet.socketInodes(g.pid()).forEach(i -> owners.put(i, g.generation()));
            ProcessHandle.of(g.pid()).ifPresent(p -> p.descendants().forEach(d ->
                    ProcNet.socketInodes(d.pid()).forEach(i -> owners.putIfAbsent(i, g.generation()))));
        }
        Map<Integer, Integer> counts = ProcNet.connections(owners, ports, paths);
        report.generations().forEach(g -> counts.putIfAbsent(g.generation(), 0));
        return counts;
    }
}
