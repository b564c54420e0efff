package io.hupwatch.supervisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swap state machine. See the package documentation for its invariants; every method here runs
 * on the event loop thread and nowhere else.
 *
 * <p>Generations move STARTING → SERVING → STOPPING → gone. A STARTING generation that fails goes
 * straight to STOPPING (or gone), and the SERVING one is never touched by that.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Host host;
    private final long wrapperPid;

    private int lastGeneration;
    private Generation starting;
    private Generation serving;
    private final List<Generation> stopping = new ArrayList<>();
    private boolean reloadPending;

    private boolean shuttingDown;
    /** The generation whose exit status hupwatch exits with, once everything has stopped. */
    private Generation statusSource;
    private int exitStatus;
    private OptionalInt finished = OptionalInt.empty();

    public Supervisor(SupervisorConfig config, Host host, long wrapperPid) {
        this.config = config;
        this.host = host;
        this.wrapperPid = wrapperPid;
    }

    /** Starts generation 1. */
    public void start() {
        startGeneration();
    }

    /** The status hupwatch must exit with, once it has finished; empty while it runs. */
    public OptionalInt finished() {
        return finished;
    }

    public void handle(Event event) {
        if (finished.isPresent()) {
            return;
        }
        if (event instanceof Event.SignalReceived e) {
            onSignal(e.signal());
        } else if (event instanceof Event.ChildExited e) {
            onChildExited(e.generation(), e.status());
        } else if (event instanceof Event.ReadyCheck e) {
            onReadyCheck(e.generation());
        } else if (event instanceof Event.DrainTimedOut e) {
            onDrainTimedOut(e.generation());
        }
    }

    private void onSignal(PosixSignal signal) {
        switch (signal) {
            case HUP -> requestReload();
            case TERM, INT -> requestShutdown(signal);
            default -> forward(signal);
        }
    }

    // ---- reload -------------------------------------------------------------------------------

    private void requestReload() {
        if (shuttingDown) {
            log.info("SIGHUP ignored: hupwatch is shutting down");
            return;
        }
        if (starting != null) {
            if (!reloadPending) {
                log.info("reload requested while {} is starting: one more reload will follow once it is ready or has failed",
                        starting);
            }
            reloadPending = true;
            return;
        }
        log.info("reload requested: starting generation {}", lastGeneration + 1);
        startGeneration();
    }

    private void startGeneration() {
        int number = ++lastGeneration;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HUPWATCH_PID", Long.toString(wrapperPid));
        env.put("HUPWATCH_GENERATION", Integer.toString(number));
        Host.Child child;
        try {
            child = host.spawn(new SpawnRequest(number, config.command(), env));
        } catch (SpawnException e) {
            onSpawnFailed(number, e);
            return;
        }
        Generation g = new Generation(number, child, host.nanoTime());
        starting = g;
        log.info("{} started: {}", g, String.join(" ", config.command()));
        g.replaceTimer(host.schedule(config.warmup(), new Event.ReadyCheck(number)));
    }

    private void onSpawnFailed(int number, SpawnException e) {
        if (serving == null) {
            log.error("cannot start generation {}: {}", number, e.getMessage());
            finish(e.exitCode());
            return;
        }
        log.warn("reload failed: cannot start generation {}: {}; {} keeps serving", number, e.getMessage(), serving);
        startPendingReload();
    }

    private void onReadyCheck(int number) {
        Generation g = starting;
        if (g == null || g.number != number || !g.child.isAlive()) {
            return; // stale, or it died and its exit event is on its way
        }
        g.timer = null;
        starting = null;
        g.state = Generation.State.SERVING;
        Generation previous = serving;
        serving = g;
        log.info("{} ready after {} (alive after the {} warm-up)", g,
                Durations.formatNanos(host.nanoTime() - g.startedNanos), Durations.format(config.warmup()));
        if (previous != null) {
            stop(previous);
        }
        startPendingReload();
    }

    private void startPendingReload() {
        if (reloadPending && !shuttingDown) {
            reloadPending = false;
            log.info("starting the reload requested while the previous one was in progress");
            startGeneration();
        }
    }

    // ---- stopping -----------------------------------------------------------------------------

    private void stop(Generation g) {
        g.state = Generation.State.STOPPING;
        g.stopSentNanos = host.nanoTime();
        stopping.add(g);
        g.child.signal(config.stopSignal());
        log.info("{} draining: sent {}, waiting up to {}", g, config.stopSignal().displayName(),
                Durations.format(config.drainTimeout()));
        g.replaceTimer(host.schedule(config.drainTimeout(), new Event.DrainTimedOut(g.number)));
    }

    private void onDrainTimedOut(int number) {
        for (Generation g : stopping) {
            if (g.number == number && g.child.isAlive()) {
                g.timer = null;
                log.warn("{} still running {} after {}: killed (SIGKILL)", g,
                        Durations.format(config.drainTimeout()), config.stopSignal().displayName());
                g.child.signal(PosixSignal.KILL);
            }
        }
    }

    private void onChildExited(int number, int status) {
        if (starting != null && starting.number == number) {
            onStartingExited(starting, status);
        } else if (serving != null && serving.number == number) {
            onServingExited(serving, status);
        } else {
            for (Generation g : stopping) {
                if (g.number == number) {
                    onStoppingExited(g, status);
                    break;
                }
            }
        }
        finishIfAllStopped();
    }

    private void onStartingExited(Generation g, int status) {
        starting = null;
        g.replaceTimer(null);
        if (serving == null) {
            log.error("{} exited with {} before it was ready; nothing is serving, so hupwatch exits too", g,
                    ExitStatus.describe(status));
            finish(status);
            return;
        }
        log.warn("reload failed: {} exited with {} before it was ready; {} keeps serving", g,
                ExitStatus.describe(status), serving);
        startPendingReload();
    }

    private void onServingExited(Generation g, int status) {
        serving = null;
        g.replaceTimer(null);
        log.warn("{} exited on its own with {}; stopping everything and exiting with that status", g,
                ExitStatus.describe(status));
        exitStatus = status;
        beginShutdown();
    }

    private void onStoppingExited(Generation g, int status) {
        stopping.remove(g);
        g.replaceTimer(null);
        log.info("{} exited with {} after {} of draining", g, ExitStatus.describe(status),
                Durations.formatNanos(host.nanoTime() - g.stopSentNanos));
        if (g == statusSource) {
            exitStatus = status;
        }
    }

    // ---- shutdown -----------------------------------------------------------------------------

    private void requestShutdown(PosixSignal signal) {
        if (!shuttingDown) {
            log.info("{} received: shutting down, {} may drain for up to {}", signal.displayName(),
                    describeLive(), Durations.format(config.drainTimeout()));
            statusSource = serving != null ? serving : starting;
            beginShutdown();
            return;
        }
        for (Generation g : stopping) {
            if (g.child.isAlive()) {
                log.warn("second {}: {} killed now (SIGKILL)", signal.displayName(), g);
                g.child.signal(PosixSignal.KILL);
            }
        }
    }

    private void beginShutdown() {
        shuttingDown = true;
        reloadPending = false;
        if (serving != null) {
            Generation g = serving;
            serving = null;
            stop(g);
        }
        if (starting != null) {
            Generation g = starting;
            starting = null;
            stop(g);
        }
    }

    private void finishIfAllStopped() {
        if (shuttingDown && finished.isEmpty() && serving == null && starting == null && stopping.isEmpty()) {
            log.info("all generations have exited; hupwatch exits with {}", ExitStatus.describe(exitStatus));
            finish(exitStatus);
        }
    }

    private void finish(int status) {
        finished = OptionalInt.of(status);
    }

    // ---- forwarding ---------------------------------------------------------------------------

    /** To the serving generation; while generation 1 is still starting, to it (it is all there is). */
    private void forward(PosixSignal signal) {
        Generation target = serving != null ? serving : shuttingDown ? null : starting;
        if (target == null) {
            log.warn("{} not forwarded: no generation is serving", signal.displayName());
            return;
        }
        log.info("forwarding {} to {}", signal.displayName(), target);
        target.child.signal(signal);
    }

    private String describeLive() {
        List<String> names = new ArrayList<>();
        if (serving != null) {
            names.add(serving.toString());
        }
        if (starting != null) {
            names.add(starting.toString());
        }
        stopping.forEach(g -> names.add(g.toString()));
        return names.isEmpty() ? "no generation" : String.join(", ", names);
    }
}
