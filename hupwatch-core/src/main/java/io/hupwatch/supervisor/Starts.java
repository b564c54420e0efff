package io.hupwatch.supervisor;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generation's start, from its spawn until it serves or has failed: its readiness timers, its
 * promotion to serving (or to a probation), and a failed reload, after which the serving generation
 * keeps serving and a merged follow-up reload begins. Part of the {@link Supervisor}, on its thread.
 */
final class Starts {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");

    private final SupervisorConfig config;
    private final Host host;
    private final long wrapperPid;
    private final String commandLine;
    private final Generations gens;
    private final Drains drains;
    private final Reloads reloads;
    private final ReloadHistory history;
    private final Shutdown shutdown;
    private final Probation probation;
    private final Lifecycle lifecycle;

    private int lastGeneration;
    /** Why the generation now starting gets no probation (the memory limit), or null. */
    private String noProbation;

    Starts(SupervisorConfig config, Host host, long wrapperPid, Generations gens, Drains drains, Reloads reloads,
            ReloadHistory history, Shutdown shutdown, Probation probation, Lifecycle lifecycle) {
        this.config = config;
        this.host = host;
        this.wrapperPid = wrapperPid;
        this.gens = gens;
        this.drains = drains;
        this.reloads = reloads;
        this.history = history;
        this.shutdown = shutdown;
        this.probation = probation;
        this.lifecycle = lifecycle;
        // One log line per event, even for a command whose arguments hold newlines.
        this.commandLine = String.join(" ", config.command()).replace("\n", "\\n").replace("\r", "\\r");
    }

    /** The number the next generation started will have. */
    int nextNumber() {
        return lastGeneration + 1;
    }

    /**
     * Starts the next generation for a reload, unless the memory limit cannot hold it beside the serving one
     * ({@link MemoryRoom}): then the reload fails at once, and the serving one is untouched.
     */
    void startReload() {
        MemoryRoom.Judgement room = gens.serving == null ? MemoryRoom.Judgement.UNJUDGED
                : MemoryRoom.judge(host.memoryUse(), gens.serving.child.privateMemory(), gens.serving.toString());
        if (room.verdict() == MemoryRoom.Verdict.DOES_NOT_FIT) {
            int number = ++lastGeneration;
            history.starting(number);
            startFailed("cannot start generation " + number + ": " + room.text());
            return;
        }
        if (room.text() != null) {
            log.info("{}", room.text());
        }
        noProbation = room.verdict() == MemoryRoom.Verdict.NO_PROBATION ? room.text() : null;
        startGeneration();
    }

    /** Spawns the next generation, which becomes the starting one, and schedules its readiness timer. */
    void startGeneration() {
        int number = ++lastGeneration;
        history.starting(number);
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
        gens.starting = g;
        log.info("{} started: {}", g, commandLine);
        g.readyAfterWarmup = config.ready().byWarmup(host.holdsSockets());
        if (g.readyAfterWarmup) {
            g.replaceTimer(host.schedule(config.warmup(), new Event.ReadyCheck(number)));
        } else {
            g.replaceTimer(host.schedule(config.readyTimeout(), new Event.ReadyTimedOut(number)));
        }
    }

    private void onSpawnFailed(int number, SpawnException e) {
        if (gens.serving == null) {
            log.error("cannot start generation {}: {}", number, e.getMessage());
            shutdown.finish(e.exitCode());
            return;
        }
        startFailed("cannot start generation " + number + ": " + e.getMessage());
    }

    /** A reload's new generation failed; the serving one is untouched. Runs a merged follow-up reload. */
    private void startFailed(String reason) {
        log.warn("reload failed: {}; {} keeps serving", reason, gens.serving);
        history.failed(lastGeneration, reason);
        lifecycle.reloaded(false, "reload failed: " + reason);
        reloads.failed(reason, new ReloadOutcome(false, gens.serving.number, gens.serving.child.pid(), reason));
        host.servingAgain(gens.serving.number);
        startPendingReload();
    }

    /** The warm-up of generation {@code number} is over. */
    void onReadyCheck(int number) {
        Generation g = gens.starting;
        if (g == null || g.number != number || !g.child.isAlive() || !g.readyAfterWarmup) {
            return; // stale, or it died and its exit event is on its way
        }
        if (config.ready() instanceof Readiness.Auto && host.holdsSockets()) {
            // It opened a socket during the warm-up (adopted): now it is ready when it accepts on it.
            g.readyAfterWarmup = false;
            g.replaceTimer(host.schedule(config.readyTimeout().minus(config.warmup()), new Event.ReadyTimedOut(number)));
            return;
        }
        promote(g, "alive after the " + Durations.format(config.warmup()) + " warm-up"
                + (config.ready() instanceof Readiness.Auto ? ", having opened no socket" : ""));
    }

    /** Generation {@code number} reported ready ({@code how}); it counts if the readiness mode takes it. */
    void onChildReady(int number, String how) {
        Generation g = gens.starting;
        if (!config.ready().takes(how)) {
            log.debug("generation {} reported ready ({}), but {} decides", number, how, config.ready().describe());
        } else if (g != null && g.number == number && g.child.isAlive()) {
            promote(g, how);
        }
    }

    private void promote(Generation g, String how) {
        g.replaceTimer(null);
        gens.starting = null;
        g.state = Generation.State.SERVING;
        Generation previous = gens.serving;
        gens.serving = g;
        log.info("{} ready after {} ({})", g, Durations.formatNanos(host.nanoTime() - g.startedNanos), how);
        boolean onProbation = previous != null && !reloads.followUpPending() && probationFits(g)
                && probation.begin(previous, g);
        history.ready(g.number, previous == null ? 0 : previous.number, host.nanoTime() - g.startedNanos, onProbation);
        if (onProbation) {
            return; // its outcome is known when the probation ends
        }
        host.serving(g.number);
        if (previous != null) {
            drains.stop(previous);
            lifecycle.reloaded(true, "generation " + g.number + " serving");
        } else {
            lifecycle.started(g.number, g.child.pid());
        }
        reloads.succeeded(previous != null, new ReloadOutcome(true, g.number, g.child.pid(), null));
        startPendingReload();
    }

    /** Whether the memory limit left room for a probation when {@code g}'s reload began. */
    private boolean probationFits(Generation g) {
        String why = noProbation;
        noProbation = null;
        if (why != null) {
            log.info("{}: no probation, the previous generation drains at once ({})", g, why);
        }
        return why == null;
    }

    /** Generation {@code number} was not ready within the ready timeout. */
    void onReadyTimedOut(int number) {
        Generation g = gens.starting;
        if (g == null || g.number != number) {
            return;
        }
        String dropped = config.ready() instanceof Readiness.Auto ? host.droppedPorts(number) : null;
        if (dropped != null && g.child.isAlive()) {
            promote(g, "accepting, but not on " + dropped + " within the ready timeout: a port this release dropped");
            return;
        }
        gens.starting = null;
        String reason = g + " was not ready within " + Durations.format(config.readyTimeout()) + " ("
                + config.ready().describe() + ")";
        if (gens.serving == null) {
            shutdown.firstNeverReady(g, reason);
            return;
        }
        drains.stop(g);
        startFailed(reason);
    }

    private void startPendingReload() {
        if (!shutdown.underway() && reloads.takeFollowUp()) {
            log.info("starting the reload requested while the previous one was in progress");
            lifecycle.reloading();
            startReload();
        }
    }

    /** The starting generation {@code g} exited before it was ready. */
    void onStartingExited(Generation g, int status) {
        gens.starting = null;
        g.replaceTimer(null);
        String hint = status == 0 ? " (a server must stay in the foreground: if it forks into the background,"
                + " hupwatch has lost it; turn its daemon mode off)" : "";
        if (gens.serving == null) {
            log.error("{} exited with {} before it was ready{}; nothing is serving, so hupwatch exits too", g,
                    ExitStatus.describe(status), hint);
            shutdown.finish(status);
            return;
        }
        startFailed(g + " exited with " + ExitStatus.describe(status) + " before it was ready" + hint);
    }
}
