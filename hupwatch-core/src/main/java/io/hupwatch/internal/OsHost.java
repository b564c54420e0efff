package io.hupwatch.internal;

import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.SpawnException;
import io.hupwatch.supervisor.SpawnRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.function.IntConsumer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real operating system: generations are started by {@link PosixSpawner} with the fds and
 * signal state their pass mode needs and reaped by their own waiter thread; timers run on one
 * daemon thread; all of them report by posting events.
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
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
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
        Launch launch = new Launch(request.command(), env);
        SocketPassing passing = sockets.passing();
        IntConsumer started;
        try {
            started = passing.prepare(launch, generation);
        } catch (IOException e) {
            passing.startFailed(generation);
            throw new SpawnException("cannot prepare the sockets for generation " + generation + ": " + e.getMessage(),
                    SpawnException.OTHER);
        }
        int pid;
        try {
            pid = PosixSpawner.spawn(launch.command, launch.environment, launch.fds);
        } catch (SpawnException e) {
            passing.startFailed(generation);
            throw e;
        }
        started.accept(pid);
        return new SpawnedChild(pid, status -> {
            sockets.generationExited(generation);
            sink.post(new Event.ChildExited(generation, status));
        });
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
