package io.hupwatch.run;

import io.hupwatch.handoff.HandoffProtocol;
import io.hupwatch.ops.EnvFile;
import io.hupwatch.readiness.ReadinessProbe;
import io.hupwatch.sockets.SocketPassing;
import io.hupwatch.sockets.SocketSet;
import io.hupwatch.os.CgroupMemory;
import io.hupwatch.os.ProcFsProcesses;
import io.hupwatch.os.ProcessTable;
import io.hupwatch.spawn.Executables;
import io.hupwatch.spawn.GenerationCgroups;
import io.hupwatch.spawn.KnownChildren;
import io.hupwatch.spawn.Launch;
import io.hupwatch.spawn.LaunchSettings;
import io.hupwatch.spawn.ParentDeath;
import io.hupwatch.spawn.PosixSpawner;
import io.hupwatch.spawn.SpawnedChild;
import io.hupwatch.supervisor.Event;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Host;
import io.hupwatch.supervisor.MemoryUse;
import io.hupwatch.supervisor.SpawnException;
import io.hupwatch.supervisor.SpawnRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real operating system: generations are started by {@link PosixSpawner} with the fds, signal
 * state, working directory and environment their settings ask for, watched by their readiness
 * probe and reaped by their own waiter thread; timers run on one daemon thread; all of them report
 * by posting events.
 */
public final class OsHost implements Host, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** Variables of hupwatch's own that must never reach a generation. */
    private static final String[] WITHHELD = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
        "HUPWATCH_SOCKET", "HUPWATCH_AGENT"};
    private static final ProcessTable PROCESSES = new ProcFsProcesses();
    private static final CgroupMemory MEMORY = new CgroupMemory();

    private final EventSink sink;
    private final SocketSet sockets;
    private final LaunchSettings settings;
    private final ScheduledThreadPoolExecutor timers;
    /** The readiness probe of each live generation, to run again during a probation. */
    private final Map<Integer, ReadinessProbe> probes = new java.util.concurrent.ConcurrentHashMap<>();
    /** How a generation's processes are told apart: a cgroup of its own, or its group and marks. */
    private final GenerationCgroups trees = GenerationCgroups.detect(PROCESSES);

    /** @param sockets what each generation is given; its pass mode places them */
    public OsHost(EventSink sink, SocketSet sockets, LaunchSettings settings) {
        this.sink = sink;
        this.sockets = sockets;
        this.settings = settings;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "hupwatch-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Child spawn(SpawnRequest request) throws SpawnException {
        int generation = request.generation();
        Launch launch = new Launch(request.command(), environment(request), directory());
        // Said here, with hupwatch's own words, rather than by whatever wrapper starts the command.
        Executables.check(launch.command.get(0), launch.environment.get("PATH"), launch.directory);
        SocketPassing passing = sockets.passing();
        ReadinessProbe probe;
        IntConsumer started;
        try {
            probe = ReadinessProbe.prepare(settings.readiness(), launch, generation, sockets.runtimeDir(), sink);
        } catch (IOException e) {
            throw new SpawnException("cannot prepare the readiness check of generation " + generation + ": "
                    + e.getMessage(), SpawnException.OTHER);
        }
        try {
            started = passing.prepare(launch, generation);
        } catch (IOException e) {
            probe.close();
            passing.startFailed(generation);
            throw new SpawnException("cannot prepare the sockets for generation " + generation + ": " + e.getMessage(),
                    SpawnException.OTHER);
        } catch (SpawnException e) {
            probe.close();
            throw e;
        }
        GenerationCgroups.Started start;
        try {
            start = trees.start(generation, () -> {
                int child = PosixSpawner.spawn(ParentDeath.wrap(launch.command), launch.environment, launch.fds,
                        launch.directory);
                KnownChildren.add(child);
                return child;
            });
        } catch (SpawnException e) {
            probe.close();
            passing.startFailed(generation);
            throw e;
        }
        int pid = start.pid();
        started.accept(pid);
        probe.started(pid);
        probes.put(generation, probe);
        if (launch.directory != null) {
            log.info("generation {} (pid {}) runs in {}", generation, pid, launch.directory);
        }
        return new SpawnedChild(pid, generation, start.tree(), PROCESSES, settings.drainTimeout(), status -> {
            GenerationCgroups.exited(start.tree());
            probes.remove(generation);
            probe.close();
            sockets.generationExited(generation);
            sink.post(new Event.ChildExited(generation, status));
        });
    }

    /** hupwatch's environment, less what was meant for hupwatch, plus the env file, plus the request's own. */
    private Map<String, String> environment(SpawnRequest request) throws SpawnException {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        for (String name : WITHHELD) {
            env.remove(name);
        }
        if (settings.envFile() != null) {
            try {
                env.putAll(EnvFile.read(settings.envFile()));
            } catch (IOException e) {
                throw new SpawnException(e.getMessage(), SpawnException.OTHER);
            }
        }
        request.environment().forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        return env;
    }

    /** --chdir, resolved now: a "current" symlink switched since the last start is followed. */
    private Path directory() throws SpawnException {
        if (settings.chdir() == null) {
            return null;
        }
        Path real;
        try {
            real = settings.chdir().toRealPath();
        } catch (IOException e) {
            throw new SpawnException("cannot use --chdir " + settings.chdir() + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such directory" : e.getMessage()),
                    SpawnException.OTHER);
        }
        if (!Files.isDirectory(real)) {
            throw new SpawnException("cannot use --chdir " + settings.chdir() + ": it is not a directory;"
                    + " give the directory the server runs in", SpawnException.OTHER);
        }
        if (!Files.isExecutable(real)) {
            throw new SpawnException("cannot use --chdir " + settings.chdir() + ": no permission to enter it"
                    + " (it needs x for hupwatch's user)", SpawnException.OTHER);
        }
        return real;
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
    public boolean holdsSockets() {
        return sockets.holdsAny();
    }

    @Override
    public void serving(int number) {
        sockets.serving(number);
    }

    @Override
    public void servingAgain(int number) {
        sockets.serving(number);
    }

    @Override
    public String droppedPorts(int number) {
        return sockets.droppedPorts(number);
    }

    @Override
    public boolean pause(int number) {
        return sockets.tellAgent(number, HandoffProtocol.PAUSE);
    }

    @Override
    public boolean resume(int number) {
        return sockets.tellAgent(number, HandoffProtocol.RESUME);
    }

    @Override
    public void probeAgain(int number) {
        ReadinessProbe probe = probes.get(number);
        if (probe != null) {
            probe.checkAgain();
        }
    }

    @Override
    public MemoryUse memoryUse() {
        CgroupMemory.Use use = MEMORY.read();
        return use == null ? null : new MemoryUse(use.limit(), use.used(), use.where().toString());
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
