package io.hupwatch.run;

import io.hupwatch.metrics.HupwatchMetrics;
import io.hupwatch.metrics.MetricsServer;
import io.hupwatch.metrics.MetricsState;
import io.hupwatch.os.ProcNet;
import io.hupwatch.os.UnixSockDiag;
import io.hupwatch.sockets.ListeningSocket;
import io.hupwatch.sockets.SocketSet;
import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.ReloadHistory;
import io.hupwatch.supervisor.StatusReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code --metrics}, wired: the metrics count what the reload history reports, and each scrape asks the
 * event loop for its report (as {@code hupwatch status} does) and reads the rest from the kernel. Only
 * referenced when the option is given, so that without it no metrics class is ever loaded.
 */
final class MetricsSetup implements Supplier<MetricsState> {
    private static final long ANSWER_SECONDS = 5;

    private final EventSink loop;
    private final SocketSet sockets;
    private final GenerationConnections connections;

    private MetricsSetup(EventSink loop, SocketSet sockets) {
        this.loop = loop;
        this.sockets = sockets;
        this.connections = new GenerationConnections(sockets);
    }

    /**
     * Binds the address and starts counting.
     *
     * @return what stops the metrics server
     * @throws io.hupwatch.supervisor.StartupException when the address cannot be bound
     */
    static AutoCloseable start(BindAddress address, EventSink loop, SocketSet sockets, ReloadHistory history) {
        HupwatchMetrics metrics = new HupwatchMetrics();
        MetricsServer server = MetricsServer.open(address, metrics, new MetricsSetup(loop, sockets));
        history.listen(metrics);
        return server;
    }

    /** The present, for one scrape; null when the event loop does not answer (hupwatch is exiting). */
    @Override
    public MetricsState get() {
        CompletableFuture<StatusReport> report = new CompletableFuture<>();
        loop.post(new Event.StatusRequested(report::complete));
        StatusReport r;
        try {
            r = report.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
        return new MetricsState(connections.apply(r), queues());
    }

    private List<MetricsState.SocketQueue> queues() {
        Map<Long, Long> byInode = ProcNet.acceptQueues();
        List<MetricsState.SocketQueue> out = new ArrayList<>();
        for (ListeningSocket s : sockets.held()) {
            Long waiting = byInode.get(ProcNet.ownSocketInode(s.fd()));
            if (waiting == null && s.address().display().startsWith("unix:")) {
                long unixWaiting = UnixSockDiag.acceptQueue(s.fd());
                waiting = unixWaiting < 0 ? null : unixWaiting;
            }
            if (waiting != null) {
                out.add(new MetricsState.SocketQueue(s.address().name(), s.address().display(), waiting));
            }
        }
        return out;
    }
}
