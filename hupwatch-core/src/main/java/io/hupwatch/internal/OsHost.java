package io.hupwatch.internal;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.SpawnException;
import io.hupwatch.supervisor.SpawnRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real operating system: generations are started with {@link ProcessBuilder} (so the JDK reaps
 * them and reports their exit), timers run on one daemon thread, and both report by posting events.
 */
public final class OsHost implements Host, AutoCloseable {
    /** Variables of hupwatch's own that must never reach a generation. */
    private static final String[] WITHHELD = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
        "HUPWATCH_SOCKET"};

    private final EventSink sink;
    private final SocketSet sockets;
    private final ScheduledThreadPoolExecutor timers;

    /** @param sockets what each generation is given; its pass mode starts the processes */
    public OsHost(EventSink sink, SocketSet sockets) {
        this.sink = sink;
        this.sockets = sockets;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "hupwatch-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Child spawn(SpawnRequest request) throws SpawnException {
        ProcessBuilder pb = new ProcessBuilder(request.command()).inheritIO();
        Map<String, String> env = pb.environment();
        for (String name : WITHHELD) {
            env.remove(name);
        }
        request.environment().forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        int generation = request.generation();
        Process process;
        try {
            process = sockets.passing().start(pb, generation);
        } catch (IOException e) {
            throw SpawnFailures.classify(request.command().get(0), e);
        }
        process.onExit().thenAccept(p -> {
            sockets.generationExited(generation);
            sink.post(new Event.ChildExited(generation, p.exitValue()));
        });
        return new OsChild(process);
    }

    @Override
    public Timer schedule(Duration delay, Event event) {
        var future = timers.schedule(() -> sink.post(event), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
