package io.hupwatch.run;

import io.hupwatch.ops.ControlServer;
import io.hupwatch.ops.PidFile;
import io.hupwatch.ops.SystemdNotifier;
import io.hupwatch.os.SignalTraps;
import io.hupwatch.readiness.NotifyMessages;
import io.hupwatch.sockets.SocketSet;
import io.hupwatch.spawn.JvmAgent;
import io.hupwatch.spawn.LaunchSettings;
import io.hupwatch.spawn.OrphanReaper;
import io.hupwatch.supervisor.EventLoop;
import io.hupwatch.supervisor.EventSink;
import io.hupwatch.supervisor.Lifecycle;
import io.hupwatch.supervisor.PosixSignal;
import io.hupwatch.supervisor.Readiness;
import io.hupwatch.supervisor.StartupException;
import io.hupwatch.supervisor.Supervisor;
import io.hupwatch.supervisor.SupervisorConfig;
import io.hupwatch.supervisor.WrapperOptions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a server under hupwatch for real: sockets, signal traps, the OS host and the event loop, wired together. */
public final class Supervision {
    /** The signals hupwatch acts on: HUP, TERM and INT itself, the rest forwarded to the serving generation. */
    public static final Set<PosixSignal> HANDLED = EnumSet.of(PosixSignal.HUP, PosixSignal.TERM, PosixSignal.INT,
            PosixSignal.USR1, PosixSignal.USR2, PosixSignal.WINCH, PosixSignal.TTIN, PosixSignal.TTOU);

    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private Supervision() {
    }

    /**
     * Supervises until the last generation has exited. Everything acquired (sockets, socket files,
     * the control socket, the pidfile, the runtime directory) is released on the way out, also
     * when start-up fails half-way.
     *
     * @return the status hupwatch should exit with
     * @throws StartupException when supervision cannot begin (a socket cannot be bound, ...)
     * @throws IllegalStateException when a signal cannot be handled
     */
    public static int run(SupervisorConfig requested, WrapperOptions options) {
        // A bug in a helper thread is one log line, never a stack trace on the operator's screen.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                log.error("internal error in thread {}: {}", thread.getName(), e.toString()));
        JvmAgent agent = AgentSetup.agent(requested, options);
        SupervisorConfig config = AgentSetup.readiness(requested, agent);
        EventLoop loop = new EventLoop();
        PidFile pidfile = options.pidfile() == null ? null : PidFile.claim(options.pidfile());
        boolean notify = config.ready() instanceof Readiness.Notify;
        try (SocketSet sockets = SocketSet.open(config.binds(), config.pass(),
                (generation, line) -> onChildMessage(generation, line, loop), notify, agent)) {
            if (!config.binds().isEmpty()) {
                log.info("listening on {}; each generation gets {} by --pass {}", sockets.addresses().stream()
                        .map(a -> a.display() + " (" + a.name() + ")").collect(Collectors.joining(", ")),
                        config.binds().size() == 1 ? "it" : "them", config.pass().cliName());
            }
            try (ControlServer control = options.control() == null ? null
                    : ControlServer.open(options.control(), loop, new GenerationConnections(sockets))) {
                SignalTraps.install(HANDLED, loop);
                OrphanReaper.install();
                Lifecycle lifecycle = Lifecycle.all(pidfile == null ? Lifecycle.NONE : pidfile,
                        SystemdNotifier.fromEnvironment());
                List<String> names = sockets.describe();
                LaunchSettings settings = new LaunchSettings(config.ready(), options.chdir(), options.envFile(),
                        config.drainTimeout());
                try (OsHost host = new OsHost(loop, sockets, settings)) {
                    Supervisor supervisor = new Supervisor(config, host, ProcessHandle.current().pid(), lifecycle, names);
                    AutoCloseable metrics = options.metrics() == null ? null
                            : MetricsSetup.start(options.metrics(), loop, sockets, supervisor.history());
                    try {
                        return loop.run(supervisor);
                    } finally {
                        closeQuietly(metrics);
                    }
                }
            }
        } finally {
            if (pidfile != null) {
                pidfile.remove();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
    }

    /** Lines a child sends on its handoff connection: the same READY=1 / STATUS= as sd_notify. */
    private static void onChildMessage(int generation, String line, EventSink sink) {
        log.debug("generation {} says: {}", generation, line);
        NotifyMessages.dispatch(generation, line, sink);
    }
}
